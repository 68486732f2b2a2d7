/**
 * Our planner against grid_client 2.9.2's own (`primitives/network.js Network`), driven on the same facts
 * with the same randomness (test/core/grid3/grid-client.ts answers its RMB, gridproxy and graphql lookups
 * from fixed data and feeds its port draws, key pairs and access-node choice from the same seeded streams
 * as ours). Compared exactly: every node's subnet, key, port and peers (subnets, keys, allowed IPs in
 * order, endpoints), the access points, the `user_accesses` metadata, and the laptop config except the
 * AllowedIPs line we change on purpose.
 */
import { describe, expect, it } from 'vitest';
import type { NetworkData, NetworkWorkload } from '../../../src/core/grid3/deployment.js';
import { syntheticNetworkInput } from '../../../src/core/grid3/network-plan-bench.js';
import { planNetwork, type NetworkPlan } from '../../../src/core/grid3/network-plan.js';
import { gridClientNetwork, type GcNetwork, type GcNetworkWorld } from './grid-client.js';
import { MIXED, candidatesOf, factsOf, sameRandomness, worldOf, type NodeSpec } from './network-fixtures.js';

const NAME = 'mynet';
const RANGE = '10.20.0.0/16';

/** grid_client's network resources as plain data, keyed by node. */
function theirNetworks(gc: GcNetwork): Record<number, NetworkData> {
  const out: Record<number, NetworkData> = {};
  for (const z of gc.networks) {
    const d: NetworkData = {
      ip_range: z.ip_range,
      subnet: z.subnet,
      wireguard_private_key: z.wireguard_private_key,
      wireguard_listen_port: z.wireguard_listen_port,
      peers: z.peers.map((p) => ({
        subnet: p.subnet,
        wireguard_public_key: p.wireguard_public_key,
        allowed_ips: [...p.allowed_ips],
        endpoint: p.endpoint,
      })),
    };
    if (z.mycelium) d.mycelium = { hex_key: z.mycelium.hex_key, peers: [...(z.mycelium.peers ?? [])] };
    out[z.node_id] = d;
  }
  return out;
}

/** The deployments grid_client would have sent for a plan (what `zos.deployment.get` later answers). */
function deploymentsOf(
  nodes: ReadonlyArray<{ nodeId: number; workload: NetworkWorkload }>,
  firstContract = 1000,
): NonNullable<GcNetworkWorld['deployments']> {
  return nodes.map((n, i) => ({
    contractId: firstContract + i,
    nodeId: n.nodeId,
    deployment: {
      version: 0,
      twin_id: 7,
      contract_id: firstContract + i,
      metadata: JSON.stringify({ version: 3, type: 'network', name: NAME, projectName: '' }),
      description: '',
      expiration: 0,
      signature_requirement: {
        requests: [{ twin_id: 7, required: false, weight: 1 }],
        weight_required: 1,
        signatures: [],
      },
      workloads: [{ ...n.workload, result: { created: 1, state: 'ok', message: '', data: null } }],
    },
  }));
}

/** grid_client's workloads after a plan: its network resources with its metadata for each node. */
function theirWorkloads(gc: GcNetwork, previous: Record<number, string> = {}) {
  const nets = theirNetworks(gc);
  return Object.fromEntries(
    Object.entries(nets).map(([id, data]) => [
      id,
      { data, metadata: gc.getUpdatedMetadata(Number(id), previous[Number(id)] ?? '') },
    ]),
  );
}

function ourWorkloads(plan: NetworkPlan) {
  return Object.fromEntries(
    plan.nodes.map((n) => [n.nodeId, { data: n.workload.data, metadata: n.workload.metadata }]),
  );
}

/** grid_client planning a new network: addNode for each node in order, then addAccess for each access. */
async function gcFresh(specs: NodeSpec[], accesses: number[], seed: number) {
  const gc = gridClientNetwork(NAME, RANGE, worldOf(specs), sameRandomness(seed).theirs);
  for (const s of specs) await gc.addNode(s.id, false);
  const configs: string[] = [];
  for (const a of accesses) configs.push(await gc.addAccess(a, true));
  return { gc, configs };
}

function ourFresh(specs: NodeSpec[], accesses: number[], seed: number) {
  return planNetwork({
    name: NAME,
    ipRange: RANGE,
    nodes: factsOf(specs),
    accessNodeCandidates: candidatesOf(specs),
    addAccesses: accesses.map((nodeId) => ({ nodeId, storePrivateKey: true })),
    random: sameRandomness(seed).ours,
  });
}

