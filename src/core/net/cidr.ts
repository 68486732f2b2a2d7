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
export function firstOverlap(
  left: readonly string[],
  right: readonly string[],
): [string, string] | undefined {
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

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** [first, last] of an IPv4 prefix as numbers, parsed without ipaddr.js (this runs ~10⁵ times per plan). */
function v4Range(text: string): [number, number] | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  const addr = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const size = 2 ** (32 - bits);
  const start = addr - (addr % size);
  return [start, start + size - 1];
}

const v4Cache = new Map<string, [number, number] | undefined>();
/** The same prefixes recur in every NR of a plan: parse each text once. */
function cachedV4Range(text: string): [number, number] | undefined {
  if (v4Cache.has(text)) return v4Cache.get(text);
  if (v4Cache.size > 100_000) v4Cache.clear();
  const r = v4Range(text);
  v4Cache.set(text, r);
  return r;
}

interface Span<T> {
  owner: number;
  text: string;
  start: T;
  end: T;
}

/** Sweep by start address remembering the furthest end of any owner and of any other owner than that. */
function sweep<T extends number | bigint>(spans: Span<T>[]): [string, string] | undefined {
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let best: Span<T> | undefined;
  let second: Span<T> | undefined; // furthest end among owners other than best.owner
  for (const s of spans) {
    const rival = best && best.owner !== s.owner ? best : second;
    if (rival && s.start <= rival.end) return [rival.text, s.text];
    if (!best || s.end > best.end) {
      if (best && best.owner !== s.owner) second = best;
      best = s;
    } else if (s.owner !== best.owner && (!second || s.end > second.end)) {
      second = s;
    }
  }
  return undefined;
}

/**
 * The first pair of overlapping prefixes that belong to different owners (e.g. two peers of one
 * WireGuard interface). Two prefixes overlap exactly when the longer one, cut to the shorter one's length,
 * is the shorter one; IPv4 is checked that way with one hash lookup per prefix length in use (a plan has
 * two: /24 and /32), IPv6 by a sort-and-sweep.
 */
export function overlapBetweenOwners(
  items: ReadonlyArray<{ owner: number; text: string }>,
): [string, string] | undefined {
  const byLength = new Map<number, Map<number, { owner: number; text: string }>>();
  const v4: Array<{ owner: number; text: string; start: number; bits: number }> = [];
  const v6: Span<bigint>[] = [];
  for (const { owner, text } of items) {
    const r = cachedV4Range(text);
    if (!r) {
      const [start, end] = prefixRange(parsePrefix(text));
      v6.push({ owner, text, start, end });
      continue;
    }
    const bits = 32 - Math.log2(r[1] - r[0] + 1);
    let level = byLength.get(bits);
    if (!level) byLength.set(bits, (level = new Map()));
    const same = level.get(r[0]);
    if (same && same.owner !== owner) return [same.text, text];
    if (!same) level.set(r[0], { owner, text });
    v4.push({ owner, text, start: r[0], bits });
  }
  const lengths = [...byLength.keys()].sort((a, b) => a - b);
  for (const item of v4) {
    for (const l of lengths) {
      if (l >= item.bits) break;
      const size = 2 ** (32 - l);
      const hit = byLength.get(l)!.get(item.start - (item.start % size));
      if (hit && hit.owner !== item.owner) return [hit.text, item.text];
    }
  }
  return sweep(v6);
}
