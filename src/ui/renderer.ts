/** The window: renders the state it is given and sends intents through the contract, nothing else. */
import type {
  ConfigCheckView,
  KeyStoreView,
  NetworkView,
  OverlayApi,
  Result,
  TunnelView,
} from '../contract/api.js';
import { ARCHIVE_MAX_BYTES, ARCHIVE_TOO_LARGE, CONFIG_MAX_CHARS } from '../contract/limits.js';
import { age, bytes, h } from './dom.js';
import { topologyDiagram } from './topology-diagram.js';
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
const api: OverlayApi = window.overlay ?? httpTransport(webToken());
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const tunnels = new Map<string, TunnelView>();
let currentNetwork: string | undefined;

function showError(message?: string): void {
  $('error').hidden = !message;
  $('error').textContent = message ?? '';
}

async function call<T>(p: Promise<Result<T>>): Promise<T | undefined> {
  const r = await p;
  if (!r.ok) {
    showError(r.error);
    return undefined;
  }
  showError();
  return r.value;
}

// --- tabs -------------------------------------------------------------------------------------------
for (const b of document.querySelectorAll<HTMLButtonElement>('nav [data-tab]')) {
  b.addEventListener('click', () => {
    for (const o of document.querySelectorAll<HTMLButtonElement>('nav [data-tab]')) {
      o.setAttribute('aria-pressed', String(o === b));
      $(`tab-${o.dataset.tab}`).hidden = o !== b;
    }
    if (b.dataset.tab === 'networks') void loadNetworks();
    if (b.dataset.tab === 'keys') void loadKeys();
  });
}

// --- tunnels ----------------------------------------------------------------------------------------
function tunnelRow(t: TunnelView): HTMLTableRowElement {
  const busy = t.state === 'connecting' && /Bringing|Taking/.test(t.detail ?? '');
  const up = t.state === 'up' || (t.state === 'connecting' && !busy);
  const action = h(
    'button',
    {
      type: 'button',
      class: up ? '' : 'primary',
      disabled: busy,
      'aria-label': `${up ? 'Disconnect' : 'Connect'} ${t.name}`,
      onclick: async () => {
        await call(up ? api.disconnect({ name: t.name }) : api.connect({ name: t.name }));
        await loadTunnels();
      },
    },
    up ? 'Disconnect' : 'Connect',
  );
  const exportBtn = h(
    'button',
    {
      type: 'button',
      'aria-label': `Export ${t.name}`,
      onclick: async () => {
        const r = await call(api.exportConfig({ name: t.name }));
        if (r) showNote(`Saved ${t.name} to ${r.path} (it holds the private key; keep it safe)`);
      },
    },
    'Export',
  );
  const renameBtn = h(
    'button',
    {
      type: 'button',
      disabled: t.state !== 'down' && t.state !== 'error',
      'aria-label': `Rename ${t.name}`,
      onclick: async () => {
        const newName = prompt(`New name for "${t.name}"`, t.name)?.trim();
        if (!newName || newName === t.name) return;
        if ((await call(api.renameTunnel({ name: t.name, newName }))) === undefined) return;
        await loadTunnels();
      },
    },
    'Rename',
  );
  const detailBtn = h(
    'button',
    {
      type: 'button',
      'aria-label': `Details of ${t.name}`,
      'aria-expanded': String(detailOf === t.name),
      onclick: () => void openDetail(detailOf === t.name ? undefined : t.name),
    },
    'Details',
  );
  // Remove asks first and is offered only while the tunnel is down (the services refuse it otherwise too).
  const removeBtn = h(
    'button',
    {
      type: 'button',
      disabled: t.state !== 'down' && t.state !== 'error',
      'aria-label': `Remove ${t.name}`,
      onclick: async () => {
        if (!confirm(`Remove "${t.name}" and its private key from this computer? This cannot be undone.`))
          return;
        if ((await call(api.removeTunnel({ name: t.name }))) === undefined) return;
        tunnels.delete(t.name);
        renderTunnels();
        showNote(`Removed ${t.name}`);
      },
    },
    'Remove',
  );
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
    h('td', {}, h('div', { class: 'row' }, action, detailBtn, exportBtn, renameBtn, removeBtn)),
  );
}