const withoutAllowedIps = (config: string) =>
  config
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('AllowedIPs'));

describe('a new network, planned by ours and by grid_client', () => {
  it('gives the same subnets, keys, ports, peers, allowed IPs, endpoints and metadata (mixed public, IPv6-only, interface-public and hidden nodes, one access)', async () => {
    const ours = ourFresh(MIXED, [11], 1);
    const { gc, configs } = await gcFresh(MIXED, [11], 1);
    expect(ourWorkloads(ours)).toEqual(theirWorkloads(gc));
    // Sanity: the case is the one meant (two hidden nodes through node 11, mesh over both families).
    expect(ours.nodes.filter((n) => n.accessNodeId === 11).map((n) => n.nodeId)).toEqual([42, 63]);
    expect(gc.userAccesses).toEqual(ours.userAccesses);
    expect(withoutAllowedIps(ours.addedAccesses[0]!.config!)).toEqual(withoutAllowedIps(configs[0]!));
    expect(configs[0]).toContain(`AllowedIPs = ${RANGE}, 100.64.20.0/32`);
    expect(ours.addedAccesses[0]!.config).toContain(`AllowedIPs = ${RANGE}, 100.64.20.0/24`);
  });

  it('agrees with two accesses on two access nodes and ports that collide with used ones', async () => {
    // Seed 5 draws, for node 57, a first port that the node uses: both draw again.
    const probe = ourFresh(MIXED, [], 5).nodes.find((n) => n.nodeId === 57)!.workload.data
      .wireguard_listen_port;
    const specs = MIXED.map((s) => (s.id === 57 ? { ...s, used: [probe] } : s));
    const ours = ourFresh(specs, [11, 57], 5);
    const { gc } = await gcFresh(specs, [11, 57], 5);
    expect(ourWorkloads(ours)).toEqual(theirWorkloads(gc));
    expect(ours.nodes.find((n) => n.nodeId === 57)!.workload.data.wireguard_listen_port).not.toBe(probe);
  });

  it('agrees on an all-public network (full mesh, no access) and a one-node hidden network', async () => {
    const pub = MIXED.filter((s) => [11, 23, 31, 57].includes(s.id));
    expect(ourWorkloads(ourFresh(pub, [], 9))).toEqual(theirWorkloads((await gcFresh(pub, [], 9)).gc));
    const alone = MIXED.filter((s) => s.id === 63);
    expect(ourWorkloads(ourFresh(alone, [], 9))).toEqual(theirWorkloads((await gcFresh(alone, [], 9)).gc));
  });

  it("agrees on grid_client's endpoint quirks: an empty ipv4 hides the ipv6, a prefixless interface address counts", async () => {
    const specs: NodeSpec[] = [
      ...MIXED.filter((s) => [11, 42].includes(s.id)),
      // ipv4 "" with a public ipv6: grid_client takes the "ipv4 branch", finds "", and asks the interfaces.
      {
        id: 71,
        pub: { ipv4: '', ipv6: '2a02:1802:5e:0:71::1/64' },
        zos: ['10.0.0.7', '2a10:b600:1:0:71::9'],
      },
      // the same with no public interface address: hidden, although its ipv6 is public.
      { id: 72, pub: { ipv4: '', ipv6: '2a02:1802:5e:0:72::1/64' }, zos: ['10.0.0.8'] },
    ];
    const ours = ourFresh(specs, [11], 21);
    expect(ourWorkloads(ours)).toEqual(theirWorkloads((await gcFresh(specs, [11], 21)).gc));
    expect(ours.nodes.find((n) => n.nodeId === 71)!.endpointAddress).toBe('2a10:b600:1:0:71::9');
    expect(ours.nodes.find((n) => n.nodeId === 72)!.accessNodeId).toBe(11);
  });

  it('agrees on mycelium keys given for new nodes', async () => {
    const specs = MIXED.filter((s) => [11, 23].includes(s.id));
    const keys = { 11: 'ab'.repeat(32), 23: '0c'.repeat(32) } as Record<number, string>;
    const ours = planNetwork({
      name: NAME,
      ipRange: RANGE,
      nodes: factsOf(specs).map((f) => ({ ...f, myceliumHexKey: keys[f.nodeId]! })),
      accessNodeCandidates: candidatesOf(specs),
      random: sameRandomness(31).ours,
    });
    const gc = gridClientNetwork(NAME, RANGE, worldOf(specs), sameRandomness(31).theirs);
    for (const s of specs) await gc.addNode(s.id, true, '', '', [{ nodeId: s.id, seed: keys[s.id]! }]);
    expect(ourWorkloads(ours)).toEqual(theirWorkloads(gc));
    expect(ours.nodes[0]!.workload.data.mycelium).toEqual({ hex_key: keys[11], peers: [] });
  });

  it('agrees on the 40-node benchmark network (one in five hidden, three kinds of public, one access)', async () => {
    const input = syntheticNetworkInput(40);
    const r = sameRandomness(40);
    const ours = planNetwork({
      ...input,
      ipRange: RANGE,
      name: NAME,
      addAccesses: [{ nodeId: 1000, storePrivateKey: true }],
      random: r.ours,
    });
    const world: GcNetworkWorld = {
      publicConfig: Object.fromEntries(
        input.nodes.map((f) => [f.nodeId, (f.publicConfig ?? null) as { ipv4: string; ipv6: string } | null]),
      ),
      interfaces: Object.fromEntries(
        input.nodes.map((f) => [f.nodeId, (f.interfaces ?? {}) as Record<string, string[]>]),
      ),
      usedPorts: Object.fromEntries(input.nodes.map((f) => [f.nodeId, f.usedPorts as number[]])),
      accessNodes: Object.fromEntries(
        input.accessNodeCandidates.map((c) => [c.nodeId, { ipv4: c.ipv4, ipv6: c.ipv6 ?? '' }]),
      ),
    };
    const gc = gridClientNetwork(NAME, RANGE, world, r.theirs);
    for (const f of input.nodes) await gc.addNode(f.nodeId, false);
    await gc.addAccess(1000, true);
    const theirs = theirWorkloads(gc);
    expect(ourWorkloads(ours)).toEqual(theirs);
    // The comparison would see one allowed IP out of place.
    const tampered = structuredClone(ourWorkloads(ours));
    tampered[1004]!.data.peers[0]!.allowed_ips.reverse();
    expect(tampered).not.toEqual(theirs);
  });

  it('fails as grid_client does with hidden nodes and no access node', async () => {
    // The grid has an access node (99), but not in this network: it does not count.
    const outsider: NodeSpec = {
      id: 99,
      pub: { ipv4: '185.206.122.9/24', ipv6: '2a02:1802:5e:0:9::9/64' },
      access: true,
    };
    const members = MIXED.filter((s) => [23, 42].includes(s.id));
    const gc = gridClientNetwork(NAME, RANGE, worldOf([...members, outsider]), sameRandomness(3).theirs);
    let theirs = '';
    await gc.addNode(23, false);
    await gc.addNode(42, false).catch((e: Error) => (theirs = e.message));
    expect(theirs).toBe(
      "Couldn't add node 42 as it's a hidden node and there is no access node in this network mynet. " +
        'Please add addAccess = true in the network configuration.',
    );
    const ours = () =>
      planNetwork({
        name: NAME,
        ipRange: RANGE,
        nodes: factsOf(members),
        accessNodeCandidates: candidatesOf([outsider]),
        random: sameRandomness(3).ours,
      });
    expect(ours).toThrow(theirs);
  });
});

