/** The tunnels list: one row per tunnel with its actions, the in-page rename and remove questions, and
 * this session's log. */
import type { TunnelView } from '../../contract/api.js';
import { $, api, call, isUp, loadTunnels, showNote } from '../context.js';
import { age, bytes, h } from '../dom.js';
import { store } from '../store.js';
import { askText, askYesNo, focusQuestion } from './ask.js';
import { openDetail } from './tunnel-detail.js';

// The open question's form, kept across re-renders: rows are rebuilt at every tunnel event (several a
// second while one is up), and a rebuilt field would lose what is being typed in it.
let question: { key: string; form: HTMLFormElement } | undefined;

/** Focuses a row's button by its label: the focus returns where it was when a question closes. */
function focusButton(label: string | null): void {
  if (label)
    document.querySelector<HTMLElement>(`#tunnels button[aria-label="${CSS.escape(label)}"]`)?.focus();
}

function closeQuestion(focusLabel?: string): void {
  store.set({ asking: undefined });
  if (focusLabel) focusButton(focusLabel);
}

async function rename(t: TunnelView, newName: string): Promise<void> {
  if (!newName || newName === t.name) return closeQuestion(`Rename ${t.name}`);
  // On failure the field stays open with the error shown, to be corrected or cancelled.
  if ((await call(api.renameTunnel({ name: t.name, newName }))) === undefined) return;
  store.set({ asking: undefined });
  await loadTunnels();
  focusButton(`Rename ${newName}`);
}

async function remove(t: TunnelView): Promise<void> {
  if ((await call(api.removeTunnel({ name: t.name }))) === undefined)
    return closeQuestion(`Remove ${t.name}`);
  const tunnels = new Map(store.get().tunnels);
  tunnels.delete(t.name);
  store.set({ tunnels, asking: undefined });
  showNote(`Removed ${t.name}`);
  $('import-name').focus(); // its row is gone; the next thing one does here is import
}

function questionFor(t: TunnelView, kind: 'rename' | 'remove'): HTMLFormElement {
  const key = `${kind}:${t.name}`;
  if (question?.key === key) return question.form;
  const form =
    kind === 'rename'
      ? askText({
          label: `New name for ${t.name}`,
          value: t.name,
          saveLabel: `Save the new name of ${t.name}`,
          onSave: (v) => void rename(t, v),
          onCancel: () => closeQuestion(`Rename ${t.name}`),
        })
      : askYesNo({
          question: `Remove "${t.name}" and its private key from this computer? This cannot be undone.`,
          yes: 'Yes, remove it',
          no: 'No, keep it',
          onYes: () => void remove(t),
          onNo: () => closeQuestion(`Remove ${t.name}`),
        });
  question = { key, form };
  return form;
}

