/** The New network tab: find nodes, pick them and an entrypoint, then create, register and wait. */
import { $, api, call, loadTunnels } from '../context.js';
import { h } from '../dom.js';

const input = (id: string) => $<HTMLInputElement>(id);

async function findNodes(): Promise<void> {
  const farm = input('find-farm').value.trim();
  const found = await call(
    api.searchNodes({
      farm: farm ? Number(farm) : undefined,
      ipv4: input('find-ipv4').checked || undefined,
      ipv6: input('find-ipv6').checked || undefined,
      up: input('find-up').checked || undefined,
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
}

async function create(): Promise<void> {
  const progress = $('create-progress');
  const step = (text: string, cls = '') => progress.append(h('li', { class: cls }, text));
  progress.replaceChildren();
  const name = input('create-name').value.trim();
  const picks = [...document.querySelectorAll<HTMLInputElement>('#found .pick:checked')].map((i) => i.value);
  const entry = document.querySelector<HTMLInputElement>('#found .entry:checked')?.value;
  if (!picks.length) return step('Choose at least one node', 'error');
  if (!(await call(api.createNetwork({ name, subnet: input('create-subnet').value.trim() }))))
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
    api.registerNetwork({ network: name, days: Number(input('create-days').value) || 365 }),
  );
  if (!reg) return step('Registration failed', 'error');
  step(`Registered: reservation ${reg.reservation!.id}. Waiting for the nodes…`);
  // The nodes pick up their workloads on their own schedule: poll for up to 2 minutes.
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
}

export function mountCreateNetwork(): void {
  $('find').addEventListener('click', () => void findNodes());
  $('create').addEventListener('submit', (e) => {
    e.preventDefault();
    void create();
  });
}
