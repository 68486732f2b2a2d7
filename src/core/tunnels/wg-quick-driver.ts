/**
 * Runs wg-quick itself. For every interface that is up, the run folder holds the file wg-quick was given
 * (`<iface>.conf`, 0600) and a small record (`<iface>.json`) saying which namespace it lives in; both are
 * removed when it goes down. Those records are how a restarted process adopts what is already up. The
 * privileged helper uses this same driver, with a root-owned run folder under /run. With a `configRunner`
 * (Linux elevation) wg-quick gets the config's text instead, and the run folder holds only the records.
 *
 * This file holds the driver: up, down, links, forget. Beside it: run-records.ts (the records and their
 * files), wg-quick-preflight.ts (what is checked before up), link-observation.ts (counters and handshakes
 * read on each look) and wg-quick-failure.ts (what a failure says).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { writePrivateFile } from '../store/private-files.js';
import { isValidInterfaceName } from '../wgconf/interface-name.js';
import { x25519PublicKey } from '../crypto/x25519.js';
import { bytesToKey, keyToBytes } from '../wgconf/keys.js';
import { NETNS_NAME } from './command-line.js';
import { identityHolds, readIdentity } from './link-identity.js';
import {
  countersIn,
  newObserved,
  readHandshake,
  shouldReadHandshake,
  type NetDevCache,
  type Observed,
} from './link-observation.js';
import type { Counters } from './link-stats.js';
import type { PlatformAdapter } from './platform-adapters.js';
import type { ConfigRunner } from './pkexec-wg-quick.js';
import { RunRecords, stillStarting, type RunRecord } from './run-records.js';
import type { CommandRunner, RunResult } from './runner.js';
import type { ToolPaths } from './tool-paths.js';
import {
  InterfaceInUseError,
  RouteConflictError,
  type LinksOptions,
  type LinkState,
  type TunnelDriver,
  type UpRequest,
} from './tunnel-driver.js';
import { explainFailure, TunnelOperationError } from './wg-quick-failure.js';
import { preflight } from './wg-quick-preflight.js';

export { parseRunRecord, type RunRecord } from './run-records.js';
export { explainFailure, TunnelOperationError } from './wg-quick-failure.js';

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

const ownUid = () => process.getuid?.() ?? -1;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class WgQuickDriver implements TunnelDriver {
  readonly handshakeKnown: boolean;
  private readonly observed = new Map<string, Observed>();
  private readonly now: () => number;
  private readonly records: RunRecords;

  constructor(private readonly o: WgQuickDriverOptions) {
    this.now = o.now ?? Date.now;
    this.handshakeKnown = o.queryRunner !== undefined;
    this.records = new RunRecords(o.runDir, this.now);
  }

  async up(req: UpRequest): Promise<Map<string, LinkState> | void> {
    const { iface, netns } = req;
    if (!isValidInterfaceName(iface)) throw new UserError(`"${iface}" is not a valid interface name`);
    if (netns !== null && !NETNS_NAME.test(netns))
      throw new UserError(`"${netns}" is not a valid network namespace name`);
    const owner = req.owner ?? ownUid();
    const configHash = sha256(req.config);
    const records = this.records.read();
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
    const { userspace, privateKey } = preflight(req, this.o);
    const record: RunRecord = {
      interface: iface,
      netns,
      userspace,
      phase: 'starting',
      at: this.now(),
      owner,
      configHash,
    };
    this.records.claim(record);
    try {
      const upReq = { iface, netns: netns ?? undefined, userspace };
      let res: RunResult;
      if (this.o.configRunner) {
        res = await this.o.configRunner({ action: 'up', ...upReq, config: req.config });
      } else {
        writePrivateFile(this.records.confPath(iface), req.config, { durable: false });
        res = await this.o.runner(this.o.adapter.up({ configPath: this.records.confPath(iface), ...upReq }));
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
      this.records.write({
        ...record,
        phase: 'up',
        // Native X25519: tweetnacl's takes 15 ms in the helper's --lite-mode (no optimizing compiler).
        ...(privateKey ? { publicKey: bytesToKey(x25519PublicKey(keyToBytes(privateKey))) } : {}),
        ...(identity ? { identity } : {}),
      });
      this.observed.delete(iface);
      if (identity?.pid) this.observedOf(iface).wgGoPid = identity.pid;
    } catch (e) {
      this.records.remove(iface);
      throw e;
    }
  }

  /** `restore` gives the config back if its file was removed meanwhile (wg-quick down reads it); with a
   * `configRunner` it is always what wg-quick gets. */
  async down(iface: string, restore?: () => Promise<string>): Promise<void> {
    const record = this.records.read().find((r) => r.interface === iface);
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
      const path = this.records.confPath(iface);
      if (!existsSync(path)) {
        if (!restore) throw new TunnelOperationError(`the file wg-quick needs to take ${iface} down is gone`);
        writePrivateFile(path, await restore(), { durable: false });
      }
      res = await this.o.runner(this.o.adapter.down({ configPath: path, ...req }));
    }
    if (res.code !== 0 && this.countersIn(record) !== undefined)
      throw new TunnelOperationError(explainFailure(res.stderr, iface));
    this.records.remove(iface);
    this.observed.delete(iface);
  }

  /** Reads every signal once. Spawns nothing unless a handshake must be read. */
  async links(options: LinksOptions = {}): Promise<Map<string, LinkState>> {
    const out = new Map<string, LinkState>();
    const cache: NetDevCache = new Map();
    for (const record of this.records.read()) {
      const iface = record.interface;
      // An identified interface that is gone is gone for good (its process ended, its pid or name taken by
      // another): forgotten at once, never adopted.
      if (record.phase === 'up' && record.identity && !identityHolds(record.identity, iface, record.netns)) {
        this.forgetNow(iface);
        continue;
      }
      const counters = this.countersIn(record, cache);
      const starting = stillStarting(record, this.now);
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
          this.records.remove(iface);
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
          shouldReadHandshake(seen, rxChanged, this.now, options.forceHandshakes)
        ) {
          await readHandshake(record, seen, this.o, this.now);
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

  /** Up (or coming up) as far as the signals say: identity, then the interface's counters. */
  private isLive(record: RunRecord): boolean {
    if (record.identity && !identityHolds(record.identity, record.interface, record.netns)) return false;
    return this.countersIn(record) !== undefined;
  }

  private forgetNow(iface: string): void {
    this.records.remove(iface);
    this.observed.delete(iface);
  }

  private observedOf(iface: string): Observed {
    let o = this.observed.get(iface);
    if (!o) this.observed.set(iface, (o = newObserved()));
    return o;
  }

  private countersIn(record: RunRecord, cache?: NetDevCache): Partial<Counters> | undefined {
    return countersIn(record, this.o, (iface) => this.observedOf(iface), cache);
  }

  /** Forgets the files of an interface that is not up, at once: its tunnel is no longer in the store. */
  forget(iface: string): void {
    const record = this.records.read().find((r) => r.interface === iface);
    if (!record || this.countersIn(record) !== undefined) return;
    if (stillStarting(record, this.now)) return;
    this.records.remove(iface);
    this.observed.delete(iface);
  }
}

/** Who a link belongs to, as its record says. */
function ownership(record: RunRecord): Pick<LinkState, 'owner' | 'publicKey'> {
  return {
    ...(record.owner !== undefined ? { owner: record.owner } : {}),
    publicKey: record.publicKey ?? null,
  };
}
