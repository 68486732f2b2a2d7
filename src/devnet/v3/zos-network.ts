/**
 * A network resource as 0-OS lays it out (zosbase pkg/network/nr/net_resource.go, pkg/network/networker.go
 * `CreateNR`/`DeleteNR`, pkg/netbase/wireguard), in the devnet node's namespace:
 *
 *   WireGuard `w-<id>`  MTU 1420, the workload's private key and listen port, every peer replaced on each
 *                       apply with its allowed IPs, endpoint and a 20 s keepalive; one address 100.64.b.c/16
 *                       for subnet a.b.c.0/24 (zos `wgIP`: the subnet's 2nd and 3rd bytes), others removed;
 *                       a route for ip_range through it.
 *   bridge `b-<id>`     the subnet's gateway a.b.c.1/<subnet bits> and zos's IPv6 twin of it
 *                       (`Convert4to6`, /64) — where zos puts them on the NR namespace's macvlan.
 *
 * Differences, on purpose: zos gives each network resource its own namespace `n-<netid>` and uses the kernel
 * module; here every network of a node shares the node's namespace, and the interface is wireguard-go (the
 * v2 devnet agent's choice: the kernel module may be absent, and a userspace device serves its UDP socket
 * from the namespace it runs in). What sharing one namespace costs:
 * - `<id>` is derived from the node id and zos's NetID, not the NetID itself: wireguard-go's control sockets
 *   (/var/run/wireguard/<iface>.sock) are per machine, and every devnet node shares one machine;
 * - the 100.64.b.c/16 address is set without its /16 prefix route, which would shadow another network's;
 *   the network's own 100.64.<ip_range b>.0/24 (where grid_client puts all its 100.64 addresses) is routed;
 * - ranges are checked (`rangeProblem`): private, inside no other network's nor the node's own addresses.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import bs58 from 'bs58';
import type { NetworkData } from '../../core/grid3/deployment.js';
import { gatewayIp, wgRoutingIp } from '../../core/overlay/address-plan.js';
import { writePrivateFile } from '../../core/store/private-files.js';
import { isWgKey } from '../../core/wgconf/keys.js';
import { inNs, type Ran } from '../host-commands.js';

export const WG_MTU = 1420;
/** zos `newPeer`: every peer gets a 20 s persistent keepalive. */
export const KEEPALIVE_SECONDS = 20;

const base58md5 = (text: string) => bs58.encode(createHash('md5').update(text, 'utf8').digest()).slice(0, 13);

/** zos `NetworkID(twin, name)`: base58 of md5("<twin>:<name>"), 13 characters. */
export function networkId(twin: number, name: string): string {
  return base58md5(`${twin}:${name}`);
}

export interface LinkNames {
  wg: string;
  bridge: string;
}

/** `w-`/`b-` + 13 characters (15, the kernel's limit), unique per node and network on this machine. */
export function linkNames(nodeId: number, netId: string): LinkNames {
  const id = base58md5(`${nodeId}:${netId}`);
  return { wg: `w-${id}`, bridge: `b-${id}` };
}

/**
 * zos `Convert4to6(netID, ip)`. zos builds it from `md5.New().Sum([]byte(netID))`, which appends the MD5 of
 * nothing to the NetID's bytes: the five bytes used are the NetID's first five characters. Reproduced as is.
 */
export function convert4to6(netId: string, ipv4: string): string {
  const b = Buffer.from(netId, 'utf8');
  const o = ipv4.split('.').map(Number);
  const x = (n: number | undefined) => (n ?? 0).toString(16);
  return `fd${x(b[0])}:${x(b[1])}${x(b[2])}:${x(b[3])}${x(b[4])}:${x(o[2])}::${x(o[3])}`;
}

export class NetworkSetupError extends Error {
  override name = 'NetworkSetupError';
}

function check(r: Ran, what: string): void {
  if (!r.ok) throw new NetworkSetupError(`${what}: ${r.stderr.trim().split('\n').pop() ?? 'failed'}`);
}

export function linkExists(ns: string, name: string): boolean {
  return inNs(ns, 'ip', ['link', 'show', 'dev', name]).ok;
}

/** A peer endpoint as zos reads it (`net.SplitHostPort`, an IP literal): no name is ever resolved here. */
function endpointProblem(endpoint: string): string | undefined {
  if (endpoint === '') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(endpoint);
  const host = m?.[1] ?? m?.[2];
  if (!m || !host || Number(m[3]) < 1 || Number(m[3]) > 65535) return `invalid endpoint '${endpoint}'`;
  if (m[1] !== undefined ? !isIPv6(host) : !isIPv4(host))
    return `endpoint '${endpoint}' is not an IP address`;
  return undefined;
}

