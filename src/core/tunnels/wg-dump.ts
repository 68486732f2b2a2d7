/**
 * Reads `wg show <if> dump`. Its first line carries the interface's PRIVATE KEY: it is dropped here, at
 * once, and the text is never logged or passed on.
 */

export interface PeerLive {
  publicKey: string;
  endpoint: string | null;
  /** Unix seconds, null when there was never a handshake. */
  latestHandshake: number | null;
  rxBytes: number;
  txBytes: number;
}

export function parseWgDump(text: string): PeerLive[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(1).flatMap((line) => {
    const f = line.split('\t');
    if (f.length < 8) return [];
    const hs = Number(f[4]);
    return [
      {
        publicKey: f[0]!,
        endpoint: f[2] === '(none)' ? null : f[2]!,
        latestHandshake: hs > 0 ? hs : null,
        rxBytes: Number(f[5]),
        txBytes: Number(f[6]),
      },
    ];
  });
}

export interface PeersSummary {
  latestHandshake: number | null;
  endpoint: string | null;
  /** Bytes exchanged with the peers themselves (handshakes included); unlike the interface's counters,
   * the kernel's own chatter on the interface (IPv6 router solicitations) is not in them. */
  rxBytes: number;
  txBytes: number;
}

/** The freshest handshake of all peers, the endpoint of the peer that made it, and their transfer totals. */
export function summarizePeers(peers: PeerLive[]): PeersSummary {
  let best: PeerLive | undefined;
  for (const p of peers)
    if (p.latestHandshake && (!best || p.latestHandshake > best.latestHandshake!)) best = p;
  return {
    latestHandshake: best?.latestHandshake ?? null,
    endpoint: best?.endpoint ?? peers.find((p) => p.endpoint)?.endpoint ?? null,
    rxBytes: peers.reduce((n, p) => n + p.rxBytes, 0),
    txBytes: peers.reduce((n, p) => n + p.txBytes, 0),
  };
}
