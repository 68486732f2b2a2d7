/**
 * Brings the user's tunnels up and down through a driver (wg-quick run here, or the privileged helper)
 * and always knows, from real signals, what state each one is in. It owns the mapping from tunnel names
 * to interfaces, the checks that need the whole store (overlapping routes), and the events the tray and
 * the window listen to.
 */
import { UserError } from '../errors.js';
import { firstOverlap } from '../net/cidr.js';
import type { TunnelRecord } from '../store/schema.js';
import type { TunnelStore } from './tunnel-store.js';
import { NETNS_NAME } from './command-line.js';
import { KeyedMutex } from './keyed-mutex.js';
import {
  InterfaceInUseError,
  RouteConflictError,
  type LinksOptions,
  type LinkState,
  type TunnelDriver,
} from './tunnel-driver.js';
import { deriveStatus, type TunnelStatus } from './tunnel-status.js';
import { TunnelOperationError } from './wg-quick-driver.js';

export { explainFailure, TunnelOperationError } from './wg-quick-driver.js';

export interface TunnelServiceOptions {
  tunnels: TunnelStore;
  driver: TunnelDriver;
  now?: () => number;
}

interface Live {
  operation: 'up' | 'down' | null;
  error: string | null;
  /** Which counters lastRx/lastTx came from: the peers' (exact) or the interface's. */
  source?: 'peers' | 'interface';
  lastRx?: number;
  lastTx?: number;
  /** Unix seconds since which bytes went out and nothing came back. */
  unansweredSince: number | null;
  /** The tx counter when the unanswered run began, and how much went out since. */
  unansweredFrom?: number;
  unansweredBytes?: number;
  noiseFloor?: number;
}

/** What the kernel sends by itself on a fresh interface (3 router solicitations and 2 MLD reports are
 * about 360 bytes), rounded up: only counts where the peers' own counters cannot be read. */
const INTERFACE_NOISE_BYTES = 1024;

