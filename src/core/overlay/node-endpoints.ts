/**
 * Where a node can be reached, as zos and the SDK decide it: the farmer's public_config when set
 * (with `master`), otherwise the public unicast addresses of its interfaces. A node with neither is hidden.
 */
import ipaddr from 'ipaddr.js';

export type EndpointKind = 'public' | 'ipv6-only' | 'hidden';

export interface NodeEndpoints {
  ipv4: string | null;
  ipv6: string | null;
}

/** The node fields this needs, as the explorer names them. */
export interface ExplorerNodeAddressing {
  public_config?: { master?: string; ipv4?: string; ipv6?: string } | null;
  ifaces?: Array<{ name?: string; addrs?: string[] | null }> | null;
}

const NOT_PUBLIC_V4 = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'private',
  'carrierGradeNat',
]);
const NOT_PUBLIC_V6 = new Set([
  'unspecified',
  'linkLocal',
  'multicast',
  'loopback',
  'uniqueLocal',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  'teredo',
]);

/** Global unicast and not private, like Go's IsGlobalUnicast() && !IsPrivate() that zos uses
 * (documentation ranges count as public there too, which the devnet relies on). */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const parsed = ipaddr.parse(ip);
  return parsed.kind() === 'ipv4' ? !NOT_PUBLIC_V4.has(parsed.range()) : !NOT_PUBLIC_V6.has(parsed.range());
}

function bare(cidrOrIp: string | undefined): string | null {
  if (!cidrOrIp) return null;
  const ip = cidrOrIp.split('/')[0]!;
  return ipaddr.isValid(ip) ? ipaddr.parse(ip).toString() : null;
}

export function nodeEndpoints(node: ExplorerNodeAddressing): NodeEndpoints {
  const pc = node.public_config;
  if (pc && pc.master) {
    const v4 = bare(pc.ipv4);
    const v6 = bare(pc.ipv6);
    return {
      ipv4: v4 && ipaddr.parse(v4).kind() === 'ipv4' ? v4 : null,
      ipv6: v6 && ipaddr.parse(v6).kind() === 'ipv6' ? v6 : null,
    };
  }
  const addrs = (node.ifaces ?? [])
    .flatMap((i) => i.addrs ?? [])
    .map(bare)
    .filter((a): a is string => a !== null && isPublicAddress(a));
  return {
    ipv4: addrs.find((a) => ipaddr.parse(a).kind() === 'ipv4') ?? null,
    ipv6: addrs.find((a) => ipaddr.parse(a).kind() === 'ipv6') ?? null,
  };
}

export function endpointKind(e: NodeEndpoints): EndpointKind {
  if (e.ipv4) return 'public';
  if (e.ipv6) return 'ipv6-only';
  return 'hidden';
}
