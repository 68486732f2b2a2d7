/**
 * What every view shares: the contract (`api`, the window's only way out), the error line and the note,
 * and the actions that load the services' state into the store.
 */
import type { ConfigCheckView, OverlayApi, Result } from '../contract/api.js';
import { h } from './dom.js';
import { store } from './store.js';
import { httpTransport } from './transport-http.js';

declare global {
  interface Window {
    overlay?: OverlayApi;
  }
}

// Electron's preload provides `window.overlay`; in a browser the loopback host's token is in the address.
// Once read, it leaves the address bar and the history; it is kept in this tab's sessionStorage (scoped to
// this origin, port included, unlike a cookie) so that a reload still works.
function webToken(): string {
  const fromAddress = new URLSearchParams(location.search).get('token');
  if (fromAddress) {
    sessionStorage.setItem('oc_token', fromAddress);
    history.replaceState(null, '', location.pathname);
  }
  return fromAddress ?? sessionStorage.getItem('oc_token') ?? '';
}
export const api: OverlayApi = window.overlay ?? httpTransport(webToken());
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function showError(message?: string): void {
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

/** Awaits a contract call: its error goes to the error line (cleared on success), its value comes back. */
export async function call<T>(p: Promise<Result<T>>): Promise<T | undefined> {
  const r = await p;
  if (!r.ok) {
    showError(r.error);
    return undefined;
  }
  showError();
  return r.value;
}

export function showNote(text: string): void {
  $('import-result').replaceChildren(h('li', { class: 'ok' }, text));
}

export function showIssues(list: HTMLElement, v: ConfigCheckView, okText: string): void {
  list.replaceChildren(
    h(
      'li',
      { class: v.valid ? 'ok' : 'error' },
      v.valid ? okText : `Not valid: ${v.errors.length} problem(s)`,
    ),
    ...v.errors.map((e) => h('li', { class: 'error', 'data-line': e.line }, `Line ${e.line}: ${e.message}`)),
    ...v.warnings.map((w) => h('li', { class: 'warning' }, `Line ${w.line}: ${w.message}`)),
  );
}

export function isUp(state: string): boolean {
  return state !== 'down' && state !== 'error';
}

// --- actions: the services' state into the store ----------------------------------------------------
export async function loadTunnels(): Promise<void> {
  const list = await call(api.listTunnels(undefined));
  if (!list) return;
  store.set({ tunnels: new Map(list.map((t) => [t.name, t])) });
  await loadLog();
}

export async function loadLog(): Promise<void> {
  const log = await call(api.sessionLog(undefined));
  if (log) store.set({ log });
}

export async function loadKeys(): Promise<void> {
  const keys = await call(api.keyStore(undefined));
  if (keys) store.set({ keys });
}
