/**
 * What the wg-quick driver reads about an interface on each look, and what it remembers between looks:
 * its counters (from /proc, in the tunnel's namespace: through wireguard-go's process, or `ip netns exec`
 * for kernel WireGuard there), and its peers' handshakes (`wg show dump`, read again only when it may have
 * changed). Apart from the driver, which decides from these what is up; nothing here writes a run file.
 */
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { inNetns } from './command-line.js';
import { findWireguardGo, isWireguardGoFor, parseNetDev, readNetDev, type Counters } from './link-stats.js';
import type { PlatformAdapter } from './platform-adapters.js';
import type { RunRecord } from './run-records.js';
import type { CommandRunner } from './runner.js';
import type { ToolPaths } from './tool-paths.js';
import { parseWgDump, summarizePeers, type PeerLive } from './wg-dump.js';

/** What the driver remembers of one interface between looks. */
export interface Observed {
  wgGoPid?: number;
  /** The last look found no interface (a second miss in a row forgets the record). */
  missed?: boolean;
  lastCounters?: Partial<Counters>;
  lastRx?: number;
  handshakeReadAt?: number;
  latestHandshake: number | null;
  endpoint: string | null;
  peerRxBytes: number | null;
  peerTxBytes: number | null;
  peers: PeerLive[] | null;
}

export interface ObservationOptions {
  adapter: PlatformAdapter;
  tools: ToolPaths;
  /** Runs read-only privileged queries (`wg show`). Only given when that needs no prompt. */
  queryRunner?: CommandRunner;
}

/** Counters per interface, per namespace (null: the host's), read at most once per look. */
export type NetDevCache = Map<string | null, Map<string, Counters> | undefined>;

const HANDSHAKE_REREAD_MS = 15_000;

export function newObserved(): Observed {
  return { latestHandshake: null, endpoint: null, peerRxBytes: null, peerTxBytes: null, peers: null };
}

export function shouldReadHandshake(
  seen: Observed,
  rxChanged: boolean,
  now: () => number,
  force?: boolean,
): boolean {
  if (force || seen.handshakeReadAt === undefined) return true;
  // Waiting for the first handshake: new bytes in mean one probably just happened.
  if (seen.latestHandshake === null && rxChanged) return true;
  return now() - seen.handshakeReadAt >= HANDSHAKE_REREAD_MS;
}

export async function readHandshake(
  record: RunRecord,
  seen: Observed,
  o: ObservationOptions,
  now: () => number,
): Promise<void> {
  if (!o.tools.wg) return;
  seen.handshakeReadAt = now();
  const cmd = inNetns(o.tools.ip ?? 'ip', record.netns ?? undefined, {
    file: o.tools.wg,
    args: ['show', record.interface, 'dump'],
  });
  const res = await o.queryRunner!(cmd);
  if (res.code !== 0) return;
  // The dump's first line holds the private key: parseWgDump drops it; the text goes nowhere else.
  const peers = parseWgDump(res.stdout);
  const summary = summarizePeers(peers);
  seen.peers = peers;
  seen.latestHandshake = summary.latestHandshake;
  seen.endpoint = summary.endpoint;
  seen.peerRxBytes = summary.rxBytes;
  seen.peerTxBytes = summary.txBytes;
}

/** Counters of the record's interface if it exists, read from /proc (cached per namespace per call). */
export function countersIn(
  record: RunRecord,
  o: ObservationOptions,
  observedOf: (iface: string) => Observed,
  cache: NetDevCache = new Map(),
): Partial<Counters> | undefined {
  // Windows has no /proc: the tunnel service's adapter carries the tunnel's name, which is enough to
  // know it is up; its counters need administrator rights (`wg show`), so they stay unknown.
  if (o.adapter.platform === 'win32') return networkInterfaces()[record.interface] ? {} : undefined;
  if (record.netns === null) {
    if (!cache.has(null)) cache.set(null, readNetDev());
    return cache.get(null)?.get(record.interface);
  }
  // A process's /proc/<pid>/net is its namespace's: wireguard-go lives in the tunnel's namespace.
  if (record.userspace && record.identity?.pid !== undefined) {
    // Its own process, checked by links() (start time, uid): no /proc walk, no look at command lines.
    return readNetDev(record.identity.pid)?.get(record.interface);
  }
  if (record.userspace) {
    const seen = observedOf(record.interface);
    // Two looks: right after `up`, wireguard-go's first process hands over to its daemon and exits, so the
    // process found may be gone by the time its /proc entry is read.
    for (let look = 0; look < 2; look++) {
      if (!seen.wgGoPid || !isWireguardGoFor(seen.wgGoPid, record.interface))
        seen.wgGoPid = findWireguardGo(record.interface);
      if (!seen.wgGoPid) return undefined;
      const counters = readNetDev(seen.wgGoPid)?.get(record.interface);
      if (counters) return counters;
      seen.wgGoPid = undefined;
    }
    return undefined;
  }
  // Kernel WireGuard in another namespace has no process to look through: ask `ip netns exec` (root only),
  // once per namespace per call.
  if (!cache.has(record.netns))
    cache.set(
      record.netns,
      o.queryRunner && o.tools.ip ? netDevInNetns(o.tools.ip, record.netns) : undefined,
    );
  return cache.get(record.netns)?.get(record.interface);
}

function netDevInNetns(ip: string, netns: string): Map<string, Counters> | undefined {
  const r = spawnSync(ip, ['netns', 'exec', netns, 'cat', '/proc/net/dev'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return r.status === 0 ? parseNetDev(r.stdout) : undefined;
}
