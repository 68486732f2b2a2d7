/**
 * `devnet up/down/status`: a local grid on this machine (root): an explorer process on loopback, nodes in
 * network namespaces with their agents, a laptop namespace. Its folder keeps the explorer's database and
 * the nodes' identities, so `down` then `up` again resumes the same grid; `down --purge` forgets it.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { identityFromSeed, newIdentity, nodeIdOf, toHex } from '../core/crypto/identity-keys.js';
import { UserError } from '../core/errors.js';
import { ensurePrivateDir, writePrivateFile } from '../core/store/private-files.js';
import { findExecutable } from '../core/wgconf/check.js';
import { deleteNamespace, namespaces } from './host-commands.js';
import type { NodeAnnouncement } from './node-api.js';
import type { NodeKind, Topology } from './topology.js';
import {
  createUnderlay,
  destroyUnderlay,
  hiddenAddress,
  LAPTOP_NS,
  nodeNs,
  PREFIX,
  publicV4,
  publicV6,
} from './underlay.js';

export interface DevnetNode {
  name: string;
  kind: NodeKind;
  farm: number;
  index: number;
  nodeId: string;
  namespace: string;
  seedHex: string;
}

export interface DevnetState {
  explorer: string;
  port: number;
  laptopNamespace: string;
  nodes: DevnetNode[];
  pids: { explorer?: number; agents: Record<string, number> };
  running: boolean;
}

export const devnetDir = (dataDir: string) => join(dataDir, 'devnet');
const statePath = (dir: string) => join(dir, 'devnet.json');

export function readDevnet(dir: string): DevnetState | undefined {
  return existsSync(statePath(dir))
    ? (JSON.parse(readFileSync(statePath(dir), 'utf8')) as DevnetState)
    : undefined;
}

function save(dir: string, s: DevnetState): void {
  writePrivateFile(statePath(dir), JSON.stringify(s, null, 2)); // holds the devnet nodes' seeds: 0600
}

export function announcementOf(n: DevnetNode): NodeAnnouncement {
  const addrs =
    n.kind === 'public'
      ? [`${publicV4(n.index)}/24`, `${publicV6(n.index)}/64`]
      : n.kind === 'ipv6-only'
        ? [`${publicV6(n.index)}/64`]
        : [`${hiddenAddress(n.index)}/24`];
  return {
    farm_id: n.farm,
    ifaces: [{ name: 'eth0', addrs, gateway: [], macaddress: '' }],
    public_config: null,
    wg_ports: [],
  };
}

export function devnetUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the devnet needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the devnet needs root (network namespaces)';
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['wg', 'wireguard-tools'],
    ['wireguard-go', 'wireguard-go'],
    ['nft', 'nftables'],
    ['ping', 'iputils-ping'],
  ]) {
    if (!findExecutable(tool!)) return `${tool} is missing: apt-get install --no-install-recommends ${pkg}`;
  }
  return undefined;
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('devnet');
  } catch {
    return false;
  }
}

/** Starts `overlay-connect devnet <args>` in the background, logging to the devnet folder. */
function background(cli: string, dir: string, logName: string, args: string[]): number {
  const log = openSync(join(dir, logName), 'a', 0o600);
  const child = spawn(process.execPath, [cli, 'devnet', ...args], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  return child.pid!;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new UserError(`The devnet did not come up: ${what} (see the logs in the devnet folder)`);
}

export async function devnetUp(
  dataDir: string,
  topology: Topology,
  port: number,
  cli: string,
  say: (l: string) => void,
): Promise<DevnetState> {
  const why = devnetUnavailable();
  if (why) throw new UserError(why);
  const dir = devnetDir(dataDir);
  ensurePrivateDir(dir);
  const prev = readDevnet(dir);
  if (prev?.running && alive(prev.pids.explorer))
    throw new UserError(`The devnet is already up (explorer ${prev.explorer}); devnet down first`);
  const clash = namespaces().filter((n) => n.startsWith('ocd-'));
  if (clash.length)
    throw new UserError(`Namespaces of another devnet exist (${clash.join(', ')}): run devnet down`);
  // Same topology as before: keep the nodes' identities (and so the explorer's records of them).
  const nodes: DevnetNode[] = topology.nodes.map((t, i) => {
    const old = prev?.nodes.find((n) => n.name === t.name && n.kind === t.kind);
    const seedHex = old?.seedHex ?? toHex(newIdentity().seed);
    const id = Buffer.from(seedHex, 'hex');
    return {
      ...t,
      index: i + 1,
      namespace: nodeNs(t.name),
      seedHex,
      nodeId: nodeIdOf(identityFromSeed(id).publicKey),
    };
  });
  const state: DevnetState = {
    explorer: `http://127.0.0.1:${port}`,
    port,
    laptopNamespace: LAPTOP_NS,
    nodes,
    pids: { agents: {} },
    running: true,
  };
  say('creating namespaces…');
  try {
    createUnderlay(nodes);
    state.pids.explorer = background(cli, dir, 'explorer.log', [
      'serve-explorer',
      '--db',
      join(dir, 'explorer.db'),
      '--port',
      String(port),
    ]);
    save(dir, state);
    say(`starting the explorer on ${state.explorer}…`);
    await waitFor(
      'the explorer does not answer',
      async () => (await fetch(`${state.explorer}/explorer/farms`)).ok,
    );
    const farms = (await (await fetch(`${state.explorer}/explorer/farms`)).json()) as unknown[];
    for (let f = farms.length + 1; f <= Math.max(...nodes.map((n) => n.farm)); f++) {
      await fetch(`${state.explorer}/explorer/farms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `devnet-farm-${f}` }),
      });
    }
    say(`starting ${nodes.length} node agents…`);
    for (const n of nodes)
      state.pids.agents[n.name] = background(cli, dir, `agent-${n.name}.log`, [
        'agent',
        '--node',
        n.name,
        '--devnet-dir',
        dir,
      ]);
    save(dir, state);
    await waitFor('the nodes did not register', async () => {
      const res = await fetch(`${state.explorer}/explorer/nodes?size=1000`);
      const list = (await res.json()) as Array<{ node_id: string }>;
      return nodes.every((n) => list.some((x) => x.node_id === n.nodeId));
    });
  } catch (e) {
    await devnetDown(dataDir, false, () => undefined);
    throw e;
  }
  return state;
}

export async function devnetDown(dataDir: string, purge: boolean, say: (l: string) => void): Promise<void> {
  const dir = devnetDir(dataDir);
  const state = readDevnet(dir);
  const pids = state ? [state.pids.explorer, ...Object.values(state.pids.agents)] : [];
  for (const pid of pids) if (pid && alive(pid)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && pids.some((p) => alive(p)); i++) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  if (state) destroyUnderlay(state.nodes);
  // Whatever else a crashed run left behind under the devnet's prefix.
  for (const ns of namespaces().filter((n) => n.startsWith(`${PREFIX}-`))) deleteNamespace(ns);
  if (purge) rmSync(dir, { recursive: true, force: true });
  else if (state) save(dir, { ...state, running: false, pids: { agents: {} } });
  say(
    purge
      ? 'devnet removed, with its data'
      : 'devnet down (its data is kept: devnet up resumes it; --purge forgets it)',
  );
}

/** Starts a node's agent again (after it died, or was killed in a test) and records its pid. */
export function restartAgent(dataDir: string, name: string, cli: string): number {
  const dir = devnetDir(dataDir);
  const state = readDevnet(dir);
  if (!state?.running || !state.nodes.some((n) => n.name === name))
    throw new UserError(`No running devnet node named ${name}`);
  const old = state.pids.agents[name];
  if (alive(old)) process.kill(old!, 'SIGTERM');
  state.pids.agents[name] = background(cli, dir, `agent-${name}.log`, [
    'agent',
    '--node',
    name,
    '--devnet-dir',
    dir,
  ]);
  save(dir, state);
  return state.pids.agents[name]!;
}
