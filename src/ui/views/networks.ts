/** The Networks tab: the list, and one network's nodes, accesses, provisioning and diagram. */
import type { NetworkView } from '../../contract/api.js';
import { $, api, call, isUp, loadTunnels } from '../context.js';
import { h } from '../dom.js';
import { store } from '../store.js';
import { topologyDiagram } from '../topology-diagram.js';

export async function loadNetworks(): Promise<void> {
  const list = await call(api.listNetworks(undefined));
  if (!list) return;
  const { currentNetwork } = store.get();
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
  store.set({ currentNetwork: name });
  const net = await call(api.getNetwork({ name }));
  if (!net) return;
  $('network-detail').replaceChildren(networkDetail(net));
  void loadNetworks();
  if (net.reservation) void refreshProvisioning(net);
}

function accessRow(net: NetworkView, a: NetworkView['accesses'][number]): HTMLTableRowElement {
  const t = store.get().tunnels.get(a.tunnel);
  const up = t && isUp(t.state);
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
                $('network-note').textContent = `Saved to ${r.path} (it holds the private key; keep it safe)`;
            },
          },
          'Export config',
        ),
      ),
    ),
  );
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
      ? h('table', { id: 'network-accesses' }, h('tbody', {}, ...net.accesses.map((a) => accessRow(net, a))))
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
