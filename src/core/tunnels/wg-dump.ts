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
    return [{ publicKey: f[0]!, endpoint: f[2] === '(none)' ? null : f[2]!, latestHandshake: hs > 0 ? hs : null, rxBytes: Number(f[5]), txBytes: Number(f[6]) }];
  });
}

/** The freshest handshake of all peers and the endpoint of the peer that made it. */
export function summarizePeers(peers: PeerLive[]): { latestHandshake: number | null; endpoint: string | null } {
  let best: PeerLive | undefined;
  for (const p of peers) if (p.latestHandshake && (!best || p.latestHandshake > best.latestHandshake!)) best = p;
  return { latestHandshake: best?.latestHandshake ?? null, endpoint: best?.endpoint ?? peers.find((p) => p.endpoint)?.endpoint ?? null };
}