describe('extending an existing network', () => {
  it('joins a network grid_client planned: we add an access to its output and its other peers are what grid_client regenerates', async () => {
    // grid_client plans the network (one access), its output is what the nodes hold.
    const first = await gcFresh(MIXED, [11], 2);
    const planned = theirWorkloads(first.gc);
    const existing = MIXED.map((s) => ({
      nodeId: s.id,
      workload: {
        version: 0,
        name: NAME,
        type: 'network',
        data: planned[s.id]!.data,
        metadata: planned[s.id]!.metadata,
        description: '',
      } as NetworkWorkload,
    }));
    // Both add a second access on node 57, with the same key.
    const seedKeys = sameRandomness(77);
    const ours = planNetwork({
      name: NAME,
      ipRange: RANGE,
      nodes: factsOf(MIXED),
      accessNodeCandidates: candidatesOf(MIXED),
      existing,
      addAccesses: [{ nodeId: 57, storePrivateKey: true }],
      random: seedKeys.ours,
    });
    const world = {
      ...worldOf(MIXED),
      deployments: deploymentsOf(existing),
    };
    const gc = gridClientNetwork(NAME, RANGE, world, sameRandomness(77).theirs);
    await gc.loadNetworkFromContracts();
    await gc.addAccess(57, true);
    const previous = Object.fromEntries(existing.map((e) => [e.nodeId, e.workload.metadata]));
    expect(ourWorkloads(ours)).toEqual(theirWorkloads(gc, previous));
    // The first access is kept, on every node, and every node changes (metadata and routes).
    expect(ours.userAccesses.map((u) => u.subnet)).toEqual(['10.20.8.0/24', '10.20.9.0/24']);
    expect(ours.changedNodeIds).toEqual(MIXED.map((s) => s.id));
  });

  it('is re-planned by grid_client to the same peers: a network we made, loaded and regenerated by grid_client', async () => {
    const ours = ourFresh(MIXED, [11, 57], 4);
    const gc = gridClientNetwork(
      NAME,
      RANGE,
      { ...worldOf(MIXED), deployments: deploymentsOf(ours.nodes) },
      sameRandomness(4).theirs,
    );
    await gc.loadNetworkFromContracts();
    expect(gc.accessPoints.map((a) => [a.node_id, a.subnet])).toEqual(
      ours.addedAccesses.map((a) => [a.nodeId, a.subnet]),
    );
    expect(gc.userAccesses).toEqual(ours.userAccesses);
    await gc.generatePeers();
    const previous = Object.fromEntries(ours.nodes.map((n) => [n.nodeId, n.workload.metadata]));
    expect(theirWorkloads(gc, previous)).toEqual(ourWorkloads(ours));
  });

  it('after we remove an access, grid_client regenerates the same peers (it has no removal of its own)', async () => {
    const made = ourFresh(MIXED, [11, 57], 14);
    const ours = planNetwork({
      name: NAME,
      ipRange: RANGE,
      nodes: factsOf(MIXED),
      accessNodeCandidates: candidatesOf(MIXED),
      existing: made.nodes.map((n) => ({ nodeId: n.nodeId, workload: n.workload })),
      removeAccesses: [made.addedAccesses[0]!.subnet],
      random: sameRandomness(15).ours,
    });
    const gc = gridClientNetwork(
      NAME,
      RANGE,
      { ...worldOf(MIXED), deployments: deploymentsOf(ours.nodes) },
      sameRandomness(15).theirs,
    );
    await gc.loadNetworkFromContracts();
    expect(gc.accessPoints.map((a) => a.subnet)).toEqual([made.addedAccesses[1]!.subnet]);
    await gc.generatePeers();
    const previous = Object.fromEntries(ours.nodes.map((n) => [n.nodeId, n.workload.metadata]));
    expect(theirWorkloads(gc, previous)).toEqual(ourWorkloads(ours));
  });

  it('adds a node to a network we made exactly as grid_client adds it (its addNode after loading ours)', async () => {
    const base = MIXED.filter((s) => s.id !== 31);
    const ours0 = ourFresh(base, [11], 6);
    const existing = ours0.nodes.map((n) => ({ nodeId: n.nodeId, workload: n.workload }));
    const r = sameRandomness(8);
    const ours = planNetwork({
      name: NAME,
      ipRange: RANGE,
      nodes: factsOf(MIXED),
      accessNodeCandidates: candidatesOf(MIXED),
      existing,
      random: r.ours,
    });
    const gc = gridClientNetwork(
      NAME,
      RANGE,
      { ...worldOf(MIXED), deployments: deploymentsOf(ours0.nodes) },
      sameRandomness(8).theirs,
    );
    await gc.loadNetworkFromContracts();
    await gc.addNode(31, false);
    const previous = Object.fromEntries(existing.map((e) => [e.nodeId, e.workload.metadata]));
    expect(ourWorkloads(ours)).toEqual(theirWorkloads(gc, previous));
    expect(ours.nodes.find((n) => n.nodeId === 31)!.status).toBe('new');
  });

  it('keeps an entry without private_key through grid_client (it neither needs nor drops it)', async () => {
    const ours = planNetwork({
      name: NAME,
      ipRange: RANGE,
      nodes: factsOf(MIXED),
      accessNodeCandidates: candidatesOf(MIXED),
      addAccesses: [{ nodeId: 11 }],
      random: sameRandomness(12).ours,
    });
    expect(ours.userAccesses).toEqual([{ node_id: 11, subnet: '10.20.8.0/24' }]);
    const gc = gridClientNetwork(
      NAME,
      RANGE,
      { ...worldOf(MIXED), deployments: deploymentsOf(ours.nodes) },
      sameRandomness(13).theirs,
    );
    await gc.loadNetworkFromContracts();
    await gc.addAccess(57, true);
    expect(gc.userAccesses[0]).toEqual({ node_id: 11, subnet: '10.20.8.0/24' });
    expect(gc.userAccesses).toHaveLength(2);
  });
});