function renderTunnels(): void {
  const list = [...tunnels.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('tunnels')
    .querySelector('tbody')!
    .replaceChildren(...list.map(tunnelRow));
  $('tunnels-empty').hidden = list.length > 0;
  renderDetail();
}

// --- one tunnel: its peers live, and its config in an editor -------------------------------------------
let detailOf: string | undefined;

async function openDetail(name: string | undefined): Promise<void> {
  detailOf = name;
  $('editor-result').replaceChildren();
  if (name) {
    const r = await call(api.editableConfig({ name }));
    if (!r) return;
    $<HTMLTextAreaElement>('editor-text').value = r.text;
  }
  renderTunnels();
  if (name) $('tunnel-detail').scrollIntoView({ block: 'nearest' });
}

/** Re-rendered with every state change; the editor's text is left alone. */
function renderDetail(): void {
  const t = detailOf ? tunnels.get(detailOf) : undefined;
  $('tunnel-detail').hidden = !t;
  if (!t) return;
  $('detail-title').textContent = `${t.name} (${t.interface})`;
  $('detail-key').textContent = t.publicKey;
  $('detail-addresses').textContent = t.addresses.join(', ') || '–';
  const up = t.state !== 'down' && t.state !== 'error';
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

function showIssues(list: HTMLElement, v: ConfigCheckView, okText: string): void {
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

async function checkEdit(): Promise<boolean> {
  if (!detailOf) return false;
  const text = $<HTMLTextAreaElement>('editor-text').value;
  const v = await call(api.checkEdit({ name: detailOf, text }));
  if (!v) return false;
  showIssues($('editor-result'), v, 'wg-quick would accept this config');
  return v.valid;
}

$('editor-check').addEventListener('click', () => void checkEdit());
$('editor').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!detailOf || !(await checkEdit())) return;
  const name = detailOf;
  const r = await call(api.saveConfig({ name, text: $<HTMLTextAreaElement>('editor-text').value }));
  if (!r) return;
  const fresh = await call(api.editableConfig({ name }));
  if (fresh) $<HTMLTextAreaElement>('editor-text').value = fresh.text;
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
});
$('editor-close').addEventListener('click', () => void openDetail(undefined));

async function loadTunnels(): Promise<void> {
  const list = await call(api.listTunnels(undefined));
  if (!list) return;
  tunnels.clear();
  for (const t of list) tunnels.set(t.name, t);
  renderTunnels();
  await loadLog();
}

/** This session's connects, disconnects and errors, newest first. */
async function loadLog(): Promise<void> {
  const log = await call(api.sessionLog(undefined));
  if (!log) return;
  $('session-log').replaceChildren(
    ...[...log]
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

function showNote(text: string): void {
  $('import-result').replaceChildren(h('li', { class: 'ok' }, text));
}

// --- import -----------------------------------------------------------------------------------------
$<HTMLInputElement>('import-file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) await takeFile(file);
});
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', async (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files[0];
  if (file) await takeFile(file);
});

async function takeFile(file: File): Promise<void> {
  if (/\.zip$/i.test(file.name)) {
    if (file.size > ARCHIVE_MAX_BYTES) return showError(`${file.name}: ${ARCHIVE_TOO_LARGE}`);
    const b64 = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
      r.readAsDataURL(file);
    });
    const results = await call(api.importArchive({ zipBase64: b64 }));
    if (results)
      $('import-result').replaceChildren(
        ...results.map((x) =>
          h('li', { class: x.ok ? 'ok' : 'error' }, x.ok ? `Imported “${x.name}”` : `${x.name}: ${x.error}`),
        ),
      );
    return loadTunnels();
  }
  if (file.size > CONFIG_MAX_CHARS) return showError(`${file.name} is too large to be a WireGuard config`);
  $<HTMLTextAreaElement>('import-text').value = await file.text();
  if (!$<HTMLInputElement>('import-name').value)
    $<HTMLInputElement>('import-name').value = file.name.replace(/\.conf$/i, '');
  await checkImport();
}

async function checkImport(): Promise<boolean> {
  const v = await call(api.checkConfig({ text: $<HTMLTextAreaElement>('import-text').value }));
  if (!v) return false;
  const list = $('import-result');
  showIssues(list, v, 'wg-quick would accept this config');
  list.append(
    ...v.scripts.map((s) =>
      h(
        'li',
        { class: 'warning script-hook' },
        `Line ${s.line}: ${s.key} runs “${s.command}” as root. It will not run unless you allow scripts for this tunnel.`,
      ),
    ),
  );
  return v.valid;
}

