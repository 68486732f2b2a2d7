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
}

/** WireGuard rekeys every 2 minutes while traffic flows; 180 s without a handshake means the peer is gone. */
export const HANDSHAKE_FRESH_S = 180;

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
  /** Whether handshakes can be read here (needs privilege); without it, received bytes are the signal. */
  handshakeKnown: boolean;
  /** Unix seconds when rxBytes last grew, as observed by this process. */
  rxGrewAt: number | null;
  endpoint: string | null;
  now: number;
}

export function deriveStatus(s: Signals): TunnelStatus {
  const base = { name: s.name, interface: s.iface, netns: s.netns, error: null, detail: null };
  const counters = s.present ? { rxBytes: s.rxBytes, txBytes: s.txBytes, latestHandshake: s.latestHandshake, endpoint: s.endpoint } : { rxBytes: null, txBytes: null, latestHandshake: null, endpoint: null };
  if (s.operation === 'up') return { ...base, ...counters, state: 'connecting', detail: 'Bringing the tunnel up' };
  if (s.operation === 'down') return { ...base, ...counters, state: 'connecting', detail: 'Taking the tunnel down' };
  if (!s.present) return s.error ? { ...base, ...counters, state: 'error', error: s.error } : { ...base, ...counters, state: 'down' };
  const handshakeAge = s.latestHandshake ? s.now - s.latestHandshake : null;
  const rxAge = s.rxGrewAt ? s.now - s.rxGrewAt : null;
  if (handshakeAge !== null && handshakeAge <= HANDSHAKE_FRESH_S) return { ...base, ...counters, state: 'up' };
  if (!s.handshakeKnown && rxAge !== null && rxAge <= HANDSHAKE_FRESH_S) return { ...base, ...counters, state: 'up' };
  const detail = handshakeAge !== null
    ? `Up, but no handshake for ${formatAge(handshakeAge)}`
    : s.handshakeKnown ? 'Up, but no handshake with the peer yet' : 'Up, but nothing received from the peer yet';
  return { ...base, ...counters, state: 'connecting', detail };
}

export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