export class TunnelService {
  private readonly live = new Map<string, Live>();
  private readonly mutex = new KeyedMutex();
  private readonly listeners = new Set<(status: TunnelStatus) => void>();
  private lastSent = new Map<string, string>();
  private current: TunnelStatus[] = [];
  private links = new Map<string, LinkState>();
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly o: TunnelServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Pushes every change of a tunnel's status (the tray and the window listen). */
  onChange(listener: (status: TunnelStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last known status of every tunnel, with an up or down in progress shown as `connecting` (the
   * quit question must see a tunnel that is on its way up). */
  statuses(): TunnelStatus[] {
    return this.withOperations(this.current);
  }

  /** Whether the tunnel is up or being brought up (by us, or by an earlier run that we adopted). */
  async isActive(name: string): Promise<boolean> {
    if (this.live.get(name)?.operation != null) return true;
    const iface = this.o.tunnels.get(name).interface;
    return (await this.o.driver.links({ skipHandshakes: true })).has(iface);
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
    if (netns !== null && !NETNS_NAME.test(netns))
      return Promise.reject(new UserError(`"${netns}" is not a valid network namespace name`));
    return this.mutex.run(name, async () => {
      const tunnel = this.o.tunnels.get(name);
      // The driver refuses if one of these is up (in the same namespace), and does nothing if this tunnel is
      // up already as ours with this config: the check and the up are one step (one helper round trip).
      const overlaps = this.overlapping(tunnel);
      const config = await this.o.tunnels.wgQuickText(name);
      const live = this.liveOf(name);
      live.operation = 'up';
      live.error = null;
      this.publish();
      let after: Map<string, LinkState> | void = undefined;
      try {
        after = await this.o.driver.up({
          iface: tunnel.interface,
          config,
          netns,
          conflicts: overlaps.map((o) => o.other.interface),
        });
      } catch (e) {
        const overlap =
          e instanceof RouteConflictError && overlaps.find((o) => o.other.interface === e.iface);
        live.error = overlap
          ? `${overlap.hit[0]} of "${name}" overlaps ${overlap.hit[1]} of "${overlap.other.name}", which is up: traffic would go to one of them only. Disconnect "${overlap.other.name}" first.`
          : e instanceof TunnelOperationError || e instanceof InterfaceInUseError
            ? `Cannot bring "${name}" up: ${e.message}`
            : (e as Error).message;
        throw e instanceof TunnelOperationError
          ? new TunnelOperationError(live.error)
          : e instanceof RouteConflictError || e instanceof InterfaceInUseError
            ? new UserError(live.error)
            : e;
      } finally {
        // Read the outcome while the operation still shows, then end it: no moment in between shows the
        // tunnel as it was before (the quit question once saw a tunnel coming up as down there). The helper's
        // reply carries it; a local driver is read once more. No handshake can have happened yet.
        if (after) {
          this.links = after;
          this.forgetOrphans();
        } else await this.refresh({ skipHandshakes: true }).catch(() => undefined);
        live.operation = null;
        this.derive();
      }
      return this.statusOf(name)!;
    });
  }

  down(name: string): Promise<TunnelStatus> {
    return this.mutex.run(name, async () => {
      const tunnel = this.o.tunnels.get(name);
      const live = this.liveOf(name);
      live.error = null;
      await this.refresh({ skipHandshakes: true });
      if (!this.links.has(tunnel.interface)) {
        await this.refresh();
        return this.statusOf(name)!;
      }
      live.operation = 'down';
      this.publish();
      try {
        await this.o.driver.down(tunnel.interface, () => this.o.tunnels.wgQuickText(name));
      } catch (e) {
        live.error =
          e instanceof TunnelOperationError
            ? `Cannot take "${name}" down: ${e.message}`
            : (e as Error).message;
        throw e instanceof TunnelOperationError ? new TunnelOperationError(live.error) : e;
      } finally {
        await this.refresh().catch(() => undefined);
        live.operation = null;
        this.derive();
      }
      return this.statusOf(name)!;
    });
  }

  /** Reads every signal once and pushes what changed. */
  async refresh(options: LinksOptions = {}): Promise<TunnelStatus[]> {
    this.links = await this.o.driver.links(options);
    this.forgetOrphans();
    return this.derive();
  }

  /** Run files of an interface that is down and belongs to no tunnel any more (removed, or the store
   * replaced) are dropped now, not left for a later look. */
  private forgetOrphans(): void {
    const gone = [...this.links.values()].filter((l) => !l.present && !l.starting);
    // Usually none: the store (a file read) is looked at only when there is something to decide.
    if (!this.o.driver.forget || !gone.length) return;
    const known = new Set(this.o.tunnels.list().map((t) => t.interface));
    for (const { iface } of gone)
      if (!known.has(iface)) {
        this.o.driver.forget(iface);
        this.links.delete(iface);
      }
  }

  /** The statuses from the links last read and what is in progress; pushes what changed. */
  private derive(): TunnelStatus[] {
    const tunnels = this.o.tunnels.list();
    const statuses: TunnelStatus[] = [];
    const nowS = this.now() / 1000;
    for (const t of tunnels) {
      const live = this.liveOf(t.name);
      // An interface of this name counts as this tunnel only with this tunnel's key (where the driver
      // knows the interface's key: the helper's records do).
      const theLink = this.links.get(t.interface);
      const link = theLink?.publicKey && theLink.publicKey !== t.publicKey ? undefined : theLink;
      const present = link?.present === true;
      if (present) this.watchReplies(live, link!, nowS);
      else {
        live.lastRx = live.lastTx = live.source = undefined;
        live.unansweredSince = null;
      }
      statuses.push(
        deriveStatus({
          name: t.name,
          iface: t.interface,
          netns: link?.netns ?? null,
          operation: live.operation ?? (link?.starting ? 'up' : null),
          present,
          error: live.error,
          rxBytes: link?.rxBytes ?? null,
          txBytes: link?.txBytes ?? null,
          latestHandshake: link?.latestHandshake ?? null,
          handshakeKnown: this.o.driver.handshakeKnown,
          unansweredSince: (live.unansweredBytes ?? 0) > (live.noiseFloor ?? 0) ? live.unansweredSince : null,
          endpoint: link?.endpoint ?? t.config.peers.find((p) => p.endpoint)?.endpoint ?? null,
          peers: link?.peers ?? null,
          now: nowS,
        }),
      );
    }
    this.current = statuses;
    this.publish();
    return statuses;
  }

  /**
   * An idle tunnel is healthy; one that sends and hears nothing back is not. Received bytes (a handshake
   * response is one) answer everything sent before them. The peers' own counters (`wg show`, via root or
   * the helper) are the signal where they can be read. Otherwise the interface's counters are, and those
   * also count what the kernel itself sends on a new interface (IPv6 router solicitations and MLD reports,
   * a few hundred bytes): there, less than INTERFACE_NOISE_BYTES unanswered is not taken for silence.
   */
  private watchReplies(live: Live, link: LinkState, nowS: number): void {
    const peers = link.peerRxBytes !== null && link.peerTxBytes !== null;
    const source = peers ? 'peers' : 'interface';
    const rx = (peers ? link.peerRxBytes : link.rxBytes) ?? 0;
    const tx = (peers ? link.peerTxBytes : link.txBytes) ?? 0;
    if (live.source !== source) {
      // First look, or the signal changed: start from here.
      live.source = source;
      live.unansweredSince = null;
      live.unansweredFrom = rx === 0 && tx > 0 ? 0 : tx;
      if (rx === 0 && tx > 0) live.unansweredSince = nowS;
    } else if (rx > live.lastRx!) {
      live.unansweredSince = null;
      live.unansweredFrom = tx;
    } else if (tx > live.lastTx! && live.unansweredSince === null) {
      live.unansweredSince = nowS;
      live.unansweredFrom = live.lastTx!;
    }
    live.lastRx = rx;
    live.lastTx = tx;
    live.unansweredBytes = live.unansweredSince === null ? 0 : tx - (live.unansweredFrom ?? 0);
    live.noiseFloor = source === 'interface' ? INTERFACE_NOISE_BYTES : 0;
  }

  /** The user's other tunnels whose addresses or routes overlap this one's (whether up or not: the driver
   * knows which are up). */
  private overlapping(tunnel: TunnelRecord): { other: TunnelRecord; hit: [string, string] }[] {
    const routes = (t: TunnelRecord) => [
      ...t.config.interface.addresses,
      ...t.config.peers.flatMap((p) => p.allowedIPs),
    ];
    const mine = routes(tunnel);
    const out: { other: TunnelRecord; hit: [string, string] }[] = [];
    for (const other of this.o.tunnels.list()) {
      if (other.name === tunnel.name || other.interface === tunnel.interface) continue;
      const hit = firstOverlap(mine, routes(other));
      if (hit) out.push({ other, hit: [hit[0], hit[1]] });
    }
    return out;
  }

  private withOperations(statuses: TunnelStatus[]): TunnelStatus[] {
    return statuses.map((s) => {
      const live = this.live.get(s.name);
      if (!live || live.operation === null) return s;
      return {
        ...s,
        state: 'connecting' as const,
        detail: live.operation === 'up' ? 'Bringing the tunnel up' : 'Taking the tunnel down',
        error: null,
      };
    });
  }

  private publish(): void {
    for (const s of this.withOperations(this.current)) {
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
    if (!l) this.live.set(name, (l = { operation: null, error: null, unansweredSince: null }));
    return l;
  }
}
