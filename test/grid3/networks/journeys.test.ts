/**
 * The Grid v3 network journeys end to end on a loopback grid (harness.ts): create, list, connect two
 * devices, disconnect one, import a dashboard-made access, delete — and the failures: a version race
 * retried, a silent node timed out by name with its contracts rolled back, malformed contracts and
 * deployments skipped with a message, a gridproxy twin that is not the chain's refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeHashHex } from '../../../src/core/grid3/challenge.js';
import { wgPublicKey } from '../../../src/core/grid3/wg-keys.js';
import {
  connectDevice,
  createNetwork,
  deleteNetwork,
  disconnectDevice,
  importAccess,
  JourneyFailedError,
  listNetworks,
  NodeTimeoutError,
  NodeTwinMismatchError,
  type ProgressEvent,
} from '../../../src/grid3/networks/index.js';
import { networkContractData } from '../../../src/grid3/networks/contract-data.js';
import { peerOf, startGrid, type Grid } from './harness.js';

// 11: public IPv4 + IPv6 (the access node); 12: IPv6 only; 13: hidden; 14: public, for failure tests.
const SPECS = [
  { id: 11, twinId: 1011, ipv4: '185.69.166.11/24', ipv6: '2a02:1802:5e:0:1::11/64' },
  // zos writes "" for a missing IPv4, which sends grid_client (and us) to the zos interface's addresses.
  { id: 12, twinId: 1012, ipv6: '2a02:1802:5e:0:1::12/64', zos: ['2a02:1802:5e:0:1::12'] },
  { id: 13, twinId: 1013, zos: ['192.168.1.13'] },
  { id: 14, twinId: 1014, ipv4: '185.69.166.14/24', ipv6: '2a02:1802:5e:0:1::14/64' },
];

let grid: Grid;
// Each device: the public keys it holds (what its sealed store would answer).
const deviceA = new Set<string>();
const deviceB = new Set<string>();
const mineA = (k: string) => deviceA.has(k);
const mineB = (k: string) => deviceB.has(k);

beforeAll(async () => {
  grid = await startGrid(SPECS);
});
afterAll(async () => {
  await grid?.close();
});

const nodeKeyOf = (nodeId: number, contractId: number) => {
  const d = grid.nodes.get(nodeId)!.deployments.get(contractId)!;
  const w = d.workloads.find((x) => x.type === 'network')!;
  return { publicKey: wgPublicKey((w.data as { wireguard_private_key: string }).wireguard_private_key), w };
};

describe('the network journeys', () => {
  let created: Awaited<ReturnType<typeof createNetwork>>;

  it('creates a network of three nodes with this device’s access, then lists it', async () => {
    const events: ProgressEvent[] = [];
    created = await createNetwork(grid.context({ events, isMine: mineA }), {
      name: 'net1',
      ipRange: '10.20.0.0/16',
      nodeIds: [11, 12, 13],
      accessNodeId: 11,
    });
    deviceA.add(created.access.publicKey);
    expect(created.contracts.map((c) => c.nodeId)).toEqual([11, 12, 13]);
    for (const c of created.contracts) {
      const onChain = await grid.readChain.contract(c.contractId);
      expect(onChain?.state).toBe('Created');
      expect(onChain?.deploymentData).toBe(networkContractData('net1'));
      expect(onChain?.deploymentData).toBe('{"version":3,"type":"network","name":"net1","projectName":""}');
    }
    // Progress named each node and contract on the long steps.
    for (const c of created.contracts) {
      expect(
        events.some((e) => e.step === 'send' && e.nodeId === c.nodeId && e.contractId === c.contractId),
      ).toBe(true);
      expect(events.some((e) => e.step === 'ready' && e.nodeId === c.nodeId)).toBe(true);
    }
    // The key stays here: user_accesses names the access without its private key.
    const meta = nodeKeyOf(11, created.contracts[0]!.contractId).w.metadata;
    expect(meta).not.toContain(created.access.privateKey);
    expect(JSON.parse(meta)).toEqual({
      version: 3,
      user_accesses: [{ node_id: 11, subnet: created.access.subnet }],
    });

    const { networks, warnings } = await listNetworks(grid.context({ isMine: mineA }));
    expect(warnings).toEqual([]);
    expect(networks).toHaveLength(1);
    const n = networks[0]!;
    expect(n.name).toBe('net1');
    expect(n.ipRange).toBe('10.20.0.0/16');
    expect(n.nodes.map((x) => [x.nodeId, x.subnet, x.state])).toEqual([
      [11, '10.20.2.0/24', 'ok'],
      [12, '10.20.3.0/24', 'ok'],
      [13, '10.20.4.0/24', 'ok'],
    ]);
    expect(n.nodes[0]!.endpoint).toMatch(/^185\.69\.166\.11:\d+$/);
    expect(n.nodes[1]!.endpoint).toMatch(/^\[2a02:1802:5e:0:1::12\]:\d+$/);
    expect(n.nodes[2]!.endpoint).toBeUndefined(); // hidden
    expect(n.accesses).toEqual([
      {
        nodeId: 11,
        subnet: '10.20.5.0/24',
        publicKey: created.access.publicKey,
        mine: true,
        importable: false,
      },
    ]);
  });

  it('asks every node at once: a listing takes about the slowest node’s time, not the sum', async () => {
    const slow = [11, 12, 13].map((id) => grid.nodes.get(id)!);
    for (const n of slow) n.getDelayMs = 600;
    try {
      const t0 = Date.now();
      const { networks } = await listNetworks(grid.context());
      const took = Date.now() - t0;
      expect(networks[0]!.nodes).toHaveLength(3);
      expect(took).toBeGreaterThanOrEqual(600);
      expect(took).toBeLessThan(1500); // one after the other would be 1800 ms
    } finally {
      for (const n of slow) n.getDelayMs = 0;
    }
  });

  let a: Awaited<ReturnType<typeof connectDevice>>;

  it('connects a device: a new access whose config’s peer is the access node', async () => {
    const events: ProgressEvent[] = [];
    a = await connectDevice(grid.context({ events }), 'net1');
    deviceA.add(a.publicKey);
    expect(a.nodeId).toBe(11);
    expect(a.subnet).toBe('10.20.6.0/24');
    const c11 = created.contracts[0]!.contractId;
    const node = nodeKeyOf(11, c11);
    const peer = peerOf(a.config);
    expect(peer.publicKey).toBe(node.publicKey);
    expect(peer.endpoint).toBe(
      `185.69.166.11:${(node.w.data as { wireguard_listen_port: number }).wireguard_listen_port}`,
    );
    expect(peer.address).toBe('100.64.20.6/32');
    expect(wgPublicKey(a.privateKey)).toBe(a.publicKey);
    // The access node lists it; every deployment moved to version 1 with its network workload at 1.
    expect(node.w.data).toMatchObject({
      peers: expect.arrayContaining([
        expect.objectContaining({ subnet: '10.20.6.0/24', endpoint: '', wireguard_public_key: a.publicKey }),
      ]),
    });
    for (const c of created.contracts) {
      const d = grid.nodes.get(c.nodeId)!.deployments.get(c.contractId)!;
      expect(d.version).toBe(1);
      expect(d.workloads[0]!.version).toBe(1);
      // The contract holds the hash of what the node runs.
      expect((await grid.readChain.contract(c.contractId))?.deploymentHash).toBe(challengeHashHex(d));
    }
    // One chain batch for all three updates.
    expect(events.filter((e) => e.step === 'chain')).toHaveLength(1);
    expect(a.updatedContracts.sort()).toEqual(created.contracts.map((c) => c.contractId).sort());
    expect(
      JSON.stringify(grid.nodes.get(12)!.deployments.get(created.contracts[1]!.contractId)),
    ).not.toContain(a.privateKey);
  });

  let b: Awaited<ReturnType<typeof connectDevice>>;

  it('a second device adds a second access and the first remains', async () => {
    b = await connectDevice(grid.context({ isMine: mineB }), 'net1');
    deviceB.add(b.publicKey);
    expect(b.subnet).toBe('10.20.7.0/24');
    expect(b.publicKey).not.toBe(a.publicKey);
    const listA = (await listNetworks(grid.context({ isMine: mineA }))).networks[0]!;
    expect(listA.accesses.map((x) => [x.subnet, x.mine])).toEqual([
      ['10.20.5.0/24', true],
      ['10.20.6.0/24', true],
      ['10.20.7.0/24', false],
    ]);
    const listB = (await listNetworks(grid.context({ isMine: mineB }))).networks[0]!;
    expect(listB.accesses.filter((x) => x.mine).map((x) => x.publicKey)).toEqual([b.publicKey]);
    // A's peer is still on the access node, with the same key.
    const peers = (
      nodeKeyOf(11, created.contracts[0]!.contractId).w.data as {
        peers: Array<{ wireguard_public_key: string }>;
      }
    ).peers;
    expect(peers.map((p) => p.wireguard_public_key)).toEqual(
      expect.arrayContaining([a.publicKey, b.publicKey]),
    );
  });

  it('disconnects one device and leaves the others', async () => {
    const r = await disconnectDevice(grid.context(), 'net1', a.publicKey);
    expect(r.subnet).toBe('10.20.6.0/24');
    const n = (await listNetworks(grid.context({ isMine: mineB }))).networks[0]!;
    expect(n.accesses.map((x) => [x.subnet, x.publicKey])).toEqual([
      ['10.20.5.0/24', created.access.publicKey],
      ['10.20.7.0/24', b.publicKey],
    ]);
    // Gone from user_accesses on every node too.
    for (const c of created.contracts) {
      const meta = nodeKeyOf(c.nodeId, c.contractId).w.metadata;
      expect(JSON.parse(meta).user_accesses.map((u: { subnet: string }) => u.subnet)).toEqual([
        '10.20.5.0/24',
        '10.20.7.0/24',
      ]);
    }
    await expect(disconnectDevice(grid.context(), 'net1', a.publicKey)).rejects.toThrow(
      /no access with this device's key/,
    );
  });

  it('re-reads and retries once when another client updates a deployment meanwhile', async () => {
    const events: ProgressEvent[] = [];
    const n12 = grid.nodes.get(12)!;
    let raced = false;
    // The dashboard's update lands on node 12 just before ours: the node is one version ahead.
    n12.beforeUpdate = (stored) => {
      if (raced) return;
      raced = true;
      stored.version += 1;
      for (const w of stored.workloads) w.version = stored.version;
    };
    try {
      const c = await connectDevice(grid.context({ events }), 'net1');
      expect(raced).toBe(true);
      expect(events.some((e) => e.step === 'retry' && /expecting deployment version/.test(e.message))).toBe(
        true,
      );
      const d12 = n12.deployments.get(created.contracts[1]!.contractId)!;
      expect(d12.version).toBe(5); // 3 after disconnect, 4 by "the dashboard", 5 ours
      expect(d12.workloads[0]!.version).toBe(5);
      // Only one access was added for this device despite the two attempts.
      const n = (await listNetworks(grid.context())).networks[0]!;
      expect(n.accesses.filter((x) => x.publicKey === c.publicKey)).toHaveLength(1);
      await disconnectDevice(grid.context(), 'net1', c.publicKey);
    } finally {
      n12.beforeUpdate = undefined;
    }
  });

  it('re-plans when a deployment read back before the write has changed, before writing anything', async () => {
    const events: ProgressEvent[] = [];
    const n13 = grid.nodes.get(13)!;
    let moved = false;
    n13.afterGet = (stored) => {
      if (moved) return;
      moved = true;
      stored.version += 1;
      for (const w of stored.workloads) w.version = stored.version;
    };
    try {
      const c = await connectDevice(grid.context({ events }), 'net1');
      expect(
        events.some(
          (e) => e.step === 'retry' && /node 13: the deployment changed since it was read/.test(e.message),
        ),
      ).toBe(true);
      // The stale plan wrote nothing: one chain batch in all.
      expect(events.filter((e) => e.step === 'chain')).toHaveLength(1);
      await disconnectDevice(grid.context(), 'net1', c.publicKey);
    } finally {
      n13.afterGet = undefined;
    }
  });

  it('a node that never reports ok: named, the rest said plainly, and the same access finished later', async () => {
    const n12 = grid.nodes.get(12)!;
    n12.pending = true;
    let failure: JourneyFailedError | undefined;
    try {
      failure = (await connectDevice(grid.context({ deployTimeoutMs: 300 }), 'net1').catch(
        (e: unknown) => e,
      )) as JourneyFailedError;
    } finally {
      n12.pending = false;
    }
    expect(failure).toBeInstanceOf(JourneyFailedError);
    expect(failure!.state).toBe('partial');
    expect(failure!.cause).toBeInstanceOf(NodeTimeoutError);
    expect(failure!.message).toMatch(
      new RegExp(`node 12 \\(contract ${created.contracts[1]!.contractId}\\) did not report ok`),
    );
    expect(failure!.message).toMatch(/run the same action again to finish it/);
    // The device's key rides along for the retry, but never in what is logged or serialised.
    const keys = failure!.deviceKeys!;
    expect(JSON.stringify(failure)).not.toContain(keys.privateKey);
    expect(String(failure)).not.toContain(keys.privateKey);
    // Node 12 ran v+1 in "init"; marking it ok is what a node that finally finishes does.
    for (const w of n12.deployments.get(created.contracts[1]!.contractId)!.workloads) w.result!.state = 'ok';
    const again = await connectDevice(grid.context(), 'net1', { keyPair: keys });
    expect(again.publicKey).toBe(keys.publicKey);
    const n = (await listNetworks(grid.context())).networks[0]!;
    expect(n.accesses.filter((x) => x.publicKey === keys.publicKey)).toHaveLength(1);
    await disconnectDevice(grid.context(), 'net1', keys.publicKey);
  });

  it('lists the rest when a node does not answer, naming it; a change then waits for it', async () => {
    const n13 = grid.nodes.get(13)!;
    n13.silent.add('zos.deployment.get');
    try {
      const ctx = grid.context({ rmbTimeoutMs: 300 });
      const { networks } = await listNetworks(ctx);
      const n = networks[0]!;
      expect(n.nodes.map((x) => x.nodeId)).toEqual([11, 12]);
      expect(n.warnings.join('\n')).toMatch(
        /node 13 skipped: node 13 \(contract \d+\) did not answer zos\.deployment\.get/,
      );
      await expect(connectDevice(ctx, 'net1')).rejects.toThrow(
        /network net1 cannot be changed while node 13 cannot be read/,
      );
    } finally {
      n13.silent.delete('zos.deployment.get');
    }
  });

  it('imports an access the dashboard made (its key in user_accesses)', async () => {
    const shared = await connectDevice(grid.context(), 'net1', { shareKey: true });
    const imported = await importAccess(grid.context(), 'net1');
    expect(imported.publicKey).toBe(shared.publicKey);
    expect(imported.subnet).toBe(shared.subnet);
    expect(imported.config).toBe(shared.config);
    expect(imported.warnings.filter((w) => /Endpoint/.test(w))).toEqual([]);
    const listed = (await listNetworks(grid.context())).networks[0]!.accesses.find(
      (x) => x.publicKey === shared.publicKey,
    );
    expect(listed?.importable).toBe(true);
    await disconnectDevice(grid.context(), 'net1', shared.publicKey);
    await expect(importAccess(grid.context(), 'net1')).rejects.toThrow(
      /no access .*whose key is in user_accesses/,
    );
  });

  it('warns when an imported access’s endpoint is private', async () => {
    const shared = await connectDevice(grid.context(), 'net1', { shareKey: true });
    const src = grid.sourceNodes.find((n) => n.nodeId === 11)!;
    const saved = src.publicConfig;
    src.publicConfig = { ...saved, ipv4: '192.168.5.11/24' };
    try {
      const imported = await importAccess(grid.context(), 'net1', 11);
      expect(imported.warnings.join('\n')).toMatch(
        /Endpoint 192\.168\.5\.11:\d+ is a private \(RFC 1918\) address/,
      );
    } finally {
      src.publicConfig = saved;
    }
    await disconnectDevice(grid.context(), 'net1', shared.publicKey);
  });

  it('skips malformed contracts and deployments with a message', async () => {
    // A contract whose deployment_data is not grid_client's, and one whose node answers garbage.
    const [bad] = await grid.userChain.nodeContractsBatch([
      {
        kind: 'create',
        nodeId: 14,
        deploymentHash: 'ab'.repeat(16),
        deploymentData: 'not json',
        publicIps: 0,
      },
    ]);
    const [garbled] = await grid.userChain.nodeContractsBatch([
      {
        kind: 'create',
        nodeId: 14,
        deploymentHash: 'cd'.repeat(16),
        deploymentData: networkContractData('net2'),
        publicIps: 0,
      },
    ]);
    const n14 = grid.nodes.get(14)!;
    n14.getOverride = (id) => (id === garbled!.contractId ? { version: 'x', workloads: 7 } : undefined);
    try {
      const { networks, warnings } = await listNetworks(grid.context());
      expect(networks.map((n) => n.name)).toEqual(['net1']);
      expect(warnings).toContain(
        `contract ${bad!.contractId} (node 14) skipped: deployment_data is not JSON`,
      );
      expect(warnings.join('\n')).toMatch(new RegExp(`network net2 skipped: none of its nodes`));
      expect(warnings.join('\n')).toMatch(
        new RegExp(`node 14 contract ${garbled!.contractId}: version is not a number`),
      );
    } finally {
      n14.getOverride = undefined;
      await grid.userChain.nodeContractsBatch([
        { kind: 'cancel', contractId: bad!.contractId },
        { kind: 'cancel', contractId: garbled!.contractId },
      ]);
    }
  });

  it('refuses a node whose gridproxy twin is not the chain’s, by name', async () => {
    const src = grid.sourceNodes.find((n) => n.nodeId === 14)!;
    src.twinId = grid.userTwin; // gridproxy says node 14 is someone else
    try {
      const err = await createNetwork(grid.context(), {
        name: 'net3',
        ipRange: '10.30.0.0/16',
        nodeIds: [14],
        accessNodeId: 14,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NodeTwinMismatchError);
      expect((err as NodeTwinMismatchError).nodeId).toBe(14);
      expect((err as Error).message).toMatch(
        /node 14: gridproxy says its twin is \d+, the chain says 1014; refused/,
      );
      expect(grid.nodes.get(14)!.received).toEqual([]);
    } finally {
      src.twinId = 1014;
    }
  });

  it('times out a node that never answers, naming it, and cancels the contracts it created', async () => {
    const n14 = grid.nodes.get(14)!;
    n14.silent.add('zos.deployment.deploy');
    const events: ProgressEvent[] = [];
    try {
      const err = await createNetwork(grid.context({ events, rmbTimeoutMs: 300 }), {
        name: 'net4',
        ipRange: '10.40.0.0/16',
        nodeIds: [11, 14],
        accessNodeId: 11,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JourneyFailedError);
      const j = err as JourneyFailedError;
      expect(j.state).toBe('rolled-back');
      expect(j.cause).toBeInstanceOf(NodeTimeoutError);
      expect((j.cause as NodeTimeoutError).nodeId).toBe(14);
      expect(j.message).toMatch(/node 14 \(contract \d+\) did not answer zos\.deployment\.deploy/);
      expect(j.message).toMatch(/were cancelled; nothing is left/);
      const ids = [...j.message.matchAll(/contracts ([\d, ]+) were cancelled/g)][0]![1]!
        .split(', ')
        .map(Number);
      expect(ids).toHaveLength(2);
      for (const id of ids) expect((await grid.readChain.contract(id))?.state).toBe('Deleted');
      expect(events.some((e) => e.step === 'rollback')).toBe(true);
    } finally {
      n14.silent.delete('zos.deployment.deploy');
    }
    expect((await listNetworks(grid.context())).networks.map((n) => n.name)).toEqual(['net1']);
  });

  it('sends deployments that hash exactly as grid_client’s Deployment classes', async () => {
    const { toGridClient } = await import('../../core/grid3/to-grid-client.js');
    const all = [...grid.nodes.values()].flatMap((n) => n.received);
    expect(all.length).toBeGreaterThan(20);
    expect(all.some((r) => r.op === 'deploy')).toBe(true);
    expect(all.some((r) => r.op === 'update')).toBe(true);
    for (const { deployment } of all) {
      expect(toGridClient(deployment).challenge_hash()).toBe(challengeHashHex(deployment));
    }
  });

  it('deletes a network: its contracts cancelled in one batch', async () => {
    const r = await deleteNetwork(grid.context(), 'net1');
    expect(r.cancelledContracts.sort()).toEqual(created.contracts.map((c) => c.contractId).sort());
    for (const id of r.cancelledContracts) expect((await grid.readChain.contract(id))?.state).toBe('Deleted');
    expect((await listNetworks(grid.context())).networks).toEqual([]);
    await expect(deleteNetwork(grid.context(), 'net1')).rejects.toThrow(/no network named net1/);
  });
});
