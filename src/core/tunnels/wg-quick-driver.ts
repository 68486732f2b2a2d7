/**
 * Runs wg-quick itself. For every interface that is up, the run folder holds the file wg-quick was given
 * (`<iface>.conf`, 0600) and a small record (`<iface>.json`) saying which namespace it lives in; both are
 * removed when it goes down. Those records are how a restarted process adopts what is already up. The
 * privileged helper uses this same driver, with a root-owned run folder under /run. With a `configRunner`
 * (Linux elevation) wg-quick gets the config's text instead, and the run folder holds only the records.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { ensurePrivateDir, writePrivateFile } from '../store/private-files.js';
import { isValidInterfaceName } from '../wgconf/interface-name.js';
import { x25519PublicKey } from '../crypto/x25519.js';
import { bytesToKey, keyToBytes } from '../wgconf/keys.js';
import { checkConfigText } from '../wgconf/parser.js';
import { inNetns, NETNS_NAME } from './command-line.js';
import { identityHolds, parseIdentity, readIdentity, type LinkIdentity } from './link-identity.js';
import { findWireguardGo, isWireguardGoFor, parseNetDev, readNetDev, type Counters } from './link-stats.js';
import type { PlatformAdapter } from './platform-adapters.js';
import type { ConfigRunner } from './pkexec-wg-quick.js';
import type { CommandRunner, RunResult } from './runner.js';
import { installHint, type ToolPaths } from './tool-paths.js';
import {
  InterfaceInUseError,
  RouteConflictError,
  type LinksOptions,
  type LinkState,
  type TunnelDriver,
  type UpRequest,
} from './tunnel-driver.js';
import { parseWgDump, summarizePeers, type PeerLive } from './wg-dump.js';

export interface WgQuickDriverOptions {
  /** Folder for the files handed to wg-quick (made 0700). */
  runDir: string;
  adapter: PlatformAdapter;
  tools: ToolPaths;
  /** Runs up/down: directly as root, elevated otherwise. */
  runner: CommandRunner;
  /** Given, runs up/down instead of `runner`, with the config's text: no `<iface>.conf` is written here
   * (Linux elevation: root reads nothing the user can write). */
  configRunner?: ConfigRunner;
  /** Runs read-only privileged queries (`wg show`). Only given when that needs no prompt. */
  queryRunner?: CommandRunner;
  /** Whether the kernel has WireGuard (else wg-quick must use wireguard-go). */
  kernelWireguard?: () => boolean;
  now?: () => number;
}

export interface RunRecord {
  interface: string;
  netns: string | null;
  userspace: boolean;
  /** 'starting' while wg-quick up runs (perhaps in another process): its missing interface is not a
   * tunnel that died, unless the record is older than any `up` can take. */
  phase: 'starting' | 'up';
  at: number;
  /** Who brought it up (the helper records the asking uid): only they see it and act on it. */
  owner?: number;
  /** SHA-256 of the text wg-quick got: the same owner bringing up the same config again is a no-op. */
  configHash?: string;
  /** The interface's public key, from that text. */
  publicKey?: string;
  /** Which interface this record means (link-identity.ts); absent where it cannot be read (not root). */
  identity?: LinkIdentity;
}

const ownUid = () => process.getuid?.() ?? -1;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class TunnelOperationError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'TunnelOperationError';
  }
}

