/**
 * The ThreeFold Grid tab (Grid v3): who is logged in and what deploying still needs, my networks with
 * their nodes and accesses (this device's marked), and per network: connect this device, remove it,
 * import a dashboard-made access, delete. Each action's progress (which node, which contract) is logged
 * as it comes; questions are asked in the page.
 */
import type { GridNetworkView } from '../../contract/api.js';
import { $, api, call, isUp, loadTunnels } from '../context.js';
import { h } from '../dom.js';
import { store } from '../store.js';
import { askYesNo, focusQuestion } from './ask.js';

/** A line in the tab's progress log (the services' grid-progress events land here too). */
export function gridLog(text: string, cls = ''): void {
  const log = $('grid-progress');
  log.append(h('li', { class: cls }, text));
  while (log.children.length > 200) log.firstElementChild!.remove();
}

export async function loadGrid(): Promise<void> {
  const account = await call(api.gridAccount(undefined));
  $('grid-account').textContent = account
    ? `Logged in on ${account.network} as ${account.address}${account.twinId === null ? ' (no twin yet)' : `, twin ${account.twinId}`}.`
    : 'Not logged in to the grid: run `overlay-connect grid login --network main --mnemonic-file FILE` (or - for standard input).';
  $('grid-gates').replaceChildren(...(account?.gates ?? []).map((g) => h('li', { class: 'warning' }, g)));
  $('grid-create').hidden = !account;
  if (!account) return void $('grid-networks').replaceChildren();
  $('grid-networks').replaceChildren(h('p', { class: 'muted' }, 'Reading your networks from their nodes…'));
  const list = await call(api.gridNetworks(undefined));
  if (!list) return void $('grid-networks').replaceChildren();
  $('grid-networks').replaceChildren(
    ...list.warnings.map((w) => h('p', { class: 'warning' }, w)),
    ...(list.networks.length
      ? list.networks.map(networkCard)
      : [h('p', { class: 'muted' }, 'No networks on the grid yet: create one below.')]),
  );
}

async function act(label: string, run: () => Promise<unknown>): Promise<void> {
  const buttons = document.querySelectorAll<HTMLButtonElement>('#tab-grid button');
  for (const b of buttons) b.disabled = true;
  gridLog(`${label}…`);
  try {
    const r = await call(run() as Promise<never>);
    gridLog(
      r === undefined ? `${label}: failed (see the error above)` : `${label}: done`,
      r === undefined ? 'error' : 'ok',
    );
  } finally {
    for (const b of buttons) b.disabled = false;
  }
  await loadTunnels();
  await loadGrid();
}

function networkCard(n: GridNetworkView): HTMLElement {
  const mine = n.accesses.find((a) => a.mine);
  const card = h(
    'section',
    { class: 'card', 'data-grid-network': n.name, 'aria-label': `Network ${n.name}` },
    h('h3', {}, `${n.name} · ${n.ipRange}`),
    ...n.warnings.map((w) => h('p', { class: 'warning' }, w)),
    h(
      'table',
      {},
      h('caption', {}, 'Nodes'),
      h(
        'thead',
        {},
        h('tr', {}, ...['Node', 'Subnet', 'Contract', 'Endpoint', 'State'].map((t) => h('th', {}, t))),
      ),
      h(
        'tbody',
        {},
        ...n.nodes.map((node) =>
          h(
            'tr',
            { 'data-node': node.nodeId },
            h('td', {}, String(node.nodeId)),
            h('td', { class: 'mono' }, node.subnet),
            h('td', {}, String(node.contractId)),
            h('td', { class: 'mono' }, node.endpoint ?? 'hidden (through an access node)'),
            h('td', {}, node.state),
          ),
        ),
      ),
    ),
    h(
      'table',
      {},
      h('caption', {}, 'Accesses'),
      h(
        'thead',
        {},
        h('tr', {}, ...['Through node', 'Subnet', 'Device', 'Tunnel'].map((t) => h('th', {}, t))),
      ),
      h(
        'tbody',
        {},
        ...n.accesses.map((a) =>
          h(
            'tr',
            { 'data-access-subnet': a.subnet },
            h('td', {}, String(a.nodeId)),
            h('td', { class: 'mono' }, a.subnet),
            h('td', {}, a.mine ? 'this device' : 'another device'),
            h('td', {}, a.tunnel ? tunnelToggle(a.tunnel) : '—'),
          ),
        ),
      ),
    ),
  );
  const actions = h('div', { class: 'row' });
  if (!mine)
    actions.append(
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: () =>
            void act(`Connecting this device to ${n.name}`, () => api.gridConnect({ name: n.name })),
        },
        'Connect this device',
      ),
    );
  // An access whose key the dashboard wrote into the contract can be this device's without a new one.
  if (!mine && n.accesses.some((a) => a.importable))
    actions.append(
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            void act(`Importing the dashboard's access to ${n.name}`, () => api.gridImport({ name: n.name })),
        },
        'Import dashboard access',
      ),
    );
  if (mine)
    actions.append(
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            confirm(
              card,
              `Remove this device's access to ${n.name}? Its tunnel is removed too.`,
              'Remove this device',
              () => act(`Removing this device from ${n.name}`, () => api.gridDisconnect({ name: n.name })),
            ),
        },
        'Remove this device',
      ),
    );
  actions.append(
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: () =>
          confirm(
            card,
            `Delete ${n.name}? Its ${n.nodes.length} contract(s) are cancelled on the chain.`,
            'Delete network',
            () => act(`Deleting ${n.name}`, () => api.gridDelete({ name: n.name })),
          ),
      },
      'Delete network',
    ),
  );
  card.append(actions, h('div', { class: 'question' }));
  return card;
}

function tunnelToggle(name: string): HTMLElement {
  const t = store.get().tunnels.get(name);
  const up = !!t && isUp(t.state);
  return h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        await call(up ? api.disconnect({ name }) : api.connect({ name }));
        await loadTunnels();
        await loadGrid();
      },
    },
    // Its name is its text (as WCAG's label-in-name asks): the same words as the Tunnels tab's button.
    `${up ? 'Disconnect' : 'Connect'} ${name}`,
  );
}

function confirm(card: HTMLElement, question: string, yes: string, onYes: () => Promise<void>): void {
  const slot = card.querySelector('.question')!;
  slot.replaceChildren(
    askYesNo({
      question,
      yes,
      no: 'Cancel',
      onYes: () => {
        slot.replaceChildren();
        void onYes();
      },
      onNo: () => slot.replaceChildren(),
    }),
  );
  focusQuestion(slot.firstElementChild);
}
