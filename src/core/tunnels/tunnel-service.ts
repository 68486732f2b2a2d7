/**
 * Brings tunnels up and down through the OS's own tools and always knows, from real signals, what state
 * each one is in. For every tunnel that is up, the run folder holds the file wg-quick was given
 * (`<iface>.conf`, 0600) and a small record (`<iface>.json`) saying which namespace it lives in; both are
 * removed when it goes down. Those records are also how a restarted app adopts what is already up.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { firstOverlap } from '../net/cidr.js';
import { ensurePrivateDir, writePrivateFile } from '../store/private-files.js';
import type { TunnelRecord } from '../store/schema.js';
import type { TunnelStore } from './tunnel-store.js';
import { inNetns, NETNS_NAME } from './command-line.js';
import { KeyedMutex } from './keyed-mutex.js';
import { findWireguardGo, isWireguardGoFor, parseNetDev, readNetDev, type Counters } from './link-stats.js';
import type { PlatformAdapter } from './platform-adapters.js';
import type { CommandRunner } from './runner.js';
import { installHint, type ToolPaths } from './tool-paths.js';
import { deriveStatus, type TunnelStatus } from './tunnel-status.js';
import { parseWgDump, summarizePeers } from './wg-dump.js';

export interface TunnelServiceOptions {
  tunnels: TunnelStore;
  /** App-owned folder for the files handed to wg-quick (made 0700). */
  runDir: string;
  adapter: PlatformAdapter;
  tools: ToolPaths;
  /** Runs up/down: directly as root, elevated otherwise. */
  runner: CommandRunner;
  /** Runs read-only privileged queries (`wg show`). Only given when that needs no prompt (we are root). */
  queryRunner?: CommandRunner;
  /** Whether the kernel has WireGuard (else wg-quick must use wireguard-go). */
  kernelWireguard?: () => boolean;
  now?: () => number;
}

interface RunRecord {
  name: string;
  interface: string;
  netns: string | null;
  userspace: boolean;
  /** 'starting' while wg-quick up runs (perhaps in another process): its missing interface is not a
   * tunnel that died, unless the record is older than any `up` can take. */
  phase: 'starting' | 'up';
  at: number;
}

interface Live {
  operation: 'up' | 'down' | null;
  error: string | null;
  wgGoPid?: number;
  lastRx?: number;
  rxGrewAt?: number;
  latestHandshake: number | null;
  endpoint: string | null;
  handshakeReadAt?: number;
}

export class TunnelOperationError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'TunnelOperationError';
  }
}

const HANDSHAKE_REREAD_MS = 15_000;
/** Longer than any wg-quick up takes (it may wait for an administrator prompt). */
const STALE_START_MS = 5 * 60_000;

