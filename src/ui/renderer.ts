/** The window's script: renders state it is given and sends intents through the contract, nothing else. */
import type { OverlayApi, TunnelView } from '../contract/api.js';

declare global {
  interface Window {
    overlay: OverlayApi;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function item(text: string, className = ''): HTMLLIElement {
  const li = document.createElement('li');
  li.textContent = text; // textContent only: names and messages may come from imported files
  if (className) li.className = className;
  return li;
}

function showError(message: string | undefined): void {
  const p = $('error');
  p.hidden = !message;
  p.textContent = message ?? '';
}

function renderTunnels(tunnels: TunnelView[]): void {
  $('tunnels').replaceChildren(...tunnels.map((t) => item(`${t.name} — ${t.interface} — ${t.endpoints.join(', ') || 'no endpoint'}`)));
  $('tunnels-empty').hidden = tunnels.length > 0;
}

async function refresh(): Promise<void> {
  const r = await window.overlay.listTunnels(undefined);
  if (r.ok) renderTunnels(r.value);
  else showError(r.error);
}

$('check').addEventListener('click', async () => {
  const r = await window.overlay.checkConfig({ text: $<HTMLTextAreaElement>('config-text').value });
  if (!r.ok) return showError(r.error);
  const v = r.value;
  $('check-result').replaceChildren(
    item(v.valid ? 'Valid' : 'Not valid', v.valid ? 'ok' : 'error'),
    ...v.errors.map((e) => item(`Line ${e.line}: ${e.message}`, 'error')),
    ...v.warnings.map((w) => item(`Line ${w.line}: ${w.message}`, 'warning')),
    ...v.scripts.map((s) => item(`Line ${s.line}: ${s.key} runs "${s.command}" as root — blocked unless you allow scripts for this tunnel`, 'warning')),
  );
});

void refresh();