function wgConfig(n: NetworkData): string {
  // Values go into wg's config syntax: each is checked to be exactly a key, a prefix or an endpoint, so
  // none can carry a newline or a second directive.
  if (!isWgKey(n.wireguard_private_key))
    throw new NetworkSetupError('wgtypes: failed to parse base64-encoded key');
  const lines = [
    '[Interface]',
    `PrivateKey = ${n.wireguard_private_key}`,
    `ListenPort = ${n.wireguard_listen_port}`,
  ];
  for (const p of n.peers) {
    if (!isWgKey(p.wireguard_public_key))
      throw new NetworkSetupError('wgtypes: failed to parse base64-encoded key');
    const bad = endpointProblem(p.endpoint);
    if (bad) throw new NetworkSetupError(bad);
    lines.push('[Peer]', `PublicKey = ${p.wireguard_public_key}`, `AllowedIPs = ${p.allowed_ips.join(', ')}`);
    lines.push(`PersistentKeepalive = ${KEEPALIVE_SECONDS}`);
    if (p.endpoint) lines.push(`Endpoint = ${p.endpoint}`);
  }
  return lines.join('\n') + '\n';
}

const prefixBits = (cidr: string) => Number(cidr.split('/')[1]);

/** 100.64.b.0/24 for ip_range a.b.0.0/16: where grid_client puts the network's WireGuard addresses. */
export function wgRange(ipRange: string): string {
  return `100.64.${ipRange.split('.')[1]}.0/24`;
}

/** Makes `dev` carry exactly `wanted` (global scope), removing the rest. */
function setAddresses(ns: string, dev: string, wanted: string[], what: string, flags: string[] = []): void {
  for (const have of addresses(ns, dev)) {
    if (!wanted.includes(have)) inNs(ns, 'ip', ['address', 'del', have, 'dev', dev]);
  }
  for (const a of wanted) {
    const extra = a.includes(':') ? ['nodad'] : flags;
    check(
      inNs(ns, 'ip', ['address', 'replace', a, 'dev', dev, ...extra]),
      `failed to set ${what} address ${a}`,
    );
  }
}

/** Makes the routes through `dev` exactly `wanted`. */
function setRoutes(ns: string, dev: string, wanted: string[]): void {
  const r = inNs(ns, 'ip', ['-j', '-4', 'route', 'show', 'dev', dev]);
  let have: Array<{ dst?: string }> = [];
  try {
    have = r.ok ? (JSON.parse(r.stdout) as Array<{ dst?: string }>) : [];
  } catch {
    have = [];
  }
  for (const { dst } of have) {
    if (dst && !wanted.includes(dst)) inNs(ns, 'ip', ['route', 'del', dst, 'dev', dev]);
  }
  for (const w of wanted)
    check(inNs(ns, 'ip', ['route', 'replace', w, 'dev', dev]), `failed to add route ${w}`);
}

const v4 = (text: string): number => text.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);

/** [first, last] addresses of an IPv4 prefix. */
function span(prefix: string): [number, number] {
  const [addr, bits] = prefix.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(v4(addr) / size) * size;
  return [first, first + size - 1];
}

