/** A network as the CLI's `--json` and the UI show it: public parts only, peers as the explorer names them. */
import type { NetworkView } from '../../contract/api.js';
import { gatewayIp, wgRoutingIp } from './address-plan.js';
import { networkResources, relayOf } from './mesh.js';
import type { NetworkRecord } from './model.js';
import { endpointKind } from './node-endpoints.js';

export const LINKS_MAX_NODES = 40;

export function networkView(net: NetworkRecord, options: { peers?: boolean } = { peers: true }): NetworkView {
  let resources: ReturnType<typeof networkResources> | undefined;
  let problem: string | null = null;
  try {
    resources = networkResources(net);
  } catch (e) {
    problem = (e as Error).message;
  }
  const byKey = new Map(net.nodes.map((n) => [n.wgPublicKey, n]));
  const subnets = new Set(net.nodes.map((n) => n.subnet));
  const relayVia = new Map<string, string>();
  const links = new Map<string, [string, string]>();
  for (const r of resources ?? []) {
    for (const p of r.peers) {
      const other = byKey.get(p.public_key);
      if (!other) continue;
      if (p.allowed_iprange.some((a) => a !== p.iprange && subnets.has(a))) relayVia.set(r.node_id, other.nodeId);
      if (net.nodes.length <= LINKS_MAX_NODES) {
        const pair = [r.node_id, other.nodeId].sort() as [string, string];
        links.set(pair.join('|'), pair);
      }
    }
  }
  return {
    name: net.name,
    ipRange: net.ipRange,
    explorer: net.explorer ?? null,
    reservation: net.reservation ? { id: net.reservation.id, expiration: net.reservation.expiration } : null,
    changedSinceRegistration: net.dirty ?? false,
    problem,
    relay: relayOf(net)?.nodeId ?? null,
    links: [...links.values()],
    nodes: net.nodes.map((n) => ({
      nodeId: n.nodeId,
      subnet: n.subnet,
      gateway: gatewayIp(n.subnet),
      wgAddress: wgRoutingIp(n.subnet),
      port: n.listenPort,
      endpointKind: endpointKind(n.endpoints),
      endpoints: n.endpoints,
      publicKey: n.wgPublicKey,
      peers: options.peers ? (resources?.find((r) => r.node_id === n.nodeId)?.peers ?? []) : [],
      relayVia: relayVia.get(n.nodeId) ?? null,
    })),
    accesses: net.accesses.map((a) => ({ nodeId: a.nodeId, subnet: a.subnet, wgAddress: wgRoutingIp(a.subnet), family: a.family, publicKey: a.wgPublicKey, tunnel: a.tunnelName })),
  };
}
