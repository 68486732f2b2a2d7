/** Prefix arithmetic shared by the tunnel overlap check and the network planner. */
import ipaddr from 'ipaddr.js';

export interface Prefix {
  addr: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
  text: string;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a host prefix). */
export function parsePrefix(text: string): Prefix {
  const [addr, bits] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), -1];
  const kind = addr.kind();
  return { addr, bits: bits < 0 ? (kind === 'ipv4' ? 32 : 128) : bits, text };
}

/** Whether two prefixes share any address (one contains the other's network). */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.addr.kind() !== b.addr.kind()) return false;
  const shorter = a.bits <= b.bits ? a : b;
  const longer = shorter === a ? b : a;
  return longer.addr.match(shorter.addr, shorter.bits);
}

export function overlaps(a: string, b: string): boolean {
  return prefixesOverlap(parsePrefix(a), parsePrefix(b));
}

/** The first pair of overlapping prefixes between two lists, if any. */
export function firstOverlap(left: readonly string[], right: readonly string[]): [string, string] | undefined {
  const r = right.map(parsePrefix);
  for (const l of left.map(parsePrefix)) {
    const hit = r.find((p) => prefixesOverlap(l, p));
    if (hit) return [l.text, hit.text];
  }
  return undefined;
}

/** [first, last] address of a prefix as integers (BigInt covers both families). */
export function prefixRange(p: Prefix): [bigint, bigint] {
  const bytes = p.addr.toByteArray();
  let start = 0n;
  for (const b of bytes) start = (start << 8n) | BigInt(b);
  const hostBits = BigInt(bytes.length * 8 - p.bits);
  start = (start >> hostBits) << hostBits;
  return [start, start + (1n << hostBits) - 1n];
}

/**
 * The first pair of overlapping prefixes that belong to different owners (e.g. two peers of one
 * WireGuard interface), in O(n log n): a sweep by start address that remembers the furthest end reached
 * by any owner and by any other owner than that one.
 */
export function overlapBetweenOwners(items: ReadonlyArray<{ owner: number; prefix: Prefix }>): [string, string] | undefined {
  for (const family of ['ipv4', 'ipv6']) {
    const spans = items
      .filter((i) => i.prefix.addr.kind() === family)
      .map((i) => ({ owner: i.owner, text: i.prefix.text, range: prefixRange(i.prefix) }))
      .sort((a, b) => (a.range[0] < b.range[0] ? -1 : a.range[0] > b.range[0] ? 1 : 0));
    let best: { end: bigint; owner: number; text: string } | undefined;
    let second: { end: bigint; owner: number; text: string } | undefined; // furthest end of an owner ≠ best.owner
    for (const s of spans) {
      const rival = best && best.owner !== s.owner ? best : second;
      if (rival && s.range[0] <= rival.end) return [rival.text, s.text];
      const mine = { end: s.range[1], owner: s.owner, text: s.text };
      if (!best || mine.end > best.end) {
        if (best && best.owner !== mine.owner) second = best;
        best = mine;
      } else if (mine.owner !== best.owner && (!second || mine.end > second.end)) {
        second = mine;
      }
    }
  }
  return undefined;
}
