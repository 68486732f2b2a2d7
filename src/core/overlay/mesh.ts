/**
 * Who peers with whom (the SDK's generate_peers, corrected). Each node peers directly with every node it
 * can reach: IPv6 first, IPv4 otherwise; a hidden node dials the nodes with IPv4, which leave its endpoint
 * empty. A node that cannot reach another directly sends that subnet through the relay (the first node
 * with IPv4) — and only then, so no two peers of one node claim the same prefix. The SDK also put hidden
 * subnets on the relay entry of nodes that already peer with those hidden nodes: WireGuard then gives the
 * prefix to whichever peer was set last. That overlap is refused here by construction and by check.
 */
import { UserError } from '../errors.js';
import { overlapBetweenOwners, parsePrefix } from '../net/cidr.js';
import { wgRoutingIp } from './address-plan.js';
import { endpointKind } from './node-endpoints.js';
import type { ExplorerNetworkResource, ExplorerPeer, NetworkRecord, PlannedNode } from './model.js';

const hidden = (n: PlannedNode) => endpointKind(n.endpoints) === 'hidden';

/** How `from` reaches `to` directly: the endpoint to dial ('' = `to` dials in), or undefined if it cannot. */
export function directEndpoint(from: PlannedNode, to: PlannedNode): string | undefined {
  if (hidden(from) && hidden(to)) return undefined;
  if (hidden(from)) return to.endpoints.ipv4 ? `${to.endpoints.ipv4}:${to.listenPort}` : undefined;
  if (hidden(to)) return from.endpoints.ipv4 ? '' : undefined;
  if (from.endpoints.ipv6 && to.endpoints.ipv6) return `[${to.endpoints.ipv6}]:${to.listenPort}`;
  if (from.endpoints.ipv4 && to.endpoints.ipv4) return `${to.endpoints.ipv4}:${to.listenPort}`;
  return undefined;
}

/** The relay: the first node (in plan order) with a public IPv4. */
export function relayOf(net: NetworkRecord): PlannedNode | undefined {
  return net.nodes.find((n) => n.endpoints.ipv4);
}

const routed = (subnet: string) => [subnet, `${wgRoutingIp(subnet)}/32`];

/** The peers of one node's NR. */
export function peersFor(net: NetworkRecord, nr: PlannedNode): ExplorerPeer[] {
  const relay = relayOf(net);
  const accessesOf = (nodeId: string) => net.accesses.filter((a) => a.nodeId === nodeId).flatMap((a) => routed(a.subnet));
  const peers = new Map<string, ExplorerPeer>();
  const viaRelay: PlannedNode[] = [];
  for (const onr of net.nodes) {
    if (onr === nr) continue;
    const endpoint = directEndpoint(nr, onr);
    if (endpoint === undefined) {
      viaRelay.push(onr);
      continue;
    }
    peers.set(onr.nodeId, { public_key: onr.wgPublicKey, allowed_iprange: [...routed(onr.subnet), ...accessesOf(onr.nodeId)], endpoint, iprange: onr.subnet });
  }
  for (const far of viaRelay) {
    const entry = relay && relay !== nr ? peers.get(relay.nodeId) : undefined;
    if (!entry || directEndpoint(relay!, far) === undefined) {
      throw new UserError(
        hidden(far) && !relay
          ? 'Network has hidden nodes but no node with a public IPv4 to relay them: add one'
          : `Node ${nr.nodeId} cannot reach node ${far.nodeId}: no common address family and no relay between them`,
      );
    }
    entry.allowed_iprange.push(...routed(far.subnet), ...accessesOf(far.nodeId));
  }
  const out = [...peers.values()];
  for (const access of net.accesses.filter((a) => a.nodeId === nr.nodeId)) {
    out.push({ public_key: access.wgPublicKey, allowed_iprange: routed(access.subnet), endpoint: '', iprange: access.subnet });
  }
  return out;
}

/** The first pair of overlapping allowed prefixes between two different peers of one NR. */
export function overlapWithin(peers: ExplorerPeer[]): [string, string] | undefined {
  return overlapBetweenOwners(peers.flatMap((p, owner) => p.allowed_iprange.map((text) => ({ owner, prefix: parsePrefix(text) }))));
}

/** Every NR of the network with its peers; refuses a plan in which one node's peers overlap. */
export function networkResources(net: NetworkRecord): ExplorerNetworkResource[] {
  if (net.nodes.some(hidden) && !relayOf(net)) throw new UserError('Network has hidden nodes but no node with a public IPv4 to relay them: add one');
  return net.nodes.map((nr) => {
    const peers = peersFor(net, nr);
    const clash = overlapWithin(peers);
    if (clash) throw new UserError(`Peers of node ${nr.nodeId} would both route ${clash[0]} and ${clash[1]}: refusing a plan WireGuard would resolve silently`);
    return {
      node_id: nr.nodeId,
      wireguard_private_key_encrypted: nr.wgPrivateKeyEncrypted,
      wireguard_public_key: nr.wgPublicKey,
      wireguard_listen_port: nr.listenPort,
      iprange: nr.subnet,
      peers,
    };
  });
}
