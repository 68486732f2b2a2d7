/**
 * The 0-OS address plan (zos pkg/network/nr): a network is a private /16, each node and each external
 * access gets a /24 of it, and the WireGuard address of subnet a.b.c.0/24 is 100.64.b.c.
 */
import ipaddr from 'ipaddr.js';
import { UserError } from '../errors.js';

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => ipaddr.IPv4.parseCIDR(c));

function octets(cidr: string): [number, number, number, number] {
  return ipaddr.IPv4.parse(cidr.split('/')[0]!).octets as [number, number, number, number];
}

/** Parses user input as an IPv4 prefix, or says what was expected. */
function parseUserCidr(text: string, what: string): [ipaddr.IPv4, number] {
  try {
    return ipaddr.IPv4.parseCIDR(text);
  } catch {
    throw new UserError(`"${text}" is not ${what}`);
  }
}

/** Checks a network's range: a /16 inside RFC 1918, written as its network address. */
export function checkNetworkRange(text: string): string {
  const [addr, bits] = parseUserCidr(text, 'an IPv4 range like 10.20.0.0/16');
  if (bits !== 16)
    throw new UserError(
      `The network range must be a /16, not /${bits} (e.g. ${addr.octets[0]}.${addr.octets[1]}.0.0/16)`,
    );
  if (!RFC1918.some(([net, len]) => addr.match(net, len))) {
    throw new UserError(
      `The network range must be private (RFC 1918: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), not ${text}`,
    );
  }
  const [a, b, c, d] = addr.octets;
  if (c !== 0 || d !== 0) throw new UserError(`Write the range as its network address: ${a}.${b}.0.0/16`);
  return `${a}.${b}.0.0/16`;
}

/** WireGuard (routing) address of a node's or an access's /24: 100.64.b.c (zos `wgIP`). */
export function wgRoutingIp(subnet: string): string {
  const [, b, c] = octets(subnet);
  return `100.64.${b}.${c}`;
}

/** The node's router address inside its /24: a.b.c.1. */
export function gatewayIp(subnet: string): string {
  const [a, b, c] = octets(subnet);
  return `${a}.${b}.${c}.1`;
}

/** The laptop's route to every node's 100.64 address: 100.64.<second octet>.0/24. */
export function routingRange(ipRange: string): string {
  return `100.64.${octets(ipRange)[1]}.0/24`;
}

/** Checks a /24 chosen for a node or an access: inside the network, written as a network, not used. */
export function checkSubnet(ipRange: string, subnet: string, used: Iterable<string>): string {
  const [addr, bits] = parseUserCidr(subnet, 'an IPv4 subnet like 10.20.3.0/24');
  if (bits !== 24) throw new UserError(`A node's or access's subnet must be a /24, not /${bits}`);
  const [netAddr] = ipaddr.IPv4.parseCIDR(ipRange);
  if (!addr.match(netAddr, 16)) throw new UserError(`${subnet} is not part of the network range ${ipRange}`);
  const [a, b, c, d] = addr.octets;
  if (d !== 0) throw new UserError(`Write the subnet as its network address: ${a}.${b}.${c}.0/24`);
  const canonical = `${a}.${b}.${c}.0/24`;
  for (const u of used)
    if (u === canonical) throw new UserError(`${canonical} is already part of this network`);
  return canonical;
}

/** The first free /24 from x.y.1.0 to x.y.254.0, as the seed numbers them. */
export function firstFreeSubnet(ipRange: string, used: Iterable<string>): string {
  // Third octets in use, read off the (already validated) texts: this runs once per node of a plan.
  const prefix = ipRange.slice(0, ipRange.indexOf('.', ipRange.indexOf('.') + 1) + 1);
  const taken = new Set<number>();
  for (const u of used)
    if (u.startsWith(prefix)) taken.add(Number(u.slice(prefix.length, u.indexOf('.', prefix.length))));
  for (let c = 1; c <= 254; c++) if (!taken.has(c)) return `${prefix}${c}.0/24`;
  throw new UserError(`The network ${ipRange} has no free /24 left (254 at most)`);
}

/** Network names reach the explorer and zos (which derives interface names from them): keep them plain. */
export function checkNetworkName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new UserError(
      'A network name has 1 to 64 letters, digits, ".", "_" or "-", and starts with a letter or digit',
    );
  }
  return name;
}
