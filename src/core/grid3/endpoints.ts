/**
 * Which address other nodes dial to reach a node's WireGuard, as grid_client 2.9.2 decides it
 * (`primitives/network.js getNodeEndpoint`), from what the node answers over RMB:
 * 1. `zos.network.public_config_get`: its `ipv4` ("a.b.c.d/nn") if that is not private, else its `ipv6`
 *    if that is not private; the prefix is cut;
 * 2. otherwise `zos.network.interfaces`: the **last** non-private address of the `zos` interface (often a
 *    SLAAC IPv6 of a node behind NAT, which makes such a node "public" for grid_client);
 * 3. otherwise none: the node is hidden and reaches the network through an access node.
 * "Private" is the `private-ip` package's notion (see `isPublicAddress`). Anything else the node sends is
 * ignored rather than trusted.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalAddress } from './canonical.js';

/** What `zos.network.public_config_get` answers (only the fields used); null when the node has none. */
export interface NodePublicConfig {
  ipv4?: string | null;
  ipv6?: string | null;
}

/** What `zos.network.interfaces` answers: interface name → addresses. */
export type NodeInterfaces = Record<string, unknown>;

// The ranges `private-ip` 2.3.4 (grid_client's dependency) calls private: IPv4 special-purpose blocks.
const PRIVATE_V4: ReadonlyArray<readonly [number, number]> = (
  [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.31.196.0', 24],
    ['192.52.193.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['192.175.48.0', 24],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['240.0.0.0', 4],
    ['255.255.255.255', 32],
  ] as const
).map(([a, n]) => [v4Number(a), n] as const);

function v4Number(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function inV4(x: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return x >= base && x < base + size;
}

/**
 * The IPv6 blocks `private-ip` matches (it matches text with regular expressions; these are the blocks
 * those expressions mean, tested on the address's bytes): unspecified, loopback, IPv4-mapped, NAT64,
 * discard-only 100::/64, Teredo 2001::/32, ORCHIDv2 2001:20::/28, documentation 2001:db8::/32, 6to4
 * 2002::/16, unique local fc00::/7, link local fe80::/10, multicast ff00::/8. (Its expressions also miss
 * some spellings, e.g. "2001:DB8::1" in capitals or a Teredo address not written "2001::…": those it
 * calls public, and a node announcing one would be a broken node anyway.)
 */
function privateV6(bytes: number[]): boolean {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const [b0, b1, b2, b3] = bytes as [number, number, number, number];
  if (zero(0, 15) && (bytes[15] === 0 || bytes[15] === 1)) return true;
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return true;
  if (b0 === 0 && b1 === 0x64 && b2 === 0xff && b3 === 0x9b && zero(4, 12)) return true;
  if (b0 === 0x01 && b1 === 0 && zero(2, 8)) return true;
  if (b0 === 0x20 && b1 === 0x01) {
    if (b2 === 0 && b3 === 0) return true;
    if (b2 === 0 && (b3 & 0xf0) === 0x20) return true;
    if (b2 === 0x0d && b3 === 0xb8) return true;
  }
  if (b0 === 0x20 && b1 === 0x02) return true;
  if ((b0 & 0xfe) === 0xfc) return true;
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return true;
  return b0 === 0xff;
}

function v6Bytes(canonical: string): number[] {
  const expand = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const at = canonical.indexOf('::');
  const head = expand(at < 0 ? canonical : canonical.slice(0, at));
  const tail = at < 0 ? [] : expand(canonical.slice(at + 2));
  const groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The canonical form of a plain IPv4 or IPv6 address (no prefix, no zone), or undefined. */
function plainAddress(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.includes('%')) return undefined;
  if (!isIPv4(text) && !isIPv6(text)) return undefined;
  try {
    return canonicalAddress(text);
  } catch {
    return undefined; // IPv4-mapped IPv6: never a usable endpoint
  }
}

/** True for an address `private-ip` calls public (see the ranges above); false for any other text. */
export function isPublicAddress(text: unknown): boolean {
  const a = plainAddress(text);
  if (a === undefined) return false;
  if (!a.includes(':')) {
    const x = v4Number(a);
    return !PRIVATE_V4.some(([base, bits]) => inV4(x, base, bits));
  }
  return !privateV6(v6Bytes(a));
}

const beforeSlash = (s: string) => s.split('/')[0]!;

/**
 * The v3 devnet's underlay (src/devnet/underlay.ts): its reachable nodes sit on documentation blocks,
 * 198.51.100.0/24 and 2001:db8:1::/64, so that nothing leaves the machine, and `private-ip` calls every
 * documentation block private: planned by that rule alone, no devnet node could be dialled or serve an
 * access. For planning they count as public. Only these two blocks, which are routed nowhere, so no node
 * of a live grid has them: a live network is still planned exactly as grid_client plans it.
 */
export function isDevnetUnderlay(text: unknown): boolean {
  const a = plainAddress(text);
  if (a === undefined) return false;
  if (!a.includes(':')) return inV4(v4Number(a), v4Number('198.51.100.0'), 24);
  const b = v6Bytes(a);
  return [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0].every((x, i) => b[i] === x);
}

/** Public for the planner: what `private-ip` calls public, and the devnet's underlay (above). */
export function isPlannedPublic(text: unknown): boolean {
  return isPublicAddress(text) || isDevnetUnderlay(text);
}

/**
 * The address (canonical, no port, no brackets) other nodes dial to reach this node, or undefined if it
 * is hidden. Mirrors grid_client's order, including one of its quirks: an `ipv4` field that is present
 * but not an address at all (zos writes "" for a missing one) is taken as "the IPv4 branch" with an
 * empty endpoint, so the `ipv6` field is then not looked at and the interfaces decide.
 */
export function nodeEndpointAddress(
  publicConfig: NodePublicConfig | null | undefined,
  interfaces: NodeInterfaces | null | undefined,
): string | undefined {
  if (publicConfig && typeof publicConfig === 'object') {
    const ipv4 = typeof publicConfig.ipv4 === 'string' ? beforeSlash(publicConfig.ipv4) : undefined;
    const ipv6 = typeof publicConfig.ipv6 === 'string' ? beforeSlash(publicConfig.ipv6) : undefined;
    const ipv4IsAddress = plainAddress(ipv4) !== undefined;
    if (ipv4 !== undefined && (!ipv4IsAddress || isPlannedPublic(ipv4))) {
      if (ipv4IsAddress) return plainAddress(ipv4);
      // grid_client: `!isPrivateIP("")` is true (private-ip says undefined), endpoint "" → interfaces.
    } else if (ipv6 !== undefined && isPlannedPublic(ipv6)) {
      return plainAddress(ipv6);
    }
  }
  const zos = interfaces && typeof interfaces === 'object' ? interfaces['zos'] : undefined;
  let found: string | undefined;
  if (Array.isArray(zos)) {
    // zos sends plain addresses; a prefix is cut rather than trusted (grid_client would put it in the
    // endpoint as is and break the peer).
    for (const ip of zos) {
      if (typeof ip === 'string' && isPlannedPublic(beforeSlash(ip))) found = plainAddress(beforeSlash(ip));
    }
  }
  return found;
}
