/**
 * The wg-quick config of an access (a laptop joining a network through an access node), in the form
 * grid_client 2.9.2 writes it (`primitives/network.js getWireguardConfig`) with one deliberate change to
 * AllowedIPs (see `laptopAllowedIps`).
 */
import { Grid3FormatError } from './canonical.js';
import { type IpRange, wgAddress } from './subnets.js';
import { requireWgKey } from './wg-keys.js';

export interface LaptopConfigInput {
  range: IpRange;
  /** The access's subnet; its address is `100.64.b.c`. */
  subnet: string;
  /** The device's private key (base64). */
  privateKey: string;
  /** The access node's WireGuard public key. */
  accessNodePublicKey: string;
  /** `a.b.c.d:port` or `[v6]:port` of the access node. */
  endpoint: string;
}

/**
 * What the laptop routes into the tunnel: the whole ip_range (every node's subnet and every VM in it) and
 * `100.64.b.0/24`, every WireGuard address of this network. The owner of subnet `x.b.c.0/24` has
 * `100.64.b.c` (zos, `net_resource.go`), and every subnet of the range shares its `b`, so exactly the 256
 * addresses `100.64.b.0`–`100.64.b.255` are this network's: a /24, not a /16, since `100.64.0.0/16` also
 * holds other networks' addresses (another range's `b`), which a second tunnel on the same laptop routes.
 * grid_client writes `100.64.b.0/32`, an address no node has, so from its config no node's WireGuard
 * address answers.
 */
export function laptopAllowedIps(range: IpRange): string[] {
  return [range.text, `100.64.${range.b}.0/24`];
}

/** wg-quick text: Address `100.64.b.c/32`, one peer (the access node), PersistentKeepalive 25. */
export function laptopConfig(input: LaptopConfigInput): string {
  requireWgKey(input.privateKey, 'laptop private key');
  requireWgKey(input.accessNodePublicKey, 'access node public key');
  if (!/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\]):\d{1,5}$/.test(input.endpoint)) {
    throw new Grid3FormatError(`access node endpoint "${input.endpoint}" is not address:port`);
  }
  return [
    '[Interface]',
    `Address = ${wgAddress(input.range, input.subnet)}/32`,
    `PrivateKey = ${input.privateKey}`,
    '',
    '[Peer]',
    `PublicKey = ${input.accessNodePublicKey}`,
    `AllowedIPs = ${laptopAllowedIps(input.range).join(', ')}`,
    // The laptop is behind NAT and only it can open the path: keep the NAT mapping alive.
    'PersistentKeepalive = 25',
    `Endpoint = ${input.endpoint}`,
    '',
  ].join('\n');
}