$('import-check').addEventListener('click', () => void checkImport());
$('import').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!(await checkImport())) return;
  const r = await call(
    api.importConfig({
      name: $<HTMLInputElement>('import-name').value,
      text: $<HTMLTextAreaElement>('import-text').value,
    }),
  );
  if (!r) return;
  showNote(`Imported “${r.tunnel.name}” (interface ${r.tunnel.interface})`);
  $<HTMLTextAreaElement>('import-text').value = '';
  await loadTunnels();
});

// --- networks ---------------------------------------------------------------------------------------
async function loadNetworks(): Promise<void> {
  const list = await call(api.listNetworks(undefined));
  if (!list) return;
  $('networks').replaceChildren(
    ...list.map((n) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            'aria-current': String(n.name === currentNetwork),
            onclick: () => void openNetwork(n.name),
          },
          `${n.name} · ${n.ipRange} · ${n.nodes} nodes`,
        ),
      ),
    ),
  );
  if (!list.length)
    $('networks').replaceChildren(
      h('li', { class: 'muted' }, 'No networks yet: create one under “New network”.'),
    );
}

export async function openNetwork(name: string): Promise<void> {
  currentNetwork = name;
  const net = await call(api.getNetwork({ name }));
  if (!net) return;
  $('network-detail').replaceChildren(networkDetail(net));
  void loadNetworks();
  if (net.reservation) void refreshProvisioning(net);
}

function networkDetail(net: NetworkView): HTMLElement {
  const nodeRows = net.nodes.map((n) =>
    h(
      'tr',
      { 'data-node': n.nodeId },
      h('td', { class: 'mono' }, n.nodeId.slice(0, 12) + '…'),
      h('td', { class: 'mono' }, n.subnet),
      h('td', {}, n.endpointKind + (n.nodeId === net.relay ? ' (relay)' : '')),
      h('td', { class: 'mono' }, String(n.port)),
      h('td', { class: 'result' }, net.reservation ? '…' : 'not registered'),
    ),
  );
  const accessRows = net.accesses.map((a) => {
    const t = tunnels.get(a.tunnel);
    const up = t && t.state !== 'down' && t.state !== 'error';
    return h(
      'tr',
      { 'data-access': a.tunnel },
      h('td', {}, a.tunnel),
      h('td', { class: 'mono' }, `${a.subnet} (${a.wgAddress})`),
      h('td', { class: 'mono' }, `${a.nodeId.slice(0, 12)}… over IPv${a.family}`),
      h(
        'td',
        {},
        h(
          'div',
          { class: 'row' },
          h(
            'button',
            {
              type: 'button',
              class: up ? '' : 'primary',
              onclick: async () => {
                await call(up ? api.disconnect({ name: a.tunnel }) : api.connect({ name: a.tunnel }));
                await loadTunnels();
                await openNetwork(net.name);
              },
            },
            up ? 'Disconnect' : 'Connect',
          ),
          h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                const r = await call(api.exportConfig({ name: a.tunnel }));
                if (r)
                  document.getElementById('network-note')!.textContent =
                    `Saved to ${r.path} (it holds the private key; keep it safe)`;
              },
            },
            'Export config',
          ),
        ),
      ),
    );
  });
  return h(
    'div',
    {},
    h('h3', {}, `${net.name} · ${net.ipRange}`),
    h(
      'p',
      { class: 'muted', id: 'reservation' },
      net.reservation
        ? `Reservation ${net.reservation.id}, expires ${new Date(net.reservation.expiration * 1000).toLocaleDateString()}${net.changedSinceRegistration ? ' — changed since: register again' : ''}`
        : 'Not registered yet',
    ),
    net.problem ? h('p', { class: 'error' }, net.problem) : null,
    h('p', { id: 'network-note', class: 'ok', 'aria-live': 'polite' }),
    h(
      'table',
      { id: 'network-nodes' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Node'),
          h('th', {}, 'Subnet'),
          h('th', {}, 'Reached as'),
          h('th', {}, 'Port'),
          h('th', {}, 'Provisioning'),
        ),
      ),
      h('tbody', {}, ...nodeRows),
    ),
    h('h4', {}, 'Accesses'),
    net.accesses.length
      ? h('table', { id: 'network-accesses' }, h('tbody', {}, ...accessRows))
      : h('p', { class: 'muted' }, 'No access yet'),
    h('h4', {}, 'Topology'),
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'ok' }, '● public'),
      h('span', {}, '● IPv6 only'),
      h('span', { class: 'muted' }, '● hidden'),
      h('span', { class: 'warning' }, '- - relay'),
      h('span', {}, '▭ laptop'),
    ),
    topologyDiagram(net),
  );
}

