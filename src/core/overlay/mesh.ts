/**
 * Who peers with whom (the SDK's generate_peers, corrected). Each node peers directly with every node it
 * can reach: IPv6 first, IPv4 otherwise; a hidden node dials the nodes with IPv4, which leave its endpoint
 * empty. A node that cannot reach another directly sends that subnet through the relay (the first node
 * with IPv4) — and only then, so no two peers of one node claim the same prefix. The SDK also put hidden
 * subnets on the relay entry of nodes that already peer with those hidden nodes: WireGuard then gives the
 * prefix to whichever peer was set last. That overlap is refused here by construction and by check.
 */
import { UserError } from '../errors.js';
import { overlapBetweenOwners } from '../net/cidr.js';
import { wgRoutingIp } from './address-plan.js';
import type { ExplorerNetworkResource, ExplorerPeer, NetworkRecord, PlannedNode } from './model.js';

interface Dial {
  hidden: boolean;
  v4: string | null;
  v6: string | null;
}
const dials = new WeakMap<PlannedNode, Dial>();
/** A node's endpoint strings, made once per node object (a plan asks for them n times). */
function dialOf(n: PlannedNode): Dial {
  let d = dials.get(n);
  if (!d) {
    const { ipv4, ipv6 } = n.endpoints;
    d = {
      hidden: !ipv4 && !ipv6,
      v4: ipv4 ? `${ipv4}:${n.listenPort}` : null,
      v6: ipv6 ? `[${ipv6}]:${n.listenPort}` : null,
    };
    dials.set(n, d);
  }
  return d;
}
const hidden = (n: PlannedNode) => dialOf(n).hidden;

/** How `from` reaches `to` directly: the endpoint to dial ('' = `to` dials in), or undefined if it cannot. */
export function directEndpoint(from: PlannedNode, to: PlannedNode): string | undefined {
  const f = dialOf(from);
  const t = dialOf(to);
  if (f.hidden && t.hidden) return undefined;
  if (f.hidden) return t.v4 ?? undefined;
  if (t.hidden) return f.v4 ? '' : undefined;
  if (f.v6 && t.v6) return t.v6;
  if (f.v4 && t.v4) return t.v4;
  return undefined;
}

/** The relay: the first node (in plan order) with a public IPv4. */
export function relayOf(net: NetworkRecord): PlannedNode | undefined {
  return net.nodes.find((n) => n.endpoints.ipv4);
}

const routedCache = new Map<string, string[]>();
/** A subnet and its 100.64 /32, as allowed IPs (memoised: a plan asks for each one n times). */
const routed = (subnet: string): string[] => {
  let r = routedCache.get(subnet);
  if (routedCache.size > 70_000) routedCache.clear(); // one /16 has 256 subnets; keep a long-lived app bounded
  if (!r) routedCache.set(subnet, (r = [subnet, `${wgRoutingIp(subnet)}/32`]));
  return r;
};

/** What every NR's peers are computed from, worked out once per plan (the mesh is n² otherwise). */
interface MeshContext {
  relay: PlannedNode | undefined;
  accessRoutes: Map<string, string[]>;
}

function meshContext(net: NetworkRecord): MeshContext {
  const accessRoutes = new Map<string, string[]>();
  for (const a of net.accesses)
    accessRoutes.set(a.nodeId, [...(accessRoutes.get(a.nodeId) ?? []), ...routed(a.subnet)]);
  return { relay: relayOf(net), accessRoutes };
}

