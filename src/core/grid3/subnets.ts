/**
 * A Grid v3 network's address plan, as grid_client 2.9.2 lays it out (`primitives/network.js`) and as zos
 * routes it (zosbase `pkg/network/nr/net_resource.go`):
 * - the network has a private IPv4 /16, its `ip_range`;
 * - every node resource, and every access (a laptop), has one /24 of it, handed out from `x.y.2.0/24`
 *   upward (grid_client's `getFreeSubnet`: the range's first /24, then two `nextSibling()`s, skipping the
 *   taken ones); `.0` and `.1` are never handed out;
 * - the owner of subnet `x.b.c.0/24` has the WireGuard address `100.64.b.c` (zos puts `100.64.b.c/16` on
 *   the node's WireGuard interface; grid_client routes `100.64.b.c/32` to it, `wgRoutingIP`).
 */
import { Grid3FormatError } from './canonical.js';

/** A parsed private /16: its first two octets. */
export interface IpRange {
  /** Canonical text, `a.b.0.0/16`. */
  text: string;
  a: number;
  b: number;
}

const DOTTED = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

function octets(address: string): [number, number, number, number] | undefined {
  const m = DOTTED.exec(address);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number) as [number, number, number, number];
  return o.every((x) => x <= 255) ? o : undefined;
}

/**
 * `ip_range` as a network must have it: `a.b.0.0/16` inside RFC 1918. grid_client checks only the /16
 * and `private-ip` on the address, which also admits 100.64.0.0/10 (whose addresses would collide with
 * the WireGuard addresses `100.64.b.c`), 169.254/16, the documentation ranges, …; and it keeps host bits
 * (`10.20.5.0/16` would start its subnets at `10.20.7.0/24`). Both are refused here.
 */
export function parseIpRange(text: string): IpRange {
  const slash = text.indexOf('/');
  const o = slash > 0 ? octets(text.slice(0, slash)) : undefined;
  if (!o || text.slice(slash + 1) !== '16') {
    throw new Grid3FormatError(`ip_range "${text}" must be an IPv4 /16 written a.b.0.0/16`);
  }
  if (o[2] !== 0 || o[3] !== 0) {
    throw new Grid3FormatError(`ip_range "${text}" has host bits set: write ${o[0]}.${o[1]}.0.0/16`);
  }
  const [a, b] = o;
  const rfc1918 = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!rfc1918) {
    throw new Grid3FormatError(
      `ip_range "${text}" must be a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)`,
    );
  }
  return { text: `${a}.${b}.0.0/16`, a, b };
}

/** The third octet of a subnet `a.b.c.0/24` of `range`, or undefined if it is not one (as written). */
export function subnetIndex(range: IpRange, subnet: string): number | undefined {
  if (typeof subnet !== 'string' || !subnet.endsWith('/24')) return undefined;
  const o = octets(subnet.slice(0, -3));
  if (!o || o[0] !== range.a || o[1] !== range.b || o[3] !== 0) return undefined;
  return o[2];
}

/** Throws unless `subnet` is a canonical /24 of `range`; returns its third octet. */
export function requireSubnet(range: IpRange, subnet: string, where: string): number {
  const c = subnetIndex(range, subnet);
  if (c === undefined) {
    throw new Grid3FormatError(`${where}: "${String(subnet)}" is not a /24 of ${range.text} (a.b.c.0/24)`);
  }
  return c;
}

export function subnetText(range: IpRange, c: number): string {
  return `${range.a}.${range.b}.${c}.0/24`;
}

/** The WireGuard address of the owner of `x.b.c.0/24`: `100.64.b.c` (grid_client's `wgRoutingIP` without /32). */
export function wgAddress(range: IpRange, subnet: string): string {
  const c = requireSubnet(range, subnet, 'subnet');
  return `100.64.${range.b}.${c}`;
}

/** `100.64.b.c/32`: what a peer's allowed IPs carry for the owner of `subnet`. */
export function wgRoute(range: IpRange, subnet: string): string {
  return `${wgAddress(range, subnet)}/32`;
}

/**
 * Hands out subnets as grid_client's `getFreeSubnet` does: the lowest `x.y.c.0/24` with c ≥ 2 that is not
 * taken. grid_client never stops (after `x.y.255.0/24` its `nextSibling` leaves the range); this throws.
 */
export class SubnetAllocator {
  private readonly taken = new Set<number>();

  constructor(private readonly range: IpRange) {}

  /** Marks a subnet taken (an existing node's, an access's, or one a device still uses). */
  reserve(subnet: string): void {
    const c = subnetIndex(this.range, subnet);
    if (c !== undefined) this.taken.add(c);
  }

  isTaken(subnet: string): boolean {
    const c = subnetIndex(this.range, subnet);
    return c !== undefined && this.taken.has(c);
  }

  next(): string {
    for (let c = 2; c <= 255; c++) {
      if (!this.taken.has(c)) {
        this.taken.add(c);
        return subnetText(this.range, c);
      }
    }
    throw new Grid3FormatError(`network ${this.range.text} has no free /24 left (x.y.2.0 to x.y.255.0)`);
  }
}
