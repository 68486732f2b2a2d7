import type { PeerLive } from './wg-dump.js';

/** What a tunnel's state is, derived from signals only (interface present, counters, handshake). */

export type TunnelState = 'down' | 'connecting' | 'up' | 'error';

export interface TunnelStatus {
  name: string;
  interface: string;
  state: TunnelState;
  rxBytes: number | null;
  txBytes: number | null;
  /** Unix seconds of the freshest peer handshake; null when none or when it cannot be read. */
  latestHandshake: number | null;
  endpoint: string | null;
  error: string | null;
  /** A sentence for the user when the state needs one ("up, but no handshake yet"). */
  detail: string | null;
  netns: string | null;
  /** Each peer's handshake and transfer, where they can be read (root or the helper); else null. */
  peers: PeerLive[] | null;
}

/**
 * WireGuard's own rule for a peer that stopped answering: when data was sent and nothing was received for
 * KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (10 s + 5 s), it starts a new handshake (whitepaper, section 6.5). An
 * idle tunnel sends nothing and is healthy however old its last handshake is.
 */
export const NO_REPLY_S = 15;

export interface Signals {
  name: string;
  iface: string;
  netns: string | null;
  /** An up or down is running for this tunnel right now. */
  operation: 'up' | 'down' | null;
  /** The interface exists (in the tunnel's namespace). */
  present: boolean;
  /** The last operation failed with this message, and nothing fixed it since. */
  error: string | null;
  rxBytes: number | null;
  txBytes: number | null;
  latestHandshake: number | null;
  /** Whether handshakes can be read here (needs privilege, or the helper). */
  handshakeKnown: boolean;
  /** Unix seconds since which bytes went out and nothing came back; null when everything was answered. */
  unansweredSince: number | null;
  endpoint: string | null;
  peers: PeerLive[] | null;
  now: number;
}

export function deriveStatus(s: Signals): TunnelStatus {
  const base = { name: s.name, interface: s.iface, netns: s.netns, error: null, detail: null };
  const counters = s.present
    ? {
        rxBytes: s.rxBytes,
        txBytes: s.txBytes,
        latestHandshake: s.latestHandshake,
        endpoint: s.endpoint,
        peers: s.peers,
      }
    : { rxBytes: null, txBytes: null, latestHandshake: null, endpoint: null, peers: null };
  if (s.operation === 'up')
    return { ...base, ...counters, state: 'connecting', detail: 'Bringing the tunnel up' };
  if (s.operation === 'down')
    return { ...base, ...counters, state: 'connecting', detail: 'Taking the tunnel down' };
  if (!s.present)
    return s.error
      ? { ...base, ...counters, state: 'error', error: s.error }
      : { ...base, ...counters, state: 'down' };
  const silent = s.unansweredSince !== null ? s.now - s.unansweredSince : 0;
  if (silent > NO_REPLY_S) {
    const handshake = s.latestHandshake
      ? `the last handshake was ${formatAge(s.now - s.latestHandshake)} ago`
      : 'no handshake with the peer yet';
    return {
      ...base,
      ...counters,
      state: 'connecting',
      detail: `No reply from the peer for ${formatAge(silent)} (${handshake})`,
    };
  }
  if (s.handshakeKnown && s.latestHandshake === null)
    return {
      ...base,
      ...counters,
      state: 'up',
      detail: 'No handshake yet: nothing has been sent through it',
    };
  return { ...base, ...counters, state: 'up' };
}

export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