async function refreshProvisioning(net: NetworkView): Promise<void> {
  const st = await api.networkStatus({ name: net.name });
  if (!st.ok) return;
  for (const n of st.value.nodes) {
    const cell = document.querySelector(`#network-nodes tr[data-node="${CSS.escape(n.nodeId)}"] .result`);
    if (cell) {
      cell.textContent = n.state + (n.message ? `: ${n.message}` : '');
      cell.className = `result ${n.state === 'ok' ? 'ok' : n.state === 'error' ? 'error' : 'muted'}`;
    }
  }
}

// --- create a network -------------------------------------------------------------------------------
$('find').addEventListener('click', async () => {
  const farm = $<HTMLInputElement>('find-farm').value.trim();
  const found = await call(
    api.searchNodes({
      farm: farm ? Number(farm) : undefined,
      ipv4: $<HTMLInputElement>('find-ipv4').checked || undefined,
      ipv6: $<HTMLInputElement>('find-ipv6').checked || undefined,
      up: $<HTMLInputElement>('find-up').checked || undefined,
    }),
  );
  if (!found) return;
  $('found')
    .querySelector('tbody')!
    .replaceChildren(
      ...found.map((n) =>
        h(
          'tr',
          { 'data-node': n.node_id },
          h(
            'td',
            {},
            h('input', {
              type: 'checkbox',
              class: 'pick',
              value: n.node_id,
              'aria-label': `Add ${n.node_id}`,
              checked: true,
            }),
          ),
          h('td', { class: 'mono' }, n.node_id),
          h('td', {}, String(n.farm_id)),
          h('td', {}, `${n.endpoint_kind} ${[n.ipv4, n.ipv6].filter(Boolean).join(' ')}`),
          h(
            'td',
            {},
            n.endpoint_kind === 'hidden'
              ? ''
              : h('input', {
                  type: 'radio',
                  name: 'entry',
                  class: 'entry',
                  value: n.node_id,
                  'aria-label': `Access through ${n.node_id}`,
                }),
          ),
        ),
      ),
    );
});