export function overlaps(a: string, b: string): boolean {
  const [a0, a1] = span(a);
  const [b0, b1] = span(b);
  return a0 <= b1 && b0 <= a1;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * Why this node cannot carry the network beside what it has: zos gives each network its own namespace and
 * has no such limits; here the networks and the node's own links share one, so a range must be private
 * (a public one would take over the node's routes), must not meet the node's addresses, and must not meet
 * another network's ranges on this node.
 */
export function rangeProblem(
  ns: string,
  n: NetworkData,
  others: ReadonlyArray<{ ipRange: string; netId: string }>,
  ownLinks: ReadonlySet<string>,
): string | undefined {
  if (!isIPv4(n.subnet.split('/')[0]!) || !isIPv4(n.ip_range.split('/')[0]!))
    return 'only IPv4 network ranges are supported on this node';
  const [r0, r1] = span(n.ip_range);
  if (!PRIVATE.some((p) => span(p)[0] <= r0 && r1 <= span(p)[1]))
    return `ip_range ${n.ip_range} is not a private (RFC 1918) range`;
  const [s0, s1] = span(n.subnet);
  if (s0 < r0 || s1 > r1) return `subnet ${n.subnet} is not inside ip_range ${n.ip_range}`;
  for (const o of others) {
    if (overlaps(o.ipRange, n.ip_range) || wgRange(o.ipRange) === wgRange(n.ip_range))
      return `ip_range ${n.ip_range} meets the range of another network on this node (${o.ipRange})`;
  }
  for (const a of nodePrefixes(ns, ownLinks)) {
    if (a.includes('.') && overlaps(a, n.ip_range))
      return `ip_range ${n.ip_range} meets this node's own address ${a}`;
  }
  return undefined;
}

/** What an applied resource needs to be found and removed again (kept in the agent's state file). */
export interface AppliedNetwork {
  netId: string;
  wg: string;
  bridge: string;
  port: number;
  ipRange: string;
}

/**
 * Creates or converges the network resource (idempotent, as zos's CreateNR): safe to call again after a
 * restart or for an update. Throws NetworkSetupError.
 */
export function applyNetwork(
  ns: string,
  netId: string,
  names: LinkNames,
  n: NetworkData,
  keyDir: string,
): AppliedNetwork {
  const config = wgConfig(n);
  const { wg, bridge } = names;

  if (!linkExists(ns, bridge))
    check(inNs(ns, 'ip', ['link', 'add', bridge, 'type', 'bridge']), `failed to create bridge ${bridge}`);
  const gw = gatewayIp(n.subnet);
  // An update may move the subnet: addresses other than the wanted ones go (zos's toRemove/toAdd).
  setAddresses(ns, bridge, [`${gw}/${prefixBits(n.subnet)}`, `${convert4to6(netId, gw)}/64`], 'the gateway');
  check(inNs(ns, 'ip', ['link', 'set', bridge, 'up']), `failed to bring bridge ${bridge} up`);

  if (!linkExists(ns, wg))
    check(inNs(ns, 'wireguard-go', [wg]), `failed to create wg interface for network resource '${netId}'`);
  // zos brings the device down while it is configured, then up.
  check(inNs(ns, 'ip', ['link', 'set', wg, 'down']), `failed to bring wireguard interface ${wg} down`);
  // wg reads its configuration from a file only (stdin from Node is a socket, which it cannot fopen):
  // a private one in the agent's private directory, gone right after.
  const file = join(keyDir, `.${wg}.${randomBytes(6).toString('hex')}.conf`);
  writePrivateFile(file, config, { durable: false });
  let set: Ran;
  try {
    set = inNs(ns, 'wg', ['setconf', wg, file]);
  } finally {
    rmSync(file, { force: true });
  }
  if (!set.ok && /address already in use/i.test(set.stderr))
    throw new NetworkSetupError('wireguard listen port already in use, pick another one');
  check(set, 'failed to configure wireguard interface');
  check(
    inNs(ns, 'ip', ['link', 'set', wg, 'mtu', String(WG_MTU), 'up']),
    `failed to bring wireguard interface ${wg} up`,
  );

  // zos's address is 100.64.b.c/16 with its /16 prefix route. Every network of this node shares one
  // namespace here, where two such prefix routes would shadow each other; so the address is set without
  // its prefix route, and the network's own part of 100.64 (grid_client puts every 100.64 address of
  // ip_range a.b.0.0/16 in 100.64.b.0/24) is routed instead.
  setAddresses(ns, wg, [`${wgRoutingIp(n.subnet)}/16`], 'the wireguard', ['noprefixroute']);
  setRoutes(ns, wg, [n.ip_range, wgRange(n.ip_range)]);
  return { netId, wg, bridge, port: n.wireguard_listen_port, ipRange: n.ip_range };
}

/** Removes the resource; what is already gone is not an error (zos DeleteNR checks existence first). */
export function removeNetwork(ns: string, a: Pick<AppliedNetwork, 'wg' | 'bridge'>): void {
  // Deleting the link makes its wireguard-go exit; the route goes with it.
  if (linkExists(ns, a.wg)) check(inNs(ns, 'ip', ['link', 'del', a.wg]), 'failed to delete network resource');
  if (linkExists(ns, a.bridge))
    check(inNs(ns, 'ip', ['link', 'del', a.bridge]), 'failed to delete network resource bridge');
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: Array<{ local?: string; prefixlen?: number; scope?: string }>;
}

function addrJson(ns: string, dev?: string): IpAddrJson[] {
  const r = inNs(ns, 'ip', ['-j', 'address', 'show', ...(dev ? ['dev', dev] : [])]);
  if (!r.ok) return [];
  try {
    const v = JSON.parse(r.stdout) as unknown;
    return Array.isArray(v) ? (v as IpAddrJson[]) : [];
  } catch {
    return [];
  }
}

/** The prefixes on one link, `addr/len`. */
export function addresses(ns: string, dev: string): string[] {
  return addrJson(ns, dev).flatMap((l) =>
    (l.addr_info ?? []).filter((a) => a.local && a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`),
  );
}

/** The prefixes (`addr/len`) of the node's own links: all but loopback and the network resources'. */
function nodePrefixes(ns: string, ownLinks: ReadonlySet<string>): string[] {
  return addrJson(ns)
    .filter((l) => l.ifname && l.ifname !== 'lo' && !ownLinks.has(l.ifname))
    .flatMap((l) =>
      (l.addr_info ?? [])
        .filter((a) => a.local && a.scope === 'global')
        .map((a) => `${a.local}/${a.prefixlen}`),
    );
}

/**
 * The node's own addresses, as `zos.network.interfaces` reports those of its `zos` bridge: every global
 * address of the namespace's links other than loopback and the network resources' own.
 */
export function nodeAddresses(ns: string, ownLinks: ReadonlySet<string>): string[] {
  return addrJson(ns)
    .filter((l) => l.ifname && l.ifname !== 'lo' && !ownLinks.has(l.ifname))
    .flatMap((l) => (l.addr_info ?? []).filter((a) => a.local && a.scope === 'global').map((a) => a.local!));
}