interface Observed {
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

const HANDSHAKE_REREAD_MS = 15_000;
/** Longer than any wg-quick up takes (it may wait for an administrator prompt). */
const STALE_START_MS = 5 * 60_000;

/** A record is used only if it is well-formed: its fields reach paths and commands. */
export function parseRunRecord(text: string): RunRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<RunRecord>;
    if (typeof r.interface !== 'string' || !isValidInterfaceName(r.interface)) return undefined;
    if (r.netns !== null && (typeof r.netns !== 'string' || !NETNS_NAME.test(r.netns))) return undefined;
    if (
      typeof r.userspace !== 'boolean' ||
      (r.phase !== 'starting' && r.phase !== 'up') ||
      typeof r.at !== 'number'
    )
      return undefined;
    const record: RunRecord = {
      interface: r.interface,
      netns: r.netns,
      userspace: r.userspace,
      phase: r.phase,
      at: r.at,
    };
    if (r.owner !== undefined) {
      if (!Number.isSafeInteger(r.owner)) return undefined;
      record.owner = r.owner;
    }
    if (r.configHash !== undefined) {
      if (typeof r.configHash !== 'string' || !/^[0-9a-f]{64}$/.test(r.configHash)) return undefined;
      record.configHash = r.configHash;
    }
    if (r.publicKey !== undefined) {
      if (typeof r.publicKey !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(r.publicKey)) return undefined;
      record.publicKey = r.publicKey;
    }
    if (r.identity !== undefined) {
      const identity = parseIdentity(r.identity);
      if (!identity) return undefined;
      record.identity = identity;
    }
    return record;
  } catch {
    return undefined;
  }
}

export class WgQuickDriver implements TunnelDriver {
  readonly handshakeKnown: boolean;
  private readonly observed = new Map<string, Observed>();
  private readonly now: () => number;
  private recordsCache?: { mtimeMs: number; records: RunRecord[] };

  constructor(private readonly o: WgQuickDriverOptions) {
    this.now = o.now ?? Date.now;
    this.handshakeKnown = o.queryRunner !== undefined;
    ensurePrivateDir(o.runDir);
  }

  async up(req: UpRequest): Promise<Map<string, LinkState> | void> {
    const { iface, netns } = req;
    if (!isValidInterfaceName(iface)) throw new UserError(`"${iface}" is not a valid interface name`);
    if (netns !== null && !NETNS_NAME.test(netns))
      throw new UserError(`"${netns}" is not a valid network namespace name`);
    const owner = req.owner ?? ownUid();
    const configHash = sha256(req.config);
    const records = this.readRecords();
    const existing = records.find((r) => r.interface === iface);
    // Already up: as the caller's with this very config, there is nothing to do; anything else is another
    // tunnel using the name, and saying `up` would hand the caller's traffic to it.
    if (existing && this.isLive(existing)) {
      const mine = (existing.owner ?? owner) === owner;
      if (mine && (existing.configHash ?? configHash) === configHash)
        return this.links({ skipHandshakes: true });
      throw new InterfaceInUseError(iface);
    }
    for (const other of req.conflicts ?? []) {
      const r = records.find((x) => x.interface === other);
      if (r && r.netns === netns && (r.owner ?? owner) === owner && this.isLive(r))
        throw new RouteConflictError(other);
    }
    const { userspace, privateKey } = this.preflight(req);
    const record: RunRecord = {
      interface: iface,
      netns,
      userspace,
      phase: 'starting',
      at: this.now(),
      owner,
      configHash,
    };
    this.claimRecord(record);
    try {
      const upReq = { iface, netns: netns ?? undefined, userspace };
      let res: RunResult;
      if (this.o.configRunner) {
        res = await this.o.configRunner({ action: 'up', ...upReq, config: req.config });
      } else {
        writePrivateFile(this.confPath(iface), req.config, { durable: false });
        res = await this.o.runner(this.o.adapter.up({ configPath: this.confPath(iface), ...upReq }));
      }
      if (res.code !== 0) throw new TunnelOperationError(explainFailure(res.stderr, iface));
      // Which interface it is, read once now (root only: the UAPI socket and /proc of root's processes).
      const identity =
        ownUid() === 0
          ? await readIdentity({
              iface,
              netns,
              userspace,
              wireguardGo: this.o.tools.wireguardGo,
              ip: this.o.tools.ip,
            })
          : undefined;
      this.writeRecord({
        ...record,
        phase: 'up',
        // Native X25519: tweetnacl's takes 15 ms in the helper's --lite-mode (no optimizing compiler).
        ...(privateKey ? { publicKey: bytesToKey(x25519PublicKey(keyToBytes(privateKey))) } : {}),
        ...(identity ? { identity } : {}),
      });
      this.observed.delete(iface);
      if (identity?.pid) this.observedOf(iface).wgGoPid = identity.pid;
    } catch (e) {
      this.removeRunFiles(iface);
      throw e;
    }
  }