function tunnelRow(t: TunnelView): HTMLTableRowElement {
  const { detailOf, asking } = store.get();
  const busy = t.state === 'connecting' && /Bringing|Taking/.test(t.detail ?? '');
  const up = t.state === 'up' || (t.state === 'connecting' && !busy);
  // Rename and remove are offered only while the tunnel is down (the services refuse them otherwise too).
  const idle = !isUp(t.state);
  const ask = asking?.tunnel === t.name && idle ? asking.kind : undefined;
  const button = (
    label: string,
    text: string,
    onclick: () => void,
    extra: Record<string, string | boolean> = {},
  ) => h('button', { type: 'button', 'aria-label': `${label} ${t.name}`, onclick, ...extra }, text);
  const action = button(
    up ? 'Disconnect' : 'Connect',
    up ? 'Disconnect' : 'Connect',
    async () => {
      await call(up ? api.disconnect({ name: t.name }) : api.connect({ name: t.name }));
      await loadTunnels();
    },
    { class: up ? '' : 'primary', disabled: busy },
  );
  const detailBtn = button(
    'Details of',
    'Details',
    () => void openDetail(detailOf === t.name ? undefined : t.name),
    {
      'aria-expanded': String(detailOf === t.name),
    },
  );
  const exportBtn = button('Export', 'Export', async () => {
    const r = await call(api.exportConfig({ name: t.name }));
    if (r) showNote(`Saved ${t.name} to ${r.path} (it holds the private key; keep it safe)`);
  });
  const open = (kind: 'rename' | 'remove') => () => {
    store.set({ asking: ask === kind ? undefined : { tunnel: t.name, kind } });
    focusQuestion(document.querySelector(`tr[data-tunnel="${CSS.escape(t.name)}"] .ask`));
  };
  const renameBtn = button('Rename', 'Rename', open('rename'), {
    disabled: !idle,
    'aria-expanded': String(ask === 'rename'),
  });
  const removeBtn = button('Remove', 'Remove', open('remove'), {
    disabled: !idle,
    'aria-expanded': String(ask === 'remove'),
  });
  return h(
    'tr',
    { 'data-tunnel': t.name },
    h(
      'td',
      {},
      h('strong', {}, t.name),
      h('div', { class: 'muted mono' }, t.interface),
      t.scripts.length
        ? h(
            'div',
            { class: t.allowScripts ? 'warning' : 'muted' },
            `${t.scripts.length} script hook(s) ${t.allowScripts ? 'allowed' : 'blocked'}`,
          )
        : null,
    ),
    h(
      'td',
      {},
      h('span', { class: `state state-${t.state}`, 'data-state': t.state }, t.state),
      t.detail ? h('div', { class: 'muted' }, t.detail) : null,
      t.error ? h('div', { class: 'error' }, t.error) : null,
    ),
    h('td', {}, t.state === 'down' ? '–' : age(t.latestHandshake)),
    h('td', { class: 'mono' }, `${bytes(t.rxBytes)} / ${bytes(t.txBytes)}`),
    h('td', { class: 'mono' }, t.endpoint ?? t.endpoints[0] ?? '–'),
    h(
      'td',
      {},
      h('div', { class: 'row' }, action, detailBtn, exportBtn, renameBtn, removeBtn),
      ask ? questionFor(t, ask) : null,
    ),
  );
}

function renderTunnels(): void {
  const { tunnels, asking } = store.get();
  if (!asking) question = undefined;
  // A question about a tunnel that went up or away meanwhile (from the tray, the command line) is
  // dropped, not kept to reappear later; after this render, not inside it (a set from a listener would
  // run every listener again in the middle of this one).
  const asked = asking && tunnels.get(asking.tunnel);
  if (asking && (!asked || isUp(asked.state)))
    queueMicrotask(() => {
      if (store.get().asking === asking) store.set({ asking: undefined });
    });
  // Rebuilding the rows takes the focus away (from a row's button, from an open question's field): note
  // where it was, to put it back, so that the keyboard does not lose its place at every tunnel event.
  const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const inQuestion = active && question?.form.contains(active) ? active : null;
  const onButton = !inQuestion && active?.closest('#tunnels') ? active.getAttribute('aria-label') : null;
  const selection =
    inQuestion instanceof HTMLInputElement ? [inQuestion.selectionStart, inQuestion.selectionEnd] : null;
  const list = [...tunnels.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('tunnels')
    .querySelector('tbody')!
    .replaceChildren(...list.map(tunnelRow));
  $('tunnels-empty').hidden = list.length > 0;
  if (inQuestion?.isConnected) {
    inQuestion.focus();
    if (selection && inQuestion instanceof HTMLInputElement)
      inQuestion.setSelectionRange(selection[0] ?? null, selection[1] ?? null);
  } else focusButton(onButton);
}

/** This session's connects, disconnects and errors, newest first. */
function renderLog(): void {
  $('session-log').replaceChildren(
    ...[...store.get().log]
      .reverse()
      .map((e) =>
        h(
          'li',
          { class: e.event === 'error' ? 'error' : '' },
          `${new Date(e.at * 1000).toLocaleTimeString()} ${e.tunnel} ${e.event}${e.message ? `: ${e.message}` : ''}`,
        ),
      ),
  );
}

export function mountTunnels(): void {
  store.subscribe(renderTunnels, ['tunnels', 'detailOf', 'asking']);
  store.subscribe(renderLog, ['log']);
}
