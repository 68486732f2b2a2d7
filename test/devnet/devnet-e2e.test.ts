/**
 * End to end on a devnet (root): explorer, 0-OS-like nodes with real WireGuard in namespaces, hidden node
 * behind NAT, the laptop in its own namespace — planned, registered, provisioned, connected and pinged.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devnetUnavailable, restartAgent } from '../../src/devnet/devnet.js';
import { cliAsync } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { gate } from '../support/gate.js';

const skip = gate('devnet end-to-end tests', devnetUnavailable());

const inNs = (ns: string, ...cmd: string[]) =>
  spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 20_000 });
const ping = (ns: string, addr: string) =>
  inNs(ns, 'ping', '-c', '1', '-W', '2', '-n', addr).status === 0 ||
  inNs(ns, 'ping', '-c', '1', '-W', '2', '-n', addr).status === 0;
const devnetNamespaces = () =>
  (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('ocd-'));
const wgLinks = (ns: string) =>
  (inNs(ns, 'ip', '-o', 'link', 'show').stdout ?? '').split('\n').filter((l) => / w\d+-/.test(l));

interface Shown {
  nodes: Array<{ nodeId: string; subnet: string; gateway: string; wgAddress: string; endpointKind: string }>;
}

describe.skipIf(skip)('devnet end to end', () => {
  let dataDir: string;
  let status: {
    explorer: string;
    laptopNamespace: string;
    nodes: Array<{ nodeId: string; namespace: string; kind: string; name: string }>;
  };

  const cli = async (...args: string[]) => cliAsync([...args, '--data-dir', dataDir]);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  const json = async (...args: string[]) => JSON.parse((await ok(...args, '--json')).stdout);
  const nsOf = (nodeId: string) => status.nodes.find((n) => n.nodeId === nodeId)!.namespace;

  async function up(topology?: object) {
    const args = ['devnet', 'up', '--port', String(await freePort())];
    if (topology) {
      const file = join(dataDir, 'topology.json');
      writeFileSync(file, JSON.stringify(topology));
      args.push('--topology', file);
    }
    await ok(...args);
    status = await json('devnet', 'status');
  }

  async function down() {
    await ok('devnet', 'down', '--purge');
    expect(devnetNamespaces()).toEqual([]);
    expect(spawnSync('pgrep', ['-f', `devnet-dir ${join(dataDir, 'devnet')}`]).status).toBe(1);
  }

  /** Plans, registers and provisions a network of every devnet node with an access, connects the laptop
   * and proves reachability: laptop → every node, every node → every other node. */
  async function fullCircle(name: string, subnet: string, family: '--ipv4' | '--ipv6', entryKind: string) {
    await ok('network', 'create', name, '--subnet', subnet);
    for (const n of status.nodes) await ok('network', 'add-node', name, n.nodeId);
    const entry = status.nodes.find((n) => n.kind === entryKind)!;
    const access = await json('network', 'add-access', name, entry.nodeId, family);
    await ok('network', 'register', name);
    const waited = await cli('network', 'status', name, '--wait', '90', '--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).nodes.every((n: { state: string }) => n.state === 'ok')).toBe(true);

    await ok('tunnel', 'up', access.tunnel, '--netns', status.laptopNamespace);
    const check = await cli('network', 'check', name, '--netns', status.laptopNamespace, '--json');
    const reach = JSON.parse(check.stdout);
    expect(reach).toHaveLength(status.nodes.length * 2);
    expect(
      reach.filter((r: { reachable: boolean }) => !r.reachable),
      check.stderr,
    ).toEqual([]);
    expect(check.code).toBe(0);
    expect(reach[0]).toEqual({
      nodeId: expect.any(String),
      address: expect.any(String),
      reachable: true,
      rttMs: expect.any(Number),
    });
    const tstatus = (await json('tunnel', 'status', access.tunnel))[0];
    expect(tstatus).toMatchObject({ state: 'up', netns: status.laptopNamespace });

    const shown: Shown = await json('network', 'show', name);
    const failures: string[] = [];
    for (const from of shown.nodes) {
      for (const to of shown.nodes) {
        if (from !== to && !ping(nsOf(from.nodeId), to.gateway))
          failures.push(`${from.endpointKind} ${from.subnet} -> ${to.endpointKind} ${to.gateway}`);
      }
    }
    expect(failures).toEqual([]);

    await ok('tunnel', 'down', access.tunnel);
    await ok('network', 'delete', name);
    // The nodes tear the network down.
    for (let i = 0; i < 100 && status.nodes.some((n) => wgLinks(n.namespace).length); i++)
      await new Promise((r) => setTimeout(r, 200));
    for (const n of status.nodes) expect(wgLinks(n.namespace)).toEqual([]);
  }

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'oc-devnet-'));
  });
  afterAll(async () => {
    if (process.env.OC_KEEP_DEVNET) return;
    await cliAsync(['devnet', 'down', '--purge', '--data-dir', dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('default topology: IPv4 access then IPv6 access, a hidden node that stays hidden, nothing left after', async () => {
    await up();
    expect(status.nodes.map((n) => n.kind)).toEqual(['public', 'public', 'ipv6-only', 'hidden']);
    await ok('identity', 'create', '--name', 'e2e');
    const found = await json('nodes', 'search', '--up');
    expect(found).toHaveLength(4);
    // The hidden node cannot be reached from outside its NAT: the laptop has no way to it.
    const hidden = status.nodes.find((n) => n.kind === 'hidden')!;
    const lanAddr = /inet (172\.31\.\d+\.\d+)/.exec(
      inNs(hidden.namespace, 'ip', '-4', 'addr', 'show', 'eth0').stdout,
    )![1]!;
    expect(inNs(status.laptopNamespace, 'ping', '-c', '1', '-W', '1', lanAddr).status).not.toBe(0);

    await fullCircle('e2e4', '10.61.0.0/16', '--ipv4', 'public');
    await fullCircle('e2e6', '10.62.0.0/16', '--ipv6', 'ipv6-only');
  }, 300_000);

  it('a node agent killed mid-provisioning converges when it starts again', async () => {
    const devnet = JSON.parse(readFileSync(join(dataDir, 'devnet', 'devnet.json'), 'utf8'));
    const victim = status.nodes.find((n) => n.kind === 'hidden')!;
    const before = wgLinks(victim.namespace);
    process.kill(devnet.pids.agents[victim.name], 'SIGKILL');
    await ok('network', 'create', 'conv', '--subnet', '10.63.0.0/16');
    for (const n of status.nodes) await ok('network', 'add-node', 'conv', n.nodeId);
    await ok('network', 'register', 'conv');
    const pending = await cli('network', 'status', 'conv', '--wait', '3', '--json');
    expect(pending.code).toBe(1);
    expect(
      JSON.parse(pending.stdout).nodes.find((n: { nodeId: string }) => n.nodeId === victim.nodeId).state,
    ).toBe('pending');
    restartAgent(dataDir, victim.name, join(process.cwd(), 'bin', 'overlay-connect.js'));
    const done = await cli('network', 'status', 'conv', '--wait', '60');
    expect(done.code, done.stderr).toBe(0);
    // Exactly one link more than before: the restarted agent made the network's link once.
    expect(wgLinks(victim.namespace).filter((l) => !before.includes(l))).toHaveLength(1);
    expect(wgLinks(victim.namespace)).toHaveLength(before.length + 1);
  }, 120_000);

  it('registered again: the new reservation takes over once every node is ok, only then is the old one deleted, and the network stays up', async () => {
    const before = (await json('network', 'status', 'conv')).reservationId as number;
    const again = await json('network', 'register', 'conv');
    expect(again.replaces).toBe(before);
    const explorerState = async (id: number) =>
      (await (await fetch(`${status.explorer}/explorer/reservations/${id}`)).json()).next_action as number;
    // Paid and deploying (the client took it through create → sign → pay), the old one still in force: only
    // a status that sees every node ok for the new one deletes the old one.
    expect(await explorerState(again.reservationId)).toBe(3);
    expect(await explorerState(before)).toBe(3);
    const waited = await cli('network', 'status', 'conv', '--wait', '90', '--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toContain(
      `Reservation ${again.reservationId} is in force; the previous reservation ${before} was deleted`,
    );
    expect([4, 6]).toContain(await explorerState(before));
    // The nodes keep the network: one link each, through the hand-over.
    for (let i = 0; i < 50 && (await explorerState(before)) !== 6; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await explorerState(before)).toBe(6);
    for (const n of status.nodes) expect(wgLinks(n.namespace)).toHaveLength(1);
  }, 120_000);

  it("a second reservation asking for a port already in use gets zos's error as its result", async () => {
    // Plan a second network, then make its NR on one node ask for the port the first network uses there.
    await ok('network', 'create', 'clash', '--subnet', '10.64.0.0/16');
    const node = status.nodes[0]!;
    await ok('network', 'add-node', 'clash', node.nodeId);
    const { openNodeStore } = await import('../../src/core/store/open-node-store.js');
    const store = openNodeStore(dataDir);
    const taken = store.read().networks.conv!.nodes.find((n) => n.nodeId === node.nodeId)!.listenPort;
    store.update((d) => {
      d.networks.clash!.nodes[0]!.listenPort = taken;
    });
    await ok('network', 'register', 'clash');
    const r = await cli('network', 'status', 'clash', '--wait', '30');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `overlay-connect: Node ${node.nodeId} could not provision the network: wireguard listen port already in use, pick another one`,
    );
    await ok('network', 'delete', 'clash');
    await ok('network', 'delete', 'conv');
    await down();
  }, 120_000);

  it('random topologies (seeded, 2–8 nodes): plan, register, connect, full reachability', async () => {
    await cli('devnet', 'down'); // whatever an earlier failure left up
    let seed = 20261129;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 3; round++) {
      const count = 2 + Math.floor(rand() * 7);
      const kinds = Array.from(
        { length: count },
        () => (['public', 'ipv6-only', 'hidden'] as const)[Math.floor(rand() * 3)]!,
      );
      kinds[Math.floor(rand() * count)] = 'public'; // hidden nodes need a relay, and the laptop an entrypoint
      await up({ nodes: kinds.map((kind, i) => ({ name: `r${i}`, kind })) });
      await ok('identity', 'create', '--name', `rnd${round}`).catch(() => undefined);
      await fullCircle(`rnd${round}`, `10.${70 + round}.0.0/16`, '--ipv4', 'public');
      await down();
    }
  }, 600_000);
});