  /** `restore` gives the config back if its file was removed meanwhile (wg-quick down reads it); with a
   * `configRunner` it is always what wg-quick gets. */
  async down(iface: string, restore?: () => Promise<string>): Promise<void> {
    const record = this.readRecords().find((r) => r.interface === iface);
    if (!record) return;
    // Whatever has the name now is not what this record brought up: it is left alone, the record forgotten.
    if (record.identity && !identityHolds(record.identity, iface, record.netns)) return this.forgetNow(iface);
    const req = { iface, netns: record.netns ?? undefined, userspace: record.userspace };
    let res: RunResult;
    if (this.o.configRunner) {
      if (!restore)
        throw new TunnelOperationError(`the config wg-quick needs to take ${iface} down is not known`);
      res = await this.o.configRunner({ action: 'down', ...req, config: await restore() });
    } else {
      const path = this.confPath(iface);
      if (!existsSync(path)) {
        if (!restore) throw new TunnelOperationError(`the file wg-quick needs to take ${iface} down is gone`);
        writePrivateFile(path, await restore(), { durable: false });
      }
      res = await this.o.runner(this.o.adapter.down({ configPath: path, ...req }));
    }
    if (res.code !== 0 && this.countersIn(record) !== undefined)
      throw new TunnelOperationError(explainFailure(res.stderr, iface));
    this.removeRunFiles(iface);
    this.observed.delete(iface);
  }

  /** Reads every signal once. Spawns nothing unless a handshake must be read. */
  async links(options: LinksOptions = {}): Promise<Map<string, LinkState>> {
    const out = new Map<string, LinkState>();
    const cache = new Map<string | null, Map<string, Counters> | undefined>();
    for (const record of this.readRecords()) {
      const iface = record.interface;
      // An identified interface that is gone is gone for good (its process ended, its pid or name taken by
      // another): forgotten at once, never adopted.
      if (record.phase === 'up' && record.identity && !identityHolds(record.identity, iface, record.netns)) {
        this.forgetNow(iface);
        continue;
      }
      const counters = this.countersIn(record, cache);
      const starting = record.phase === 'starting' && this.now() - record.at <= STALE_START_MS;
      const seen = this.observedOf(iface);
      if (!counters && !starting) {
        // Gone behind our back (wg-quick down by hand, wireguard-go killed, reboot): forget our files. Only
        // when two looks in a row miss it: a record forgotten by mistake is a tunnel nobody can take down.
        if (!seen.missed) {
          seen.missed = true;
          if (seen.lastCounters) {
            out.set(iface, {
              ...ownership(record),
              iface,
              netns: record.netns,
              present: true,
              starting: false,
              rxBytes: seen.lastCounters.rxBytes ?? null,
              txBytes: seen.lastCounters.txBytes ?? null,
              latestHandshake: seen.latestHandshake,
              endpoint: seen.endpoint,
              peerRxBytes: seen.peerRxBytes,
              peerTxBytes: seen.peerTxBytes,
              peers: seen.peers,
            });
            continue;
          }
        } else {
          this.removeRunFiles(iface);
          this.observed.delete(iface);
          continue;
        }
      } else {
        seen.missed = false;
        if (counters) seen.lastCounters = counters;
      }
      if (counters) {
        const rxChanged = seen.lastRx !== counters.rxBytes;
        seen.lastRx = counters.rxBytes;
        if (
          this.o.queryRunner &&
          !options.skipHandshakes &&
          this.shouldReadHandshake(seen, rxChanged, options.forceHandshakes)
        ) {
          await this.readHandshake(record, seen);
        }
      }
      out.set(iface, {
        ...ownership(record),
        iface,
        netns: record.netns,
        present: counters !== undefined,
        starting: !counters && starting,
        rxBytes: counters?.rxBytes ?? null,
        txBytes: counters?.txBytes ?? null,
        latestHandshake: counters ? seen.latestHandshake : null,
        endpoint: counters ? seen.endpoint : null,
        peerRxBytes: counters ? seen.peerRxBytes : null,
        peerTxBytes: counters ? seen.peerTxBytes : null,
        peers: counters ? seen.peers : null,
      });
    }
    return out;
  }

