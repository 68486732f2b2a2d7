/**
 * The wg-quick config of an access from what the network's nodes hold: the access node's key and port
 * from its workload, its address from gridproxy's IPv4 (grid_client's `getAccessNodeEndpoint`), and a
 * warning when that address cannot be reached from outside its own network (the warning the config
 * import gives, src/core/wgconf).
 */
import { formatEndpoint, Grid3FormatError } from '../../core/grid3/canonical.js';
import { laptopConfig } from '../../core/grid3/laptop-config.js';
import { parseIpRange } from '../../core/grid3/subnets.js';
import { wgPublicKey } from '../../core/grid3/wg-keys.js';
import { privateEndpointRange } from '../../core/wgconf/values.js';
import type { NetworkMember } from './read-network.js';

export interface AccessConfig {
  config: string;
  endpoint: string;
  warnings: string[];
}

export function accessConfigFor(accessNode: NetworkMember, subnet: string, privateKey: string): AccessConfig {
  const d = accessNode.workload.data;
  const range = parseIpRange(d.ip_range);
  const pc = accessNode.node.grid.publicConfig;
  // grid_client prefers the IPv4 and falls back to the IPv6 gridproxy lists.
  const address = (pc.ipv4 || pc.ipv6).split('/')[0];
  if (!address) {
    throw new Grid3FormatError(
      `node ${accessNode.contract.nodeId} has no public address in gridproxy: it cannot be dialled`,
    );
  }
  const endpoint = formatEndpoint(address, d.wireguard_listen_port);
  const warnings: string[] = [];
  const range1918 = privateEndpointRange(endpoint);
  if (range1918) {
    warnings.push(
      `Endpoint ${endpoint} is ${range1918}: this tunnel can connect only from inside that network; use the peer's public address`,
    );
  }
  const config = laptopConfig({
    range,
    subnet,
    privateKey,
    accessNodePublicKey: wgPublicKey(d.wireguard_private_key),
    endpoint,
  });
  return { config, endpoint, warnings };
}