$('create').addEventListener('submit', async (e) => {
  e.preventDefault();
  const progress = $('create-progress');
  const step = (text: string, cls = '') => progress.append(h('li', { class: cls }, text));
  progress.replaceChildren();
  const name = $<HTMLInputElement>('create-name').value.trim();
  const picks = [...document.querySelectorAll<HTMLInputElement>('#found .pick:checked')].map((i) => i.value);
  const entry = document.querySelector<HTMLInputElement>('#found .entry:checked')?.value;
  if (!picks.length) return step('Choose at least one node', 'error');
  if (!(await call(api.createNetwork({ name, subnet: $<HTMLInputElement>('create-subnet').value.trim() }))))
    return step('Could not create the network', 'error');
  step(`Network ${name} created`);
  for (const nodeId of picks) {
    if (!(await call(api.addNode({ network: name, nodeId }))))
      return step(`Could not add ${nodeId}`, 'error');
    step(`Added ${nodeId.slice(0, 12)}…`);
  }
  if (entry) {
    const family = Number($<HTMLSelectElement>('create-family').value) as 4 | 6;
    if (!(await call(api.addAccess({ network: name, nodeId: entry, family }))))
      return step('Could not add the access', 'error');
    step(`Access through ${entry.slice(0, 12)}… over IPv${family}: tunnel “${name}”`);
  }
  const reg = await call(
    api.registerNetwork({ network: name, days: Number($<HTMLInputElement>('create-days').value) || 365 }),
  );
  if (!reg) return step('Registration failed', 'error');
  step(`Registered: reservation ${reg.reservation!.id}. Waiting for the nodes…`);
  for (let i = 0; i < 120; i++) {
    const st = await api.networkStatus({ name });
    if (st.ok) {
      const counts = st.value.nodes.reduce<Record<string, number>>(
        (m, n) => ((m[n.state] = (m[n.state] ?? 0) + 1), m),
        {},
      );
      const failed = st.value.nodes.find((n) => n.state === 'error');
      if (failed) return step(`Node ${failed.nodeId.slice(0, 12)}… failed: ${failed.message}`, 'error');
      if (counts.ok === st.value.nodes.length) {
        step(`All ${counts.ok} nodes report ok`, 'ok');
        await loadTunnels();
        return;
      }
      progress.lastElementChild!.textContent = `Registered: reservation ${reg.reservation!.id}. ${counts.ok ?? 0} of ${st.value.nodes.length} nodes ready…`;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  step('The nodes did not all answer within 2 minutes; see the network’s page', 'warning');
});

// --- the key store ----------------------------------------------------------------------------------
function showTab(tab: string): void {
  document.querySelector<HTMLButtonElement>(`nav [data-tab="${tab}"]`)!.click();
}

function renderKeys(k: KeyStoreView): void {
  $('keyring-warning').hidden = !k.warning;
  $('keyring-warning').textContent = k.warning ?? '';
  $('keys-problem').hidden = !k.problem;
  $('keys-problem').textContent = k.problem ?? '';
  $('keys-state').textContent = k.unlocked
    ? 'Unlocked.'
    : k.slots.length
      ? 'Locked: enter the passphrase of one of its slots.'
      : 'No key store yet: choose a passphrase to protect the keys.';
  $('key-slots')
    .querySelector('tbody')!
    .replaceChildren(
      ...k.slots.map((s) =>
        h(
          'tr',
          { 'data-slot': s.id },
          h('td', { class: 'mono' }, s.id),
          h('td', {}, s.label),
          h('td', { class: 'muted' }, s.createdAt ? new Date(s.createdAt).toLocaleString() : '–'),
          h(
            'td',
            {},
            k.passphraseHere && k.slots.length > 1
              ? h(
                  'button',
                  {
                    type: 'button',
                    'aria-label': `Remove slot ${s.id}`,
                    onclick: async () => {
                      if (
                        !confirm(
                          `Remove slot ${s.id} (${s.label})? The keys stay sealed; it just no longer opens them.`,
                        )
                      )
                        return;
                      const v = await call(api.removeKeySlot({ id: s.id }));
                      if (v) renderKeys(v);
                    },
                  },
                  'Remove',
                )
              : null,
          ),
        ),
      ),
    );
  $('unlock').hidden = !k.passphraseHere || k.unlocked;
  $('unlock-go').textContent = k.slots.length ? 'Unlock' : 'Set passphrase';
  $('add-slot').hidden = !k.passphraseHere || !k.unlocked;
  $('keys-cli').hidden = k.passphraseHere;
}

async function loadKeys(): Promise<KeyStoreView | undefined> {
  const k = await call(api.keyStore(undefined));
  if (k) renderKeys(k);
  return k;
}

$('unlock').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('unlock-passphrase');
  const k = await call(api.unlockStore({ passphrase: input.value }));
  input.value = ''; // never kept in the page longer than the call
  if (k) {
    renderKeys(k);
    await loadTunnels();
  }
});
$('add-slot').addEventListener('submit', async (e) => {
  e.preventDefault();
  const a = $<HTMLInputElement>('add-slot-passphrase');
  const b = $<HTMLInputElement>('add-slot-repeat');
  if (a.value !== b.value) return showError('The two passphrases differ');
  const k = await call(api.addPassphraseSlot({ passphrase: a.value }));
  a.value = b.value = '';
  if (k) renderKeys(k);
});

// --- live state -------------------------------------------------------------------------------------
api.onEvent((e) => {
  if (e.type === 'tunnel') {
    tunnels.set(e.tunnel.name, e.tunnel);
    renderTunnels();
    void loadLog();
  } else if (e.type === 'changed' && e.what === 'tunnels') void loadTunnels();
  else if (e.type === 'changed' && e.what === 'networks' && !$('tab-networks').hidden) void loadNetworks();
});
void loadTunnels();
// A store that waits for its passphrase (or has no safe keyring) is the first thing to show.
void loadKeys().then((k) => {
  if (k && k.passphraseHere && !k.unlocked) showTab('keys');
});