export class TunnelService {
  private readonly live = new Map<string, Live>();
  private readonly mutex = new KeyedMutex();
  private readonly listeners = new Set<(status: TunnelStatus) => void>();
  private lastSent = new Map<string, string>();
  private current: TunnelStatus[] = [];
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly o: TunnelServiceOptions) {
    this.now = o.now ?? Date.now;
    ensurePrivateDir(o.runDir);
  }

  /** Pushes every change of a tunnel's status (the tray and the window listen). */
  onChange(listener: (status: TunnelStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  statuses(): TunnelStatus[] {
    return this.current;
  }

  /** Whether the tunnel is up or being brought up (by us, or by an earlier run that we adopted). */
  isActive(name: string): boolean {
    return this.readRecords().some((r) => r.name === name) || this.live.get(name)?.operation != null;
  }

  startPolling(intervalMs = 1000): void {
    this.stopPolling();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  up(name: string, options: { netns?: string } = {}): Promise<TunnelStatus> {
    const netns = options.netns ?? null;
    if (netns !== null && !NETNS_NAME.test(netns)) return Promise.reject(new UserError(`"${netns}" is not a valid network namespace name`));
    return this.mutex.run(name, async () => {
      const tunnel = this.o.tunnels.get(name);
      const existing = this.readRecords().find((r) => r.name === name);
      // Already up (by us, an earlier run, or another process): never bring it up twice.
      if (existing && this.countersIn(existing) !== undefined) return (await this.refresh()).find((s) => s.name === name)!;
      const userspace = this.preflight(tunnel, netns);
      const text = await this.o.tunnels.wgQuickText(name);
      const record: RunRecord = { name, interface: tunnel.interface, netns, userspace, phase: 'starting', at: this.now() };
      const live = this.liveOf(name);
      live.operation = 'up';
      live.error = null;
      this.publish();
      try {
        this.writeRecord(record);
        writePrivateFile(this.confPath(tunnel.interface), text, { durable: false });
        const res = await this.o.runner(this.o.adapter.up({ configPath: this.confPath(tunnel.interface), iface: tunnel.interface, netns: netns ?? undefined, userspace }));
        if (res.code !== 0) throw new TunnelOperationError(`Cannot bring "${name}" up: ${explainFailure(res.stderr, tunnel.interface)}`);
        this.writeRecord({ ...record, phase: 'up' });
        live.wgGoPid = undefined; // found by the first look at the counters
      } catch (e) {
        this.removeRunFiles(tunnel.interface);
        live.error = (e as Error).message;
        throw e;
      } finally {
        live.operation = null;
        // No handshake can have happened yet: the next poll reads it, `up` does not wait for a spawn.
        await this.refresh({ skipHandshakes: true });
      }
      return this.statusOf(name)!;
    });
  }

  down(name: string): Promise<TunnelStatus> {
    return this.mutex.run(name, async () => {
      const tunnel = this.o.tunnels.get(name);
      const record = this.readRecords().find((r) => r.name === name);
      const live = this.liveOf(name);
      live.error = null;
      if (!record) {
        await this.refresh();
        return this.statusOf(name)!;
      }
      live.operation = 'down';
      this.publish();
      try {
        const path = this.confPath(record.interface);
        // wg-quick down reads the file (routes, DNS, PreDown): put it back if something removed it.
        if (!existsSync(path)) writePrivateFile(path, await this.o.tunnels.wgQuickText(name), { durable: false });
        const res = await this.o.runner(this.o.adapter.down({ configPath: path, iface: record.interface, netns: record.netns ?? undefined, userspace: record.userspace }));
        if (res.code !== 0 && this.countersIn(record) !== undefined) {
          throw new TunnelOperationError(`Cannot take "${name}" down: ${explainFailure(res.stderr, tunnel.interface)}`);
        }
        this.removeRunFiles(record.interface);
        live.wgGoPid = undefined;
        live.latestHandshake = null;
        live.endpoint = null;
      } catch (e) {
        live.error = (e as Error).message;
        throw e;
      } finally {
        live.operation = null;
        await this.refresh();
      }
      return this.statusOf(name)!;
    });
  }

  /** Reads every signal once and pushes what changed. Spawns nothing unless a handshake must be read. */
  async refresh(options: { forceHandshakes?: boolean; skipHandshakes?: boolean } = {}): Promise<TunnelStatus[]> {
    const tunnels = this.o.tunnels.list();
    const records = new Map(this.readRecords().map((r) => [r.name, r]));
    const byNetns = new Map<string | null, Map<string, Counters> | undefined>();
    const statuses: TunnelStatus[] = [];
    const nowS = this.now() / 1000;
    for (const t of tunnels) {
      const live = this.liveOf(t.name);
      const record = records.get(t.name);
      let counters: Counters | undefined;
      if (record) {
        counters = this.countersIn(record, byNetns);
        if (!counters && live.operation === null && (record.phase === 'up' || this.now() - record.at > STALE_START_MS)) {
          // Gone behind our back (wg-quick down by hand, wireguard-go killed, reboot): forget our files.
          this.removeRunFiles(record.interface);
          records.delete(t.name);
        }
      }
      if (counters) {
        if (live.lastRx !== undefined && counters.rxBytes > live.lastRx) live.rxGrewAt = nowS;
        if (live.lastRx === undefined && counters.rxBytes > 0) live.rxGrewAt = live.rxGrewAt ?? nowS;
        const rxChanged = live.lastRx !== counters.rxBytes;
        live.lastRx = counters.rxBytes;
        if (this.o.queryRunner && record && !options.skipHandshakes && this.shouldReadHandshake(live, rxChanged, options.forceHandshakes)) {
          await this.readHandshake(record, live);
        }
      } else {
        live.lastRx = undefined;
        live.rxGrewAt = undefined;
        live.latestHandshake = null;
        live.endpoint = null;
      }
      statuses.push(deriveStatus({
        name: t.name,
        iface: t.interface,
        netns: record?.netns ?? null,
        operation: live.operation,
        present: counters !== undefined,
        error: live.error,
        rxBytes: counters?.rxBytes ?? null,
        txBytes: counters?.txBytes ?? null,
        latestHandshake: live.latestHandshake,
        handshakeKnown: this.o.queryRunner !== undefined,
        rxGrewAt: live.rxGrewAt ?? null,
        endpoint: live.endpoint ?? t.config.peers.find((p) => p.endpoint)?.endpoint ?? null,
        now: nowS,
      }));
    }
    this.current = statuses;
    this.publish();
    return statuses;
  }

  private shouldReadHandshake(live: Live, rxChanged: boolean, force?: boolean): boolean {
    if (force || live.handshakeReadAt === undefined) return true;
    const age = this.now() - live.handshakeReadAt;
    // Waiting for the first handshake: new bytes in mean one probably just happened.
    if (live.latestHandshake === null && rxChanged) return true;
    return age >= HANDSHAKE_REREAD_MS;
  }

  private async readHandshake(record: RunRecord, live: Live): Promise<void> {
    if (!this.o.tools.wg) return;
    live.handshakeReadAt = this.now();
    const cmd = inNetns(this.o.tools.ip ?? 'ip', record.netns ?? undefined, { file: this.o.tools.wg, args: ['show', record.interface, 'dump'] });
    const res = await this.o.queryRunner!(cmd);
    if (res.code !== 0) return;
    // The dump's first line holds the private key: parseWgDump drops it; the text goes nowhere else.
    const summary = summarizePeers(parseWgDump(res.stdout));
    live.latestHandshake = summary.latestHandshake;
    live.endpoint = summary.endpoint;
  }

  /** Counters of the record's interface if it exists, read from /proc (cached per namespace per refresh). */
  private countersIn(record: RunRecord, cache = new Map<string | null, Map<string, Counters> | undefined>()): Counters | undefined {
    const live = this.liveOf(record.name);
    if (record.netns === null) {
      if (!cache.has(null)) cache.set(null, readNetDev());
      return cache.get(null)?.get(record.interface);
    }
    // A process's /proc/<pid>/net is its namespace's: wireguard-go lives in the tunnel's namespace.
    if (record.userspace) {
      if (!live.wgGoPid || !isWireguardGoFor(live.wgGoPid, record.interface)) live.wgGoPid = findWireguardGo(record.interface);
      if (!live.wgGoPid) return undefined;
      return readNetDev(live.wgGoPid)?.get(record.interface);
    }
    // Kernel WireGuard in another namespace has no process to look through: ask `ip netns exec` (root only),
    // once per namespace per refresh.
    if (!cache.has(record.netns)) cache.set(record.netns, this.o.queryRunner && this.o.tools.ip ? netDevInNetns(this.o.tools.ip, record.netns) : undefined);
    return cache.get(record.netns)?.get(record.interface);
  }

  private preflight(tunnel: TunnelRecord, netns: string | null): boolean {
    const { tools, adapter } = this.o;
    let userspace = false;
    if (adapter.platform === 'linux') {
      if (!tools.wgQuick) throw new UserError(`wg-quick was not found: ${installHint('wgQuick', 'linux')}`);
      if (!tools.wg) throw new UserError(`wg was not found: ${installHint('wg', 'linux')}`);
      if (netns && !tools.ip) throw new UserError(`ip was not found: ${installHint('ip', 'linux')}`);
      const kernel = this.o.kernelWireguard ? this.o.kernelWireguard() : existsSync('/sys/module/wireguard');
      if (!kernel) {
        if (!tools.wireguardGo) throw new UserError(`This kernel has no WireGuard module and wireguard-go is not installed: ${installHint('wireguardGo', 'linux')}`);
        userspace = true;
      }
      if (tunnel.config.interface.dns.length && !tools.resolvconf) {
        throw new UserError(`"${tunnel.name}" sets DNS, and wg-quick needs resolvconf for that: ${installHint('resolvconf', 'linux')}`);
      }
      if (!netns && existsSync(`/sys/class/net/${tunnel.interface}`)) {
        throw new UserError(`An interface named ${tunnel.interface} already exists and was not started by overlay-connect`);
      }
    }
    const mine = [...tunnel.config.interface.addresses, ...tunnel.config.peers.flatMap((p) => p.allowedIPs)];
    for (const other of this.readRecords()) {
      if (other.name === tunnel.name || other.netns !== netns) continue;
      let otherTunnel: TunnelRecord;
      try {
        otherTunnel = this.o.tunnels.get(other.name);
      } catch {
        continue;
      }
      const theirs = [...otherTunnel.config.interface.addresses, ...otherTunnel.config.peers.flatMap((p) => p.allowedIPs)];
      const hit = firstOverlap(mine, theirs);
      if (hit) {
        throw new UserError(`${hit[0]} of "${tunnel.name}" overlaps ${hit[1]} of "${other.name}", which is up: traffic would go to one of them only. Disconnect "${other.name}" first.`);
      }
    }
    return userspace;
  }

  private publish(): void {
    const statuses = this.current.map((s) => {
      const live = this.live.get(s.name);
      if (!live || live.operation === null) return s;
      return { ...s, state: 'connecting' as const, detail: live.operation === 'up' ? 'Bringing the tunnel up' : 'Taking the tunnel down', error: null };
    });
    for (const s of statuses) {
      const key = JSON.stringify(s);
      if (this.lastSent.get(s.name) === key) continue;
      this.lastSent.set(s.name, key);
      for (const l of this.listeners) l(s);
    }
  }

  private statusOf(name: string): TunnelStatus | undefined {
    return this.current.find((s) => s.name === name);
  }

  private liveOf(name: string): Live {
    let l = this.live.get(name);
    if (!l) this.live.set(name, (l = { operation: null, error: null, latestHandshake: null, endpoint: null }));
    return l;
  }

  private confPath(iface: string): string {
    return join(this.o.runDir, `${iface}.conf`);
  }

  private recordPath(iface: string): string {
    return join(this.o.runDir, `${iface}.json`);
  }

  private writeRecord(r: RunRecord): void {
    writePrivateFile(this.recordPath(r.interface), JSON.stringify(r), { durable: false });
  }

  private removeRunFiles(iface: string): void {
    rmSync(this.confPath(iface), { force: true });
    rmSync(this.recordPath(iface), { force: true });
  }

  private recordsCache?: { mtimeMs: number; records: RunRecord[] };

  /** The run records, re-read only when the folder changed (one stat per poll). */
  private readRecords(): RunRecord[] {
    const mtimeMs = statSync(this.o.runDir).mtimeMs;
    if (this.recordsCache?.mtimeMs === mtimeMs) return this.recordsCache.records;
    const records: RunRecord[] = [];
    for (const f of readdirSync(this.o.runDir)) {
      if (!f.endsWith('.json')) continue;
      try {
        records.push(JSON.parse(readFileSync(join(this.o.runDir, f), 'utf8')) as RunRecord);
      } catch {
        /* a half-written record cannot exist (atomic writes); a foreign file is ignored */
      }
    }
    this.recordsCache = { mtimeMs, records };
    return records;
  }
}

/** The line of wg-quick's output that says what went wrong, with a hint for the known cases. */
export function explainFailure(stderr: string, iface: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^[│┌└]/.test(l) && !l.startsWith('[#]') && !l.startsWith('[!]'));
  const text = lines.slice(-2).join('; ') || 'wg-quick failed without saying why';
  if (/resolvconf: command not found/.test(text)) return `${text} (${installHint('resolvconf', 'linux')})`;
  if (/unix socket in use/.test(text)) return `another WireGuard interface named ${iface} is running (perhaps in another network namespace)`;
  if (/Address already in use/i.test(text)) return `${text} (the ListenPort is taken by another program or tunnel)`;
  return text;
}

function netDevInNetns(ip: string, netns: string): Map<string, Counters> | undefined {
  const r = spawnSync(ip, ['netns', 'exec', netns, 'cat', '/proc/net/dev'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? parseNetDev(r.stdout) : undefined;
}
