/**
 * What brings WireGuard interfaces up and down and reports on them, keyed by interface name. The tunnel
 * service maps the user's tunnels onto it. Two kinds exist: `WgQuickDriver` runs wg-quick itself (as root,
 * or elevated per action) and the helper client asks the privileged helper over its socket.
 */

import { UserError } from '../errors.js';
import type { PeerLive } from './wg-dump.js';

/** One interface this driver brought up, as last observed. Never holds a key. */
export interface LinkState {
  iface: string;
  netns: string | null;
  /** The interface exists. False while wg-quick up is still running (`starting`). */
  present: boolean;
  /** wg-quick up is running for it, perhaps in another process. */
  starting: boolean;
  rxBytes: number | null;
  txBytes: number | null;
  /** Unix seconds of the freshest peer handshake; null when none or when it cannot be read here. */
  latestHandshake: number | null;
  endpoint: string | null;
  /** Bytes received from and sent to the peers (from `wg show`, as often as handshakes are read); null
   * where that cannot be read. The interface's own counters also hold the kernel's chatter. */
  peerRxBytes: number | null;
  peerTxBytes: number | null;
  /** Each peer as `wg show` last reported it (read as often as handshakes); null where it cannot be read. */
  peers: PeerLive[] | null;
  /** The uid that brought it up, where the driver records it (the helper does). */
  owner?: number;
  /** The interface's public key as brought up: a client takes the link for its tunnel only when it is its
   * own key. */
  publicKey?: string | null;
}

export interface UpRequest {
  iface: string;
  /** The whole wg-quick text, private key included. */
  config: string;
  netns: string | null;
  /** Who asks (the helper passes the connection's uid); the process's own uid otherwise. */
  owner?: number;
  /** Interfaces of the caller's other tunnels whose routes overlap this one's: `up` is refused with a
   * RouteConflictError if one of them is up. */
  conflicts?: string[];
}

/** The interface exists and is not the caller's tunnel with this very config. */
export class InterfaceInUseError extends UserError {
  constructor(readonly iface: string) {
    super(`${iface} is in use by another tunnel`);
    this.name = 'InterfaceInUseError';
  }
}

/** One of the caller's tunnels whose routes overlap is up. */
export class RouteConflictError extends UserError {
  constructor(readonly iface: string) {
    super(`${iface} is up and its routes overlap`);
    this.name = 'RouteConflictError';
  }
}

export interface LinksOptions {
  /** Read handshakes now even if a recent read is cached (`tunnel status`). */
  forceHandshakes?: boolean;
  /** Do not read handshakes (right after `up`, when none can have happened). */
  skipHandshakes?: boolean;
}

export interface TunnelDriver {
  /** Whether `latestHandshake` is read at all (it needs privilege). */
  readonly handshakeKnown: boolean;
  /** Brings it up, or does nothing if it is already up as the caller's with this config. Resolves with the
   * caller's links right after where the driver has them in the same step (the helper's reply). */
  up(req: UpRequest): Promise<Map<string, LinkState> | void>;
  /** Takes down an interface this driver brought up; one it does not know is left alone. `restore` gives
   * the config again where the driver keeps it in a file the user could have removed. */
  down(iface: string, restore?: () => Promise<string>): Promise<void>;
  /** The interfaces this driver brought up and still owns (also those a previous run left up). */
  links(options?: LinksOptions): Promise<Map<string, LinkState>>;
  /** Drops what it keeps for an interface that is down and whose tunnel left the store (where it keeps
   * anything the user owns; the helper's files are its own). */
  forget?(iface: string): void;
}
