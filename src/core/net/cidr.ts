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
