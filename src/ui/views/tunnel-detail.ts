/** One tunnel: its peers live, and its config in an editor (checked, then saved through the contract). */
import { $, api, call, isUp, loadTunnels, showIssues } from '../context.js';
import { age, bytes, h } from '../dom.js';
import { store } from '../store.js';

const editorText = () => $<HTMLTextAreaElement>('editor-text');

/** Opens a tunnel's details (or closes them, given none), its editable config loaded into the editor. */
export async function openDetail(name: string | undefined): Promise<void> {
  $('editor-result').replaceChildren();
  if (name) {
    const r = await call(api.editableConfig({ name }));
    if (!r) return;
    editorText().value = r.text;
  }
  store.set({ detailOf: name });
  if (name) $('tunnel-detail').scrollIntoView({ block: 'nearest' });
}

/** Re-rendered with every state change; the editor's text is left alone. */
function renderDetail(): void {
  const { detailOf, tunnels } = store.get();
  const t = detailOf ? tunnels.get(detailOf) : undefined;
  $('tunnel-detail').hidden = !t;
  if (!t) return;
  $('detail-title').textContent = `${t.name} (${t.interface})`;
  $('detail-key').textContent = t.publicKey;
  $('detail-addresses').textContent = t.addresses.join(', ') || '–';
  const up = isUp(t.state);
  $('detail-peers')
    .querySelector('tbody')!
    .replaceChildren(
      ...t.peers.map((p) =>
        h(
          'tr',
          { 'data-peer': p.publicKey },
          h('td', { class: 'mono' }, p.publicKey),
          h('td', { class: 'mono' }, p.endpoint ?? '–'),
          h('td', { class: 'mono' }, p.allowedIPs.join(', ') || '–'),
          h('td', { class: 'handshake' }, up ? age(p.latestHandshake) : '–'),
          h(
            'td',
            { class: 'mono transfer' },
            up && p.rxBytes !== null ? `${bytes(p.rxBytes)} / ${bytes(p.txBytes)}` : '–',
          ),
        ),
      ),
    );
  $<HTMLButtonElement>('editor-save').disabled = up;
  $('editor-up').hidden = !up;
}

async function checkEdit(): Promise<boolean> {
  const name = store.get().detailOf;
  if (!name) return false;
  const v = await call(api.checkEdit({ name, text: editorText().value }));
  if (!v) return false;
  showIssues($('editor-result'), v, 'wg-quick would accept this config');
  return v.valid;
}

async function save(): Promise<void> {
  const name = store.get().detailOf;
  if (!name || !(await checkEdit())) return;
  const r = await call(api.saveConfig({ name, text: editorText().value }));
  if (!r) return;
  const fresh = await call(api.editableConfig({ name }));
  if (fresh) editorText().value = fresh.text;
  $('editor-result').replaceChildren(
    h('li', { class: 'ok' }, `Saved ${name}: it applies at the next connect`),
    ...(r.scriptsBlocked
      ? [
          h(
            'li',
            { class: 'warning' },
            'Its script hooks changed, so they are blocked again: allow them from the command line.',
          ),
        ]
      : []),
    ...r.warnings.map((w) => h('li', { class: 'warning' }, `Line ${w.line}: ${w.message}`)),
  );
  await loadTunnels();
}

export function mountTunnelDetail(): void {
  store.subscribe(renderDetail, ['tunnels', 'detailOf']);
  $('editor-check').addEventListener('click', () => void checkEdit());
  $('editor').addEventListener('submit', (e) => {
    e.preventDefault();
    void save();
  });
  $('editor-close').addEventListener('click', () => void openDetail(undefined));
}
