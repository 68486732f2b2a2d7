/** A network as the CLI's `--json` and the UI show it: public parts only, peers as the explorer names them. */
import type { NetworkView } from '../contract/api.js';
import { gatewayIp, wgRoutingIp } from '../core/overlay/address-plan.js';
import { meshSummary, networkResources, relayOf } from '../core/overlay/mesh.js';
import type { NetworkRecord } from '../core/overlay/model.js';
import { endpointKind } from '../core/overlay/node-endpoints.js';

export const LINKS_MAX_NODES = 40;

export function networkView(net: NetworkRecord, options: { peers?: boolean } = { peers: true }): NetworkView {
  // Peers are built only when asked for (CLI --json); the UI needs links and relays, which are far cheaper.
  let resources: ReturnType<typeof networkResources> | undefined;
  let problem: string | null = null;
  if (options.peers) {
    try {
      resources = networkResources(net);
    } catch (e) {
      problem = (e as Error).message;
    }
  }
  const summary = meshSummary(net, net.nodes.length <= LINKS_MAX_NODES);
  problem ??= summary.problem;
  const links = summary.links;
  const relayVia = summary.relayVia;
  return {
    name: net.name,
    ipRange: net.ipRange,
    explorer: net.explorer ?? null,
    reservation: net.reservation ? { id: net.reservation.id, expiration: net.reservation.expiration } : null,
    changedSinceRegistration: net.dirty ?? false,
    problem,
    relay: relayOf(net)?.nodeId ?? null,
    links,
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
    accesses: net.accesses.map((a) => ({
      nodeId: a.nodeId,
      subnet: a.subnet,
      wgAddress: wgRoutingIp(a.subnet),
      family: a.family,
      publicKey: a.wgPublicKey,
      tunnel: a.tunnelName,
    })),
  };
}