  private preflight(req: UpRequest): { userspace: boolean; privateKey: string | undefined } {
    const { tools, adapter } = this.o;
    const report = checkConfigText(req.config);
    if (!report.config)
      throw new UserError(
        `The config is not valid: line ${report.errors[0]!.line}: ${report.errors[0]!.message}`,
      );
    const privateKey = report.config.interface.privateKey;
    let userspace = false;
    if (adapter.platform === 'linux') {
      if (!tools.wgQuick) throw new UserError(`wg-quick was not found: ${installHint('wgQuick', 'linux')}`);
      if (!tools.wg) throw new UserError(`wg was not found: ${installHint('wg', 'linux')}`);
      if (req.netns && !tools.ip) throw new UserError(`ip was not found: ${installHint('ip', 'linux')}`);
      const kernel = this.o.kernelWireguard ? this.o.kernelWireguard() : existsSync('/sys/module/wireguard');
      if (!kernel) {
        if (!tools.wireguardGo)
          throw new UserError(
            `This kernel has no WireGuard module and wireguard-go is not installed: ${installHint('wireguardGo', 'linux')}`,
          );
        userspace = true;
      }
      // In a namespace, wg-quick's resolvconf would still change the host's resolver (ip netns exec keeps
      // /etc/resolv.conf unless /etc/netns/NAME has its own): DNS stays out of namespaced tunnels.
      if (req.netns && report.config.interface.dns.length)
        throw new UserError(
          "The config sets DNS, which a tunnel in a network namespace cannot use: wg-quick would change the host's resolver. Remove the DNS line for --netns",
        );
      if (report.config.interface.dns.length && !tools.resolvconf) {
        throw new UserError(
          `The config sets DNS, and wg-quick needs resolvconf for that: ${installHint('resolvconf', 'linux')}`,
        );
      }
      if (!req.netns && existsSync(`/sys/class/net/${req.iface}`)) {
        throw new UserError(
          `An interface named ${req.iface} already exists and was not started by overlay-connect`,
        );
      }
    }
    return { userspace, privateKey };
  }

  private shouldReadHandshake(seen: Observed, rxChanged: boolean, force?: boolean): boolean {
    if (force || seen.handshakeReadAt === undefined) return true;
    // Waiting for the first handshake: new bytes in mean one probably just happened.
    if (seen.latestHandshake === null && rxChanged) return true;
    return this.now() - seen.handshakeReadAt >= HANDSHAKE_REREAD_MS;
  }

  private async readHandshake(record: RunRecord, seen: Observed): Promise<void> {
    if (!this.o.tools.wg) return;
    seen.handshakeReadAt = this.now();
    const cmd = inNetns(this.o.tools.ip ?? 'ip', record.netns ?? undefined, {
      file: this.o.tools.wg,
      args: ['show', record.interface, 'dump'],
    });
    const res = await this.o.queryRunner!(cmd);
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
  private countersIn(
    record: RunRecord,
    cache = new Map<string | null, Map<string, Counters> | undefined>(),
  ): Partial<Counters> | undefined {
    // Windows has no /proc: the tunnel service's adapter carries the tunnel's name, which is enough to
    // know it is up; its counters need administrator rights (`wg show`), so they stay unknown.
    if (this.o.adapter.platform === 'win32') return networkInterfaces()[record.interface] ? {} : undefined;
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
      const seen = this.observedOf(record.interface);
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
        this.o.queryRunner && this.o.tools.ip ? netDevInNetns(this.o.tools.ip, record.netns) : undefined,
      );
    return cache.get(record.netns)?.get(record.interface);
  }

  /** Up (or coming up) as far as the signals say: identity, then the interface's counters. */
  private isLive(record: RunRecord): boolean {
    if (record.identity && !identityHolds(record.identity, record.interface, record.netns)) return false;
    return this.countersIn(record) !== undefined;
  }