/** The peers of one node's NR. */
export function peersFor(
  net: NetworkRecord,
  nr: PlannedNode,
  ctx: MeshContext = meshContext(net),
): ExplorerPeer[] {
  const { relay, accessRoutes } = ctx;
  const none: string[] = [];
  const peers = new Map<string, ExplorerPeer>();
  const viaRelay: PlannedNode[] = [];
  for (const onr of net.nodes) {
    if (onr === nr) continue;
    const endpoint = directEndpoint(nr, onr);
    if (endpoint === undefined) {
      viaRelay.push(onr);
      continue;
    }
    peers.set(onr.nodeId, {
      public_key: onr.wgPublicKey,
      allowed_iprange: [...routed(onr.subnet), ...(accessRoutes.get(onr.nodeId) ?? none)],
      endpoint,
      iprange: onr.subnet,
    });
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
    entry.allowed_iprange.push(...routed(far.subnet), ...(accessRoutes.get(far.nodeId) ?? none));
  }
  const out = [...peers.values()];
  for (const access of net.accesses) {
    if (access.nodeId === nr.nodeId)
      out.push({
        public_key: access.wgPublicKey,
        allowed_iprange: [...routed(access.subnet)],
        endpoint: '',
        iprange: access.subnet,
      });
  }
  return out;
}

/** The first pair of overlapping allowed prefixes between two different peers of one NR. */
export function overlapWithin(peers: ExplorerPeer[]): [string, string] | undefined {
  return overlapBetweenOwners(
    peers.flatMap((p, owner) => p.allowed_iprange.map((text) => ({ owner, text }))),
  );
}

/**
 * Within one plan, every allowed prefix is a node's or an access's /24 (validated inside the /16 and
 * distinct) or the 100.64 /32 derived one-to-one from it: such prefixes can only overlap by being equal.
 * So the per-NR check on the hot path is for duplicates across peers; `overlapWithin` is the general one
 * (the property tests use it on every random topology).
 */
export function duplicateWithin(peers: ExplorerPeer[]): [string, string] | undefined {
  const owner = new Map<string, number>();
  for (let i = 0; i < peers.length; i++) {
    for (const text of peers[i]!.allowed_iprange) {
      const prev = owner.get(text);
      if (prev !== undefined && prev !== i) return [text, text];
      owner.set(text, i);
    }
  }
  return undefined;
}

/** Every NR of the network with its peers; refuses a plan in which one node's peers overlap. */
export function networkResources(net: NetworkRecord): ExplorerNetworkResource[] {
  if (net.nodes.some(hidden) && !relayOf(net))
    throw new UserError('Network has hidden nodes but no node with a public IPv4 to relay them: add one');
  const ctx = meshContext(net);
  return net.nodes.map((nr) => {
    const peers = peersFor(net, nr, ctx);
    const clash = duplicateWithin(peers);
    if (clash)
      throw new UserError(
        `Peers of node ${nr.nodeId} would both route ${clash[0]} and ${clash[1]}: refusing a plan WireGuard would resolve silently`,
      );
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

/**
 * Who peers directly and who goes through the relay, without building allowed-IP lists: what a diagram
 * needs, at a fraction of `networkResources`' cost. Same rules (`directEndpoint`, `relayOf`), same
 * refusals, reported as `problem` rather than thrown.
 */
export function meshSummary(
  net: NetworkRecord,
  listLinks: boolean,
): { links: [string, string][]; relayVia: Map<string, string>; problem: string | null } {
  const relay = relayOf(net);
  const links: [string, string][] = [];
  const relayVia = new Map<string, string>();
  let problem: string | null = null;
  if (net.nodes.some(hidden) && !relay)
    problem = 'Network has hidden nodes but no node with a public IPv4 to relay them: add one';
  const nodes = net.nodes;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = 0; j < nodes.length; j++) {
      if (i === j) continue;
      const direct = directEndpoint(nodes[i]!, nodes[j]!) !== undefined;
      if (direct) {
        if (listLinks && i < j) links.push([nodes[i]!.nodeId, nodes[j]!.nodeId]);
        continue;
      }
      if (
        relay &&
        relay !== nodes[i] &&
        directEndpoint(nodes[i]!, relay) !== undefined &&
        directEndpoint(relay, nodes[j]!) !== undefined
      ) {
        relayVia.set(nodes[i]!.nodeId, relay.nodeId);
      } else {
        problem ??= `Node ${nodes[i]!.nodeId} cannot reach node ${nodes[j]!.nodeId}: no common address family and no relay between them`;
      }
    }
  }
  return { links, relayVia, problem };
}
