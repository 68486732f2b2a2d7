/**
 * Grid v3 end to end as an ordinary user (issue 16, "Proven by"): the v3 devnet (`devnet up --grid v3`),
 * the privileged helper running as root with `--netns` the devnet's laptop namespace, and two throwaway
 * non-root users, A and B, each a device of the same ThreeFold account with its own data folder, running
 * the installed app (a root-owned copy) with `--helper SOCK`. A logs in (the mnemonic on stdin: the
 * devnet's file is root's 0600), creates a network over a public IPv4 node (its access), an IPv6-only node
 * and a hidden node, brings its access tunnel up through the helper, and every node's gateway and 100.64
 * address answers a ping from the laptop's namespace. B connects (a second access) and pings; A
 * disconnects and B still pings; B deletes, and neither a contract nor a WireGuard link of the network is
 * left on the grid, on any node or on the laptop.
 *
 * Both devices' tunnels live in the one laptop namespace the helper serves. Each is named after the
 * network (its interface too, as on any device), and both route the network's ip_range and its
 * 100.64.b.0/24: two such tunnels cannot be up at once in one namespace (one interface name, the same
 * prefixes). On two real machines they would be; here each device is tested with the other's tunnel down,
 * and every ping is checked to leave through that device's own interface (`ip route get`).
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devnetUnavailable } from '../../../src/devnet/devnet.js';
import { findExecutable } from '../../../src/core/wgconf/check.js';
import { cliAsync } from '../../support/cli.js';
import { gate } from '../../support/gate.js';
import { startHelperProcess, type HelperProcess } from '../../support/helper-process.js';
import { Privilege } from '../../support/privilege.js';
import { rootOnlyTempDir } from '../../support/root-dir.js';
import { stageApp, type StagedApp } from '../../support/staged-app.js';

const missingTool = ['useradd', 'groupadd', 'runuser', 'wg-quick'].find(
  (t) => !findExecutable(t, `${process.env.PATH}:/usr/sbin:/sbin`),
);
const skip = gate(
  'the v3 grid end to end as an ordinary user through the helper',
  devnetUnavailable() ??
    (missingTool
      ? `\`${missingTool}\` not found (apt-get install passwd util-linux wireguard-tools)`
      : undefined),
);

interface Status {
  grid: string;
  running: boolean;
  chain: string;
  gridproxy: string;
  relay: string;
  laptopNamespace: string;
  account: { address: string; twinId: number; mnemonicFile: string };
  nodes: Array<{ name: string; nodeId: number; kind: string; namespace: string }>;
}

interface Listed {
  networks: Array<{
    name: string;
    ipRange: string;
    nodes: Array<{
      nodeId: number;
      subnet: string;
      contractId: number;
      endpoint: string | null;
      state: string;
    }>;
    accesses: Array<{
      nodeId: number;
      subnet: string;
      publicKey: string;
      mine: boolean;
      tunnel: string | null;
    }>;
  }>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const tag = String(process.pid % 1e5);
const NET = `ge${tag}`;
const RANGE = '10.77.0.0/16';

describe.skipIf(skip)('Grid v3 end to end: two devices of a non-root user through the helper', () => {
  const priv = new Privilege(tag);
  const group = `ocg${tag}`;
  const userA = `oca${tag}`;
  const userB = `ocb${tag}`;
  let devnetData: string;
  let dir: string;
  let sock: string;
  let app: StagedApp | undefined;
  let helper: HelperProcess | undefined;
  let status: Status;
  let mnemonic: string;
  let tunnelA = '';
  let tunnelB = '';
  const timings: Record<string, number> = {};
  const started = Date.now();
  const mark = (step: string) => (timings[step] = Date.now() - started);

  /** The CLI as `who`, from a terminal of theirs: no root, their own data folder, the helper's socket. */
  const as = (who: string, args: string[], input?: string): Run => {
    const r = spawnSync(
      'runuser',
      ['-u', who, '--', process.execPath, app!.bin, '--data-dir', join(dir, who), '--helper', sock, ...args],
      {
        encoding: 'utf8',
        input: input ?? '',
        env: {
          PATH: process.env.PATH,
          HOME: join(dir, who),
          OVERLAY_CONNECT_PASSPHRASE: `passphrase of ${who}`,
          OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS: '30000',
        },
        timeout: 90_000,
      },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (who: string, args: string[], input?: string): Run => {
    const r = as(who, args, input);
    expect(r.code, `${who}: ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  const json = <T>(who: string, args: string[]): T => JSON.parse(ok(who, [...args, '--json']).stdout) as T;
  const network = (who: string) =>
    json<Listed>(who, ['grid', 'networks']).networks.find((n) => n.name === NET);

  const root = async (...args: string[]) => cliAsync([...args, '--data-dir', devnetData]);
  const inNs = (ns: string, ...cmd: string[]) =>
    spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 20_000 });
  const lap = () => status.laptopNamespace;
  const pingOnce = (addr: string) => inNs(lap(), 'ping', '-c', '1', '-W', '1', '-n', addr).status === 0;
  const links = (ns: string) =>
    (spawnSync('ip', ['-n', ns, '-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? '')
      .split('\n')
      .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
      .filter((l): l is string => l !== undefined);
  /** The network's links on a node, as the devnet's zos lays them out: `w-<id>` and `b-<id>`. */
  const nodeLinks = (ns: string) => links(ns).filter((l) => /^[wb]-/.test(l));
  const devOf = (addr: string) => /\bdev (\S+)/.exec(inNs(lap(), 'ip', 'route', 'get', addr).stdout)?.[1];

  /** Every node's gateway a.b.c.1 and WireGuard address 100.64.b.c, from the subnets the grid lists. */
  const targets = (who: string) => {
    const net = network(who)!;
    return net.nodes.flatMap((n) => {
      const [, b, c] = n.subnet.split('.');
      return [
        { nodeId: n.nodeId, what: 'gateway', addr: n.subnet.replace(/\.0\/24$/, '.1') },
        { nodeId: n.nodeId, what: '100.64', addr: `100.64.${b}.${c}` },
      ];
    });
  };
  /** The interface of `who`'s tunnel, as the helper reports it. */
  const ifaceOf = (who: string, tunnel: string) =>
    json<Array<{ interface: string; state: string }>>(who, ['tunnel', 'status', tunnel])[0]!.interface;
  /**
   * Pings every target until each has answered once or `withinMs` is over; returns those that never did
   * or whose route leaves by another interface than `who`'s tunnel. A tunnel that was up while the grid
   * updated its network gets through again by itself, but not at once: applying an update takes each
   * node's WireGuard link down and up (as zos does), which drops every session, and the access node
   * cannot dial the laptop back (its peer has no endpoint); the laptop handshakes anew once WireGuard's
   * timers say so, 15 s after its first unanswered packet.
   */
  const unreachable = async (who: string, tunnel: string, withinMs = 10_000) => {
    const iface = ifaceOf(who, tunnel);
    let left = targets(who);
    const wrongRoute = left.filter((t) => devOf(t.addr) !== iface);
    const from = Date.now();
    while (left.length && Date.now() - from < withinMs) {
      left = left.filter((t) => !pingOnce(t.addr));
      if (left.length) await new Promise((r) => setTimeout(r, 200));
    }
    return [...wrongRoute, ...left].map(
      (t) => `node ${t.nodeId} ${t.what} ${t.addr} (route dev ${devOf(t.addr)}, tunnel ${iface})`,
    );
  };

  beforeAll(async () => {
    devnetData = mkdtempSync(join(tmpdir(), 'oc-grid-e2e-devnet-'));
    const up = await root('devnet', 'up', '--grid', 'v3');
    expect(up.code, up.stderr).toBe(0);
    const st = await root('devnet', 'status', '--json');
    status = JSON.parse(st.stdout) as Status;
    mnemonic = readFileSync(status.account.mnemonicFile, 'utf8').trim();
    mark('devnet up');

    app = stageApp();
    // The helper's socket and run folder, and the users' homes: root's folder, as the helper insists.
    dir = rootOnlyTempDir('oc-grid-e2e-');
    priv.group(group);
    for (const who of [userA, userB]) {
      priv.user(who, [group]);
      mkdirSync(join(dir, who), { mode: 0o700 });
      const id = (flag: string) => Number(spawnSync('id', [flag, who], { encoding: 'utf8' }).stdout);
      chownSync(join(dir, who), id('-u'), id('-g'));
    }
    sock = join(dir, 'sock', 'helper.sock');
    helper = await startHelperProcess({
      socket: sock,
      group,
      netns: status.laptopNamespace,
      runDir: join(dir, 'helper-run'),
    });
    mark('helper and users');
  }, 120_000);

  afterAll(async () => {
    // Whatever a failure left up, taken down by its owner, then everything this file made.
    if (app && sock)
      for (const [who, t] of [
        [userA, tunnelA],
        [userB, tunnelB],
      ] as const)
        if (t) as(who, ['tunnel', 'down', t]);
    helper?.stop();
    if (devnetData) {
      await cliAsync(['devnet', 'down', '--purge', '--data-dir', devnetData]);
      rmSync(devnetData, { recursive: true, force: true });
    }
    priv.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    app?.remove();
    console.log(`grid e2e timings (ms since start): ${JSON.stringify(timings)}`);
  }, 60_000);

  it('the devnet has the three kinds of node, and the users are not root', () => {
    expect(status.grid).toBe('v3');
    expect(new Set(status.nodes.map((n) => n.kind))).toEqual(new Set(['public', 'ipv6-only', 'hidden']));
    for (const who of [userA, userB]) expect(json<unknown[]>(who, ['tunnel', 'list'])).toEqual([]);
    expect(
      spawnSync('runuser', ['-u', userA, '--', 'id', '-u'], { encoding: 'utf8' }).stdout.trim(),
    ).not.toBe('0');
  });

  it('A logs in, creates a network of a public IPv4, an IPv6-only and a hidden node with its access, and pings every node through the helper', async () => {
    const urls = ['--gridproxy', status.gridproxy, '--relay', status.relay, '--chain', status.chain];
    const login = ok(
      userA,
      ['grid', 'login', '--network', 'devnet', ...urls, '--mnemonic-file', '-'],
      mnemonic,
    );
    expect(login.stdout).toContain(`Account: ${status.account.address}`);
    expect(login.stdout).toContain(`Twin:    ${status.account.twinId}`);
    mark('A login');

    const byKind = (k: string) => status.nodes.find((n) => n.kind === k)!;
    const [entry, v6, hidden] = [byKind('public'), byKind('ipv6-only'), byKind('hidden')];
    const created = json<{ tunnel: string; contracts: Array<{ nodeId: number; contractId: number }> }>(
      userA,
      [
        'grid',
        'create',
        NET,
        '--subnet',
        RANGE,
        '--nodes',
        [entry.nodeId, v6.nodeId, hidden.nodeId].join(','),
        '--access',
        String(entry.nodeId),
      ],
    );
    tunnelA = created.tunnel;
    expect(created.contracts.map((c) => c.nodeId).sort()).toEqual(
      [entry.nodeId, v6.nodeId, hidden.nodeId].sort(),
    );
    const net = network(userA)!;
    expect(net.ipRange).toBe(RANGE);
    expect(net.nodes.every((n) => n.state === 'ok')).toBe(true);
    expect(net.nodes.find((n) => n.nodeId === entry.nodeId)!.endpoint).toMatch(/^198\.51\.100\.\d+:\d+$/);
    expect(net.nodes.find((n) => n.nodeId === hidden.nodeId)!.endpoint).toBeNull();
    expect(net.accesses).toEqual([
      expect.objectContaining({ nodeId: entry.nodeId, mine: true, tunnel: tunnelA }),
    ]);
    mark('A create');

    const up = ok(userA, ['tunnel', 'up', tunnelA]);
    expect(up.stderr).toBe('');
    expect(links(lap())).toContain(ifaceOf(userA, tunnelA));
    expect(await unreachable(userA, tunnelA)).toEqual([]);
    mark('A pings');
  }, 120_000);

  it("B, a second device of the same account, connects: A's live tunnel keeps working with B's access added, and B pings", async () => {
    const urls = ['--gridproxy', status.gridproxy, '--relay', status.relay, '--chain', status.chain];
    ok(userB, ['grid', 'login', '--network', 'devnet', ...urls, '--mnemonic-file', '-'], mnemonic);
    tunnelB = ok(userB, ['grid', 'connect', NET]).stdout.trim();
    // Named after the network on each device, as on two machines: here the two share a namespace.
    expect(tunnelB).toBe(NET);
    const onB = network(userB)!;
    expect(onB.accesses).toHaveLength(2);
    const mineB = onB.accesses.filter((a) => a.mine);
    expect(mineB).toEqual([expect.objectContaining({ tunnel: tunnelB })]);
    const mineA = network(userA)!.accesses.filter((a) => a.mine);
    expect(mineA).toHaveLength(1);
    expect(mineA[0]!.publicKey).not.toBe(mineB[0]!.publicKey);
    expect(mineA[0]!.subnet).not.toBe(mineB[0]!.subnet);
    mark('B connect');

    // A's tunnel stayed up through the update of every deployment: it reaches every node again by itself
    // (WireGuard handshakes anew; see `unreachable`).
    expect(await unreachable(userA, tunnelA, 60_000)).toEqual([]);
    mark('A pings after B connect');

    // B's tunnel has the same interface name and routes the same prefixes: A's goes down first.
    ok(userA, ['tunnel', 'down', tunnelA]);
    expect(links(lap())).not.toContain(NET);
    ok(userB, ['tunnel', 'up', tunnelB]);
    expect(await unreachable(userB, tunnelB)).toEqual([]);
    // The helper keeps each user's tunnels their own: A sees none of B's, and cannot take it down.
    expect(json<unknown[]>(userA, ['tunnel', 'status'])).toEqual([
      expect.objectContaining({ name: tunnelA, state: 'down' }),
    ]);
    ok(userB, ['tunnel', 'down', tunnelB]);

    // And A again, with B's access on the grid beside its own.
    ok(userA, ['tunnel', 'up', tunnelA]);
    expect(await unreachable(userA, tunnelA)).toEqual([]);
    mark('B pings, A pings again');
  }, 120_000);

  it("A disconnects while B's tunnel is up: A's access and tunnel are gone, and B keeps pinging", async () => {
    ok(userA, ['tunnel', 'down', tunnelA]);
    ok(userB, ['tunnel', 'up', tunnelB]);
    expect(await unreachable(userB, tunnelB)).toEqual([]);
    // B's interface has the name A's had: A's disconnect must neither take it for A's nor touch it.
    const r = ok(userA, ['grid', 'disconnect', NET]);
    expect(r.stdout).toContain(`Removed tunnel "${tunnelA}"`);
    tunnelA = '';
    expect(json<unknown[]>(userA, ['tunnel', 'list'])).toEqual([]);
    const onB = network(userB)!;
    expect(onB.accesses).toEqual([expect.objectContaining({ mine: true, tunnel: tunnelB })]);
    expect(network(userA)!.accesses.filter((a) => a.mine)).toEqual([]);
    mark('A disconnect');

    expect(await unreachable(userB, tunnelB, 60_000)).toEqual([]);
    mark('B pings alone');
  }, 120_000);

  it('delete leaves no contract on the grid and no WireGuard link on any node or on the laptop', async () => {
    const before = network(userB)!;
    for (const n of status.nodes.filter((x) => before.nodes.some((y) => y.nodeId === x.nodeId)))
      expect(nodeLinks(n.namespace), n.name).toHaveLength(2);
    const proxyContracts = async () =>
      (await (
        await fetch(`${status.gridproxy}/contracts?twin_id=${status.account.twinId}`)
      ).json()) as Array<{ contract_id: number; state: string }>;
    const inForce = async () =>
      (await proxyContracts()).filter((c) => c.state !== 'Deleted').map((c) => c.contract_id);
    expect((await inForce()).sort()).toEqual(before.nodes.map((n) => n.contractId).sort());
    ok(userB, ['tunnel', 'down', tunnelB]);
    const deleted = json<{ cancelledContracts: number[]; removedTunnels: string[] }>(userB, [
      'grid',
      'delete',
      NET,
    ]);
    expect([...deleted.cancelledContracts].sort()).toEqual(before.nodes.map((n) => n.contractId).sort());
    expect(deleted.removedTunnels).toEqual([tunnelB]);
    tunnelB = '';
    expect(json<Listed>(userB, ['grid', 'networks']).networks).toEqual([]);
    expect(json<Listed>(userA, ['grid', 'networks']).networks).toEqual([]);
    expect(json<unknown[]>(userB, ['tunnel', 'list'])).toEqual([]);

    // gridproxy, which indexes the chain, has no contract of the twin left in force.
    expect(await inForce()).toEqual([]);

    // The nodes take the network down; nothing of it is left on any node nor on the laptop.
    const end = Date.now() + 15_000;
    while (status.nodes.some((n) => nodeLinks(n.namespace).length) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 200));
    for (const n of status.nodes) expect(nodeLinks(n.namespace), n.name).toEqual([]);
    const left = links(lap());
    expect(left.filter((l) => l.startsWith(NET))).toEqual([]);
    expect(
      (spawnSync('ip', ['-n', lap(), '-o', 'route', 'show'], { encoding: 'utf8' }).stdout ?? '').match(
        /^10\.77\.|^100\.64\./gm,
      ),
    ).toBeNull();
    mark('delete');
  }, 120_000);
});