  private forgetNow(iface: string): void {
    this.removeRunFiles(iface);
    this.observed.delete(iface);
  }

  private observedOf(iface: string): Observed {
    let o = this.observed.get(iface);
    if (!o)
      this.observed.set(
        iface,
        (o = { latestHandshake: null, endpoint: null, peerRxBytes: null, peerTxBytes: null, peers: null }),
      );
    return o;
  }

  private confPath(iface: string): string {
    return join(this.o.runDir, `${iface}.conf`);
  }

  private recordPath(iface: string): string {
    return join(this.o.runDir, `${iface}.json`);
  }

  /**
   * Creates the interface's record exclusively (O_EXCL): of two processes bringing up the same interface at
   * once, one owns it and the other is told. A record left by a tunnel that is gone is replaced.
   */
  private claimRecord(r: RunRecord): void {
    const path = this.recordPath(r.interface);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(r));
        } finally {
          closeSync(fd);
        }
        this.recordsCache = undefined;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const other = parseRunRecord(readFileSync(path, 'utf8'));
        if (other?.phase === 'starting' && this.now() - other.at <= STALE_START_MS)
          throw new UserError(`${r.interface} is being brought up by another process`);
        // up() found no live interface for it: what is left is a record of a tunnel that is gone.
        rmSync(path, { force: true });
      }
    }
  }

  /** Forgets the files of an interface that is not up, at once: its tunnel is no longer in the store. */
  forget(iface: string): void {
    const record = this.readRecords().find((r) => r.interface === iface);
    if (!record || this.countersIn(record) !== undefined) return;
    if (record.phase === 'starting' && this.now() - record.at <= STALE_START_MS) return;
    this.removeRunFiles(iface);
    this.observed.delete(iface);
  }

  private writeRecord(r: RunRecord): void {
    writePrivateFile(this.recordPath(r.interface), JSON.stringify(r), { durable: false });
  }

  private removeRunFiles(iface: string): void {
    rmSync(this.confPath(iface), { force: true });
    rmSync(this.recordPath(iface), { force: true });
  }

  /** The run records, re-read only when the folder changed (one stat per poll). A malformed or foreign
   * file is ignored: record fields reach paths and commands. */
  private readRecords(): RunRecord[] {
    const mtimeMs = statSync(this.o.runDir).mtimeMs;
    if (this.recordsCache?.mtimeMs === mtimeMs) return this.recordsCache.records;
    const records: RunRecord[] = [];
    for (const f of readdirSync(this.o.runDir)) {
      if (!f.endsWith('.json')) continue;
      let text: string;
      try {
        text = readFileSync(join(this.o.runDir, f), 'utf8');
      } catch {
        continue;
      }
      const r = parseRunRecord(text);
      if (r && f === `${r.interface}.json`) records.push(r);
    }
    this.recordsCache = { mtimeMs, records };
    return records;
  }
}

/** Who a link belongs to, as its record says. */
function ownership(record: RunRecord): Pick<LinkState, 'owner' | 'publicKey'> {
  return {
    ...(record.owner !== undefined ? { owner: record.owner } : {}),
    publicKey: record.publicKey ?? null,
  };
}

/** The line of wg-quick's output that says what went wrong, with a hint for the known cases. */
export function explainFailure(stderr: string, iface: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^[│┌└]/.test(l) && !l.startsWith('[#]') && !l.startsWith('[!]'));
  const text = lines.slice(-2).join('; ') || 'wg-quick failed without saying why';
  if (/resolvconf: command not found/.test(text)) return `${text} (${installHint('resolvconf', 'linux')})`;
  if (/unix socket in use/.test(text))
    return `another WireGuard interface named ${iface} is running (perhaps in another network namespace)`;
  if (/Address already in use/i.test(text))
    return `${text} (the ListenPort is taken by another program or tunnel)`;
  return text;
}

function netDevInNetns(ip: string, netns: string): Map<string, Counters> | undefined {
  const r = spawnSync(ip, ['netns', 'exec', netns, 'cat', '/proc/net/dev'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return r.status === 0 ? parseNetDev(r.stdout) : undefined;
}
