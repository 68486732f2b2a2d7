/**
 * The v3 devnet's state file and the facts every part derives from it (genesis, the nodes gridproxy
 * lists, each node's public config). It lives in its own folder (`<data>/devnet-v3`), beside the v2
 * devnet's, so `devnet down --purge` of one never eats the other. The file holds the node twins'
 * mnemonics, so it is 0600 like the v2 state that holds node seeds; the user's mnemonic has a 0600 file
 * of its own because the user (and `grid login --mnemonic-file`) reads it.
 *
 * Light on purpose (no @polkadot): `devnet status` and `devnet down` read it without loading the grid's
 * libraries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/store/private-files.js';
import type { PublicConfig } from '../../grid3/gridproxy-types.js';
import type { NodeKind } from '../topology.js';
import { publicV4, publicV6 } from '../underlay.js';
import type { Genesis } from './chain-state.js';
import type { SourceNode } from './gridproxy-source-types.js';

export interface DevnetV3Node {
  name: string;
  kind: NodeKind;
  farm: number;
  /** The underlay's index (1-based): the node's documentation addresses. */
  index: number;
  nodeId: number;
  twinId: number;
  namespace: string;
  /** The node twin's account: signs its RMB envelopes. Only in this 0600 file, never in argv or logs. */
  mnemonic: string;
  /** Its SS58 address and RMB (secp256k1) public key, kept so that genesis needs no key derivation. */
  address: string;
  rmbPk: string;
  /** As the farmer set it on chain; absent for a hidden node (zos: "no public configuration"). */
  publicConfig?: PublicConfig;
}

export interface DevnetV3State {
  grid: 'v3';
  ports: { chain: number; gridproxy: number; relay: number };
  laptopNamespace: string;
  account: { address: string; twinId?: number; mnemonicFile: string };
  nodes: DevnetV3Node[];
  pids: { chain?: number; gridproxy?: number; relay?: number; agents: Record<string, number> };
  running: boolean;
}

export const devnetV3Dir = (dataDir: string) => join(dataDir, 'devnet-v3');
const statePath = (dir: string) => join(dir, 'devnet-v3.json');
export const mnemonicPath = (dir: string) => join(dir, 'user.mnemonic');
/** Written by the chain process once it listens: its URL and admin token (0600). */
export const chainAdminPath = (dir: string) => join(dir, 'chain-admin.json');
export const journalPath = (dir: string) => join(dir, 'chain-journal.jsonl');
export const agentDir = (dir: string, name: string) => join(dir, 'agents', name);

export const chainUrl = (s: DevnetV3State) => `http://127.0.0.1:${s.ports.chain}`;
export const gridproxyUrl = (s: DevnetV3State) => `http://127.0.0.1:${s.ports.gridproxy}`;
export const relayUrl = (s: DevnetV3State) => `ws://127.0.0.1:${s.ports.relay}`;
/** What twins store as their relay on chain: a host, as `relay.grid.tf` on the grid. */
export const relayHost = (s: DevnetV3State) => `127.0.0.1:${s.ports.relay}`;

export function readDevnetV3(dir: string): DevnetV3State | undefined {
  return existsSync(statePath(dir))
    ? (JSON.parse(readFileSync(statePath(dir), 'utf8')) as DevnetV3State)
    : undefined;
}

export function saveDevnetV3(dir: string, s: DevnetV3State): void {
  writePrivateFile(statePath(dir), JSON.stringify(s, null, 2));
}

/** A farmer's public config from the underlay's addresses; the underlay has no gateway router, so none. */
export function publicConfigOf(kind: NodeKind, index: number): PublicConfig | undefined {
  if (kind === 'hidden') return undefined;
  return {
    ipv4: kind === 'public' ? `${publicV4(index)}/24` : '',
    ipv6: `${publicV6(index)}/64`,
    gw4: '',
    gw6: '',
    domain: '',
  };
}

/**
 * The chain at block 0: farms, node twins (ids 1..n, their RMB key and relay set as a node's would be
 * after its first boot) and nodes. Node ids start at 11 so that a node id mistaken for a twin id (or the
 * reverse) fails instead of passing by luck. The user's twin is made through the admin lever after.
 */
export function genesisOf(s: DevnetV3State): Genesis {
  return {
    farms: [...new Set(s.nodes.map((n) => n.farm))].map((id) => ({ id })),
    accounts: [],
    twins: s.nodes.map((n) => ({
      id: n.twinId,
      account: n.address,
      relay: relayHost(s),
      pk: n.rmbPk,
    })),
    nodes: s.nodes.map((n) => ({ id: n.nodeId, farmId: n.farm, twinId: n.twinId })),
  };
}

const GIB = 1024 ** 3;

/**
 * The nodes as gridproxy indexes them. A node reports "up" while its agent process lives (the grid's
 * nodes report uptime every 40 minutes; the devnet has the pid, which is the same fact, sooner).
 */
export function sourceNodes(
  s: DevnetV3State,
  features: string[],
  alive: (pid: number | undefined) => boolean,
): SourceNode[] {
  const now = Math.floor(Date.now() / 1000);
  return s.nodes.map((n) => ({
    nodeId: n.nodeId,
    farmId: n.farm,
    twinId: n.twinId,
    updatedAt: s.running && alive(s.pids.agents[n.name]) ? now : 0,
    healthy: true,
    ...(n.publicConfig ? { publicConfig: n.publicConfig } : {}),
    features,
    totalResources: { cru: 8, mru: 16 * GIB, sru: 512 * GIB, hru: 0 },
    usedResources: { cru: 0, mru: 0, sru: 0, hru: 0 },
  }));
}

/** A process of this devnet: alive and still the CLI's `devnet serve` (a reused pid is not ours). */
export function servePidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('devnet') && cmd.includes('serve');
  } catch {
    return false;
  }
}
