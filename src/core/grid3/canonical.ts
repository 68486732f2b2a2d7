/**
 * Addresses as zos writes them into the challenge. zos reads every prefix field of a workload (`ip_range`,
 * `subnet`, a peer's `subnet` and `allowed_ips`) into a `gridtypes.IPNet` (Go's `net.ParseCIDR`, keeping
 * the address as written, host bits included) and hashes its `String()`; grid_client hashes the JSON string
 * as given. The two agree only on Go's own form, so a deployment must carry exactly that:
 * - IPv4: dotted decimal without leading zeros (Go refuses them);
 * - IPv6: RFC 5952, lowercase, the first longest run of two or more zero groups as `::`, no zone;
 * - the prefix length in decimal without leading zeros (Go accepts `/024` and writes `/24`).
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d/n`) is refused: Go writes it as IPv4 with a cut mask.
 * test/core/grid3 checks `canonicalPrefix` against Go's output (test/core/grid3/fixtures/go-ipnet.json).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A deployment that zos and grid_client would not hash alike, or that zos would refuse. */
export class Grid3FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Grid3FormatError';
  }
}

type Parsed = { kind: 'ipv4' | 'ipv6'; bytes: number[] };

/**
 * The 16 bytes of an IPv6 address that `net.isIPv6` accepted (no zone). Not ipaddr.js: it reads
 * `::a.b.c.d` as `::ffff:a.b.c.d`, where Go reads 12 zero bytes.
 */
function ipv6Bytes(text: string): number[] {
  const groupsOf = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const at = text.indexOf('::');
  const head = groupsOf(at < 0 ? text : text.slice(0, at));
  const tail = at < 0 ? [] : groupsOf(text.slice(at + 2));
  const groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function parseAddress(text: string): Parsed | undefined {
  if (isIPv4(text)) return { kind: 'ipv4', bytes: text.split('.').map(Number) };
  if (isIPv6(text) && !text.includes('%')) {
    return { kind: 'ipv6', bytes: ipv6Bytes(text) };
  }
  return undefined;
}

const isV4Mapped = (b: readonly number[]) =>
  b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/** Go's `net.IP.String()` of a 16-byte address that is not IPv4-mapped (RFC 5952). */
export function formatIPv6(bytes: readonly number[]): string {
  if (bytes.length !== 16) throw new Grid3FormatError('an IPv6 address has 16 bytes');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (g: readonly number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

function formatParsed(p: Parsed): string {
  return p.kind === 'ipv4' ? p.bytes.join('.') : formatIPv6(p.bytes);
}

/** An address (no prefix) in Go's form; throws Grid3FormatError if it is none or IPv4-mapped. */
export function canonicalAddress(text: string): string {
  const p = parseAddress(text);
  if (!p) throw new Grid3FormatError(`"${text}" is not an IPv4 or IPv6 address`);
  if (isV4Mapped(p.bytes)) throw new Grid3FormatError(`IPv4-mapped address "${text}" is not supported`);
  return formatParsed(p);
}

/**
 * `a.b.c.d/n` or `x::y/n` exactly as zos's `IPNet.String()` writes it after parsing `text` (the address
 * is kept as written: `10.20.3.7/24` stays so). Throws Grid3FormatError if Go would refuse it.
 */
export function canonicalPrefix(text: string): string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bits = slash < 0 ? '' : text.slice(slash + 1);
  const p = parseAddress(addr);
  if (!p || !/^[0-9]{1,5}$/.test(bits) || Number(bits) > p.bytes.length * 8) {
    throw new Grid3FormatError(`"${text}" is not an address prefix (a.b.c.d/n or x::y/n)`);
  }
  if (isV4Mapped(p.bytes)) {
    throw new Grid3FormatError(`IPv4-mapped prefix "${text}" is not supported (zos writes it as IPv4)`);
  }
  return `${formatParsed(p)}/${Number(bits)}`;
}

/** Throws unless `text` is already in canonical form, naming that form. */
export function assertCanonicalPrefix(text: string, where: string): void {
  const canonical = canonicalPrefix(text);
  if (canonical !== text) {
    throw new Grid3FormatError(
      `${where}: "${text}" must be written "${canonical}" (zos hashes that form, grid_client the text as is)`,
    );
  }
}

/** A WireGuard endpoint as grid_client writes it: `a.b.c.d:port` or `[x::y]:port`, address canonical. */
export function formatEndpoint(address: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Grid3FormatError(`port ${port} is not in 1–65535`);
  }
  const a = canonicalAddress(address);
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}
