/** A new Grid v3 network: name, private /16, nodes found on gridproxy (filters), the access node, create. */
import { $, api, call } from '../context.js';
import { h } from '../dom.js';
import { gridLog, loadGrid } from './grid.js';

const input = (id: string) => $<HTMLInputElement>(id);

async function findNodes(): Promise<void> {
  const farm = input('grid-find-farm').value.trim();
  const found = await call(
    api.gridNodes({
      farm: farm ? Number(farm) : undefined,
      ipv4: input('grid-find-ipv4').checked || undefined,
      ipv6: input('grid-find-ipv6').checked || undefined,
    }),
  );
  if (!found) return;
  $('grid-found')
    .querySelector('tbody')!
    .replaceChildren(
      ...found.map((n) =>
        h(
          'tr',
          { 'data-node': n.nodeId },
          h(
            'td',
            {},
            h('input', {
              type: 'checkbox',
              class: 'pick',
              value: n.nodeId,
              'aria-label': `Add node ${n.nodeId}`,
            }),
          ),
          h('td', {}, String(n.nodeId)),
          h('td', {}, String(n.farmId)),
          h('td', {}, n.status),
          h('td', { class: 'mono' }, [n.ipv4, n.ipv6].filter(Boolean).join(' ') || 'hidden'),
          h(
            'td',
            {},
            // The laptop's endpoint is the access node's public IPv4 (as grid_client requires).
            n.ipv4
              ? h('input', {
                  type: 'radio',
                  name: 'grid-entry',
                  class: 'entry',
                  value: n.nodeId,
                  'aria-label': `Access through node ${n.nodeId}`,
                })
              : '',
          ),
        ),
      ),
    );
  if (!found.length) gridLog('No node matches these filters', 'warning');
}

async function create(): Promise<void> {
  const name = input('grid-create-name').value.trim();
  const ipRange = input('grid-create-range').value.trim();
  const nodes = [...document.querySelectorAll<HTMLInputElement>('#grid-found .pick:checked')].map((i) =>
    Number(i.value),
  );
  const access = Number(document.querySelector<HTMLInputElement>('#grid-found .entry:checked')?.value);
  if (!nodes.length) return gridLog('Choose at least one node', 'error');
  if (!access) return gridLog('Choose the access node (one with public IPv4)', 'error');
  if (!nodes.includes(access)) nodes.push(access);
  gridLog(`Creating ${name} on nodes ${nodes.join(', ')}…`);
  // A create takes a while (a batch on the chain, then every node): a second click must not start another.
  const go = $<HTMLButtonElement>('grid-create-go');
  go.disabled = true;
  const r = await call(api.gridCreate({ name, ipRange, nodes, access })).finally(() => (go.disabled = false));
  if (r) gridLog(`${name} created; this device's access is the tunnel ${r.tunnel}`, 'ok');
  else gridLog(`${name}: not created (see the error above)`, 'error');
  await loadGrid();
}

export function mountGridCreate(): void {
  $('grid-find').addEventListener('click', () => void findNodes());
  $('grid-create').addEventListener('submit', (e) => {
    e.preventDefault();
    void create();
  });
}
