/**
 * Plans a Grid v3 network's workloads exactly as grid_client 2.9.2 does (`primitives/network.js`:
 * `addNode`, `addAccess`, `generatePeers`, `getAccessPoints`, `getUpdatedMetadata`), as a pure function of
 * what the transports fetched. Any dashboard action on a network regenerates every peer with grid_client's
 * algorithm, so a plan that differs would be rewritten behind the user's back: the peers here are the ones
 * grid_client would write for the same nodes, subnets, keys and ports.
 *
 * The rules (grid_client's, unless said otherwise):
 * - nodes keep their subnet, key and port; a new node gets the lowest free `x.y.c.0/24` (c ≥ 2), a fresh
 *   X25519 key pair and a random port in 1024–32767 it does not use yet; then accesses get subnets;
 * - a node's endpoint: see endpoints.ts; with more than one node, a node without one is hidden;
 * - every pair of nodes with endpoints is meshed, whatever the address family; a peer's allowed IPs are
 *   its subnet and `100.64.b.c/32`, plus the subnet and 100.64 address of each access point it serves;
 * - a hidden node attaches to one access node (a network node gridproxy lists with public IPv4 and IPv6):
 *   its only peer is that node, whose allowed IPs carry every other subnet of the network and their 100.64
 *   addresses (and, as grid_client writes them, its own subnet last: the access node "serves" it); the
 *   access node has it as a peer with endpoint "" (an "access point"), so every other node routes the
 *   hidden node's subnet through the access node;
 * - an access (a laptop) is a peer with endpoint "" on its access node, allowed `[subnet, 100.64.b.c/32]`;
 * - existing access points are the peers with endpoint "" whose key is no node's;
 * - every workload's metadata carries the whole `user_accesses` list.
 * Where this differs from grid_client, it says so where it does.
 *
 * Versions are left to the caller: for each node in `changedNodeIds` that already has a deployment, the
 * deployment's version goes up by one and the network workload's version must equal the new deployment
 * version (zos updates the workloads whose version equals it). grid_client instead sends an update to every
 * node of the network on any change, with `workload.version += 1`.
 */
import { randomInt as cryptoRandomInt } from 'node:crypto';
import { Grid3FormatError, formatEndpoint } from './canonical.js';
import {
  isValidWorkloadName,
  type Mycelium,
  type NetworkData,
  type NetworkPeer,
  type NetworkWorkload,
} from './deployment.js';
import {
  isPlannedPublic,
  nodeEndpointAddress,
  type NodeInterfaces,
  type NodePublicConfig,
} from './endpoints.js';
import { laptopConfig } from './laptop-config.js';
import {
  parseIpRange,
  requireSubnet,
  SubnetAllocator,
  subnetIndex,
  wgAddress,
  wgRoute,
  type IpRange,
} from './subnets.js';
import {
  mergeUserAccesses,
  readUserAccesses,
  userAccessEntry,
  writeUserAccesses,
  type UserAccess,
} from './user-accesses.js';
import { generateWgKeyPair, isWgKey, requireWgKey, wgPublicKey, type WgKeyPair } from './wg-keys.js';
import { parseUsedPorts, pickFreePort, type RandomInt } from './wg-ports.js';

/** What the transports fetched about one node of the network (existing or to add). */
export interface NodeFacts {
  nodeId: number;
  /** `zos.network.public_config_get`; null or absent when the node has none (or did not answer). */
  publicConfig?: NodePublicConfig | null;
  /** `zos.network.interfaces`; only its `zos` entry is used, and only when the public config gives none. */
  interfaces?: NodeInterfaces | null;
  /** `zos.network.list_wg_ports`: needed for a node that is new to the network. */
  usedPorts?: unknown;
  /** A new node's mycelium key (64 lowercase hex); existing nodes keep theirs. */
  myceliumHexKey?: string;
}

/** A node gridproxy lists with public IPv4 and IPv6 (`/nodes?ipv4=true&ipv6=true&status=up`). */
export interface AccessNodeCandidate {
  nodeId: number;
  /** gridproxy's `publicConfig.ipv4`, "a.b.c.d/nn": the laptop's endpoint. */
  ipv4: string;
  ipv6?: string;
}

/** A network workload the network already has (from `zos.deployment.get`), with the node it is on. */
export interface ExistingNetworkWorkload {
  nodeId: number;
  workload: NetworkWorkload;
}

/** An access to add: a device that dials `nodeId`. */
export interface AccessToAdd {
  nodeId: number;
  /** The device's own public key, if it made its key pair itself (then no private key exists here). */
  publicKey?: string;
  /** Write the private key into `user_accesses` on every node (what grid_client and the dashboard do). */
  storePrivateKey?: boolean;
}

export interface PlanRandom {
  /** A uniform integer in [min, max]. */
  int: RandomInt;
  /** A fresh key pair. Its public key is used when it is a key: deriving one costs an X25519 import
   * (about 0.5 ms with OpenSSL 3's DER decoder, ten times the key's generation), and a fresh pair comes
   * from our own source (systemRandom: Node's native generator). An empty one is derived. */
  keyPair(): WgKeyPair;
  /** One of `candidates` (node ids, ascending): a hidden node's access node. */
  choose(candidates: readonly number[]): number;
}

export interface NetworkPlanInput {
  name: string;
  ipRange: string;
  /** Every node the network will have: the existing ones and the new ones. */
  nodes: readonly NodeFacts[];
  accessNodeCandidates: readonly AccessNodeCandidate[];
  /** In the order grid_client loads them (contract order): it decides the order of peers. */
  existing?: readonly ExistingNetworkWorkload[];
  addAccesses?: readonly AccessToAdd[];
  /** Accesses to remove, by subnet. */
  removeAccesses?: readonly string[];
  random?: PlanRandom;
}

export interface PlannedNode {
  nodeId: number;
  /** The workload to send; its version is the existing one (0 if new): the caller bumps it. */
  workload: NetworkWorkload;
  status: 'new' | 'changed' | 'unchanged';
  /** The address other nodes dial, or undefined for a hidden node. */
  endpointAddress: string | undefined;
  /** For a hidden node, the access node it goes through. */
  accessNodeId: number | undefined;
  /** `100.64.b.c`. */
  wgAddress: string;
}

export interface PlannedAccess {
  nodeId: number;
  subnet: string;
  /** `100.64.b.c/32`. */
  address: string;
  publicKey: string;
  /** Absent when the device gave its own public key. */
  privateKey: string | undefined;
  /** The access node's `a.b.c.d:port` from gridproxy's IPv4 (grid_client's `getAccessNodeEndpoint`). */
  endpoint: string;
  accessNodePublicKey: string;
  /** The wg-quick config, when the private key is known here. */
  config: string | undefined;
}

export interface NetworkPlan {
  name: string;
  ipRange: string;
  nodes: PlannedNode[];
  /** The accesses this plan added, in the order asked. */
  addedAccesses: PlannedAccess[];
  /** The list every workload's metadata now carries. */
  userAccesses: UserAccess[];
  /** Nodes whose workload is new or differs from the existing one: their deployments must be sent. */
  changedNodeIds: number[];
  /** What was ignored in the input (unusable metadata entries, unusable candidates). */
  warnings: string[];
}

/** The node-side randomness: the OS's (`crypto.randomInt`, native X25519). */
export const systemRandom: PlanRandom = {
  int: (min, max) => cryptoRandomInt(min, max + 1),
  keyPair: generateWgKeyPair,
  choose: (candidates) => candidates[cryptoRandomInt(candidates.length)]!,
};

interface Member {
  nodeId: number;
  subnet: string;
  privateKey: string;
  publicKey: string;
  port: number;
  mycelium: Mycelium | undefined;
  endpointAddress: string | undefined;
  existing: NetworkWorkload | undefined;
  /** The access node the existing workload goes through, if it is a hidden node's. */
  previousAccessNode: number | undefined;
}

interface AccessPoint {
  nodeId: number;
  subnet: string;
  publicKey: string;
}

const isNodeId = (x: unknown): x is number =>
  Number.isSafeInteger(x) && (x as number) > 0 && (x as number) <= 0xffff_ffff;

function requireNodeId(x: unknown, where: string): number {
  if (!isNodeId(x)) throw new Grid3FormatError(`${where}: ${String(x)} is not a node id`);
  return x;
}

/** The existing workload's data, checked: it comes from a node and is not trusted. */
function checkExisting(range: IpRange, name: string, e: ExistingNetworkWorkload, i: number): NetworkData {
  const where = `existing[${i}] (node ${e.nodeId})`;
  const w = e.workload;
  if (!w || w.type !== 'network') throw new Grid3FormatError(`${where}: not a "network" workload`);
  if (w.name !== name) throw new Grid3FormatError(`${where}: workload "${w.name}" is not network "${name}"`);
  const d = w.data;
  if (!d || typeof d !== 'object') throw new Grid3FormatError(`${where}: no data`);
  if (d.ip_range !== range.text) {
    // grid_client's words (`loadNetworkFromContracts`).
    throw new Grid3FormatError(`The same network name ${name} with a different ip range already exists.`);
  }
  requireSubnet(range, d.subnet, `${where}.subnet`);
  requireWgKey(d.wireguard_private_key, `${where}.wireguard_private_key`);
  const port = d.wireguard_listen_port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Grid3FormatError(`${where}.wireguard_listen_port: ${String(port)} is not a port`);
  }
  if (!Array.isArray(d.peers)) throw new Grid3FormatError(`${where}.peers: not a list`);
  d.peers.forEach((p, j) => {
    if (!p || typeof p !== 'object') throw new Grid3FormatError(`${where}.peers[${j}]: not a peer`);
    requireWgKey(p.wireguard_public_key, `${where}.peers[${j}].wireguard_public_key`);
    if (typeof p.endpoint !== 'string')
      throw new Grid3FormatError(`${where}.peers[${j}].endpoint: not a string`);
    if (typeof p.subnet !== 'string') throw new Grid3FormatError(`${where}.peers[${j}].subnet: not a string`);
  });
  if (d.mycelium !== undefined && d.mycelium !== null) {
    if (typeof d.mycelium.hex_key !== 'string' || !/^[0-9a-f]{64}$/.test(d.mycelium.hex_key)) {
      throw new Grid3FormatError(`${where}.mycelium.hex_key: not 32 bytes in lowercase hex`);
    }
  }
  return d;
}

function sameData(a: NetworkData, b: NetworkData): boolean {
  // Compared on the fields zos reads, in a fixed order (a node's JSON may order keys differently).
  const norm = (d: NetworkData) =>
    JSON.stringify([
      d.ip_range,
      d.subnet,
      d.wireguard_private_key,
      d.wireguard_listen_port,
      d.peers.map((p) => [p.subnet, p.wireguard_public_key, p.allowed_ips, p.endpoint]),
      d.mycelium ? [d.mycelium.hex_key, d.mycelium.peers ?? []] : null,
    ]);
  return norm(a) === norm(b);
}

/** The access node's endpoint for a laptop: gridproxy's IPv4 and the node's port. */
function laptopEndpoint(candidate: AccessNodeCandidate, port: number): string {
  return formatEndpoint(candidate.ipv4.split('/')[0]!, port);
}

export function planNetwork(input: NetworkPlanInput): NetworkPlan {
  const random = input.random ?? systemRandom;
  const warnings: string[] = [];
  if (!isValidWorkloadName(input.name)) {
    throw new Grid3FormatError(`network name "${input.name}" must be 1–36 of [a-zA-Z0-9_] and not "ygg"`);
  }
  const range = parseIpRange(input.ipRange);
  if (range.text !== input.ipRange) throw new Grid3FormatError(`ip_range must be written ${range.text}`);

  const facts = new Map<number, NodeFacts>();
  input.nodes.forEach((f, i) => {
    const id = requireNodeId(f?.nodeId, `nodes[${i}].nodeId`);
    if (facts.has(id)) throw new Grid3FormatError(`node ${id} is listed twice`);
    facts.set(id, f);
  });

  // Access node candidates: grid_client keeps those whose IPv4 is public (`Nodes.getAccessNodes`; the
  // devnet's underlay counts as public, see `isPlannedPublic`).
  const candidates = new Map<number, AccessNodeCandidate>();
  for (const c of input.accessNodeCandidates) {
    if (!isNodeId(c?.nodeId) || typeof c.ipv4 !== 'string' || !isPlannedPublic(c.ipv4.split('/')[0])) {
      warnings.push(`access node candidate ${String(c?.nodeId)} ignored: no public IPv4`);
      continue;
    }
    candidates.set(c.nodeId, c);
  }

  // Existing members, in load order.
  const members: Member[] = [];
  const byId = new Map<number, Member>();
  const existing = (input.existing ?? []).filter((e) => e.workload?.result?.state !== 'deleted');
  const datas = existing.map((e, i) => {
    requireNodeId(e.nodeId, `existing[${i}].nodeId`);
    return checkExisting(range, input.name, e, i);
  });
  const nodeKeys = new Set<string>();
  existing.forEach((e, i) => {
    const d = datas[i]!;
    if (byId.has(e.nodeId))
      throw new Grid3FormatError(`node ${e.nodeId} has two workloads of network ${input.name}`);
    if (members.some((m) => m.subnet === d.subnet)) {
      throw new Grid3FormatError(`subnet ${d.subnet} is on two nodes`);
    }
    const f = facts.get(e.nodeId);
    if (!f)
      throw new Grid3FormatError(`node ${e.nodeId} has a workload of the network but no facts were given`);
    const publicKey = wgPublicKey(d.wireguard_private_key);
    nodeKeys.add(publicKey);
    const m: Member = {
      nodeId: e.nodeId,
      subnet: d.subnet,
      privateKey: d.wireguard_private_key,
      publicKey,
      port: d.wireguard_listen_port,
      mycelium: d.mycelium
        ? { hex_key: d.mycelium.hex_key, peers: [...(d.mycelium.peers ?? [])] }
        : undefined,
      endpointAddress: nodeEndpointAddress(f.publicConfig, f.interfaces),
      existing: e.workload,
      previousAccessNode: undefined,
    };
    members.push(m);
    byId.set(m.nodeId, m);
  });
  // A hidden node's previous access node: its one peer, if that is a node.
  for (const m of members) {
    const peers = m.existing!.data.peers;
    if (peers.length === 1) {
      m.previousAccessNode = members.find((o) => o.publicKey === peers[0]!.wireguard_public_key)?.nodeId;
    }
  }

  // Existing access points (grid_client's `getAccessPoints`): endpoint "" and no node's key.
  const removing = new Set(input.removeAccesses ?? []);
  const accessPoints: AccessPoint[] = [];
  const removed = new Set<string>();
  for (const m of members) {
    for (const p of m.existing!.data.peers) {
      if (nodeKeys.has(p.wireguard_public_key) || p.endpoint !== '') continue;
      if (subnetIndex(range, p.subnet) === undefined) {
        warnings.push(
          `node ${m.nodeId}: access peer with subnet "${p.subnet}" outside ${range.text} dropped`,
        );
        continue;
      }
      if (members.some((o) => o.subnet === p.subnet)) {
        warnings.push(`node ${m.nodeId}: access peer on node subnet ${p.subnet} dropped`);
        continue;
      }
      if (removing.has(p.subnet)) {
        removed.add(p.subnet);
        continue;
      }
      if (accessPoints.some((a) => a.subnet === p.subnet)) continue;
      accessPoints.push({ nodeId: m.nodeId, subnet: p.subnet, publicKey: p.wireguard_public_key });
    }
  }
  for (const s of removing) {
    if (!removed.has(s)) throw new Grid3FormatError(`network ${input.name} has no access with subnet ${s}`);
  }

  // user_accesses, merged from every workload.
  const lists = existing.map((e) => {
    const { entries, problems } = readUserAccesses(range, e.workload.metadata ?? '');
    for (const p of problems) warnings.push(`node ${e.nodeId} metadata: ${p}`);
    return entries;
  });
  let userAccesses = mergeUserAccesses(lists).filter((u) => !removing.has(u.subnet));

  // Subnets: routed ones (nodes, access points) and, not routed, those a device's entry still names.
  const allocator = new SubnetAllocator(range);
  for (const m of members) allocator.reserve(m.subnet);
  for (const a of accessPoints) allocator.reserve(a.subnet);
  // grid_client reserves only nodes' and access points' subnets; an entry without a peer keeps its
  // subnet here too, so that a device holding that config never collides with a new one.
  for (const u of userAccesses) allocator.reserve(u.subnet);

  // New nodes: key pair, then port (grid_client's `addNode` order), in the order given.
  for (const f of input.nodes) {
    if (byId.has(f.nodeId)) continue;
    const used = parseUsedPorts(f.usedPorts, f.nodeId);
    const keys = random.keyPair();
    requireWgKey(keys.privateKey, 'random key pair');
    const m: Member = {
      nodeId: f.nodeId,
      subnet: allocator.next(),
      privateKey: keys.privateKey,
      publicKey: isWgKey(keys.publicKey) ? keys.publicKey : wgPublicKey(keys.privateKey),
      port: pickFreePort(used, random.int, f.nodeId),
      mycelium: undefined,
      endpointAddress: nodeEndpointAddress(f.publicConfig, f.interfaces),
      existing: undefined,
      previousAccessNode: undefined,
    };
    if (f.myceliumHexKey !== undefined) {
      if (!/^[0-9a-f]{64}$/.test(f.myceliumHexKey)) {
        throw new Grid3FormatError(`node ${f.nodeId}: mycelium key must be 32 bytes in lowercase hex`);
      }
      m.mycelium = { hex_key: f.myceliumHexKey, peers: [] };
    }
    members.push(m);
    byId.set(m.nodeId, m);
  }
  for (const m of members) {
    if (!facts.has(m.nodeId)) throw new Grid3FormatError(`node ${m.nodeId}: no facts`);
  }

  // New accesses, with grid_client's checks and words (`addAccess`, `getAccessNodeEndpoint`).
  const added: PlannedAccess[] = [];
  for (const a of input.addAccesses ?? []) {
    const node = byId.get(a.nodeId);
    if (!node)
      throw new Grid3FormatError(`Node ${a.nodeId} does not exist in the network. Please add it first.`);
    const candidate = candidates.get(a.nodeId);
    if (!candidate) throw new Grid3FormatError(`Node ${a.nodeId} is not an access node.`);
    if (node.endpointAddress === undefined) {
      // Not a grid_client check (it trusts gridproxy): the node itself gives no public address, so the
      // other nodes could not reach the access's subnet through it.
      throw new Grid3FormatError(`Node ${a.nodeId} gives no public address: it cannot serve an access.`);
    }
    let privateKey: string | undefined;
    let publicKey: string;
    if (a.publicKey !== undefined) {
      publicKey = requireWgKey(a.publicKey, 'access public key');
    } else {
      const keys = random.keyPair();
      privateKey = requireWgKey(keys.privateKey, 'random key pair');
      publicKey = isWgKey(keys.publicKey) ? keys.publicKey : wgPublicKey(privateKey);
    }
    if (
      members.some((m) => m.publicKey === publicKey) ||
      accessPoints.some((p) => p.publicKey === publicKey)
    ) {
      throw new Grid3FormatError('the access public key is already used in this network');
    }
    const subnet = allocator.next();
    accessPoints.push({ nodeId: a.nodeId, subnet, publicKey });
    userAccesses = [
      ...userAccesses,
      userAccessEntry(a.nodeId, subnet, a.storePrivateKey ? privateKey : undefined),
    ];
    const endpoint = laptopEndpoint(candidate, node.port);
    added.push({
      nodeId: a.nodeId,
      subnet,
      address: wgRoute(range, subnet),
      publicKey,
      privateKey,
      endpoint,
      accessNodePublicKey: node.publicKey,
      config:
        privateKey === undefined
          ? undefined
          : laptopConfig({ range, subnet, privateKey, accessNodePublicKey: node.publicKey, endpoint }),
    });
  }

  // Hidden nodes and their access nodes (grid_client's `generatePeers`, first loop). Candidates are the
  // network's nodes gridproxy lists, ascending (grid_client iterates an object keyed by node id); unlike
  // grid_client, one that gives no public address itself is not used (it could be chosen and leave the
  // hidden node with no peer at all, or be the hidden node itself).
  const accessOf = new Map<number, number>();
  if (members.length > 1) {
    const usable = members
      .filter((m) => candidates.has(m.nodeId) && m.endpointAddress !== undefined)
      .map((m) => m.nodeId)
      .sort((x, y) => x - y);
    for (const m of members) {
      if (m.endpointAddress !== undefined) continue;
      if (usable.length === 0) {
        throw new Grid3FormatError(
          `Couldn't add node ${m.nodeId} as it's a hidden node and there is no access node in this network ` +
            `${input.name}. Please add addAccess = true in the network configuration.`,
        );
      }
      // grid_client draws again at every regeneration; keeping a still valid choice avoids needless
      // updates and is one of the outcomes grid_client's draw can have.
      const previous = m.previousAccessNode;
      const chosen = previous !== undefined && usable.includes(previous) ? previous : random.choose(usable);
      if (!usable.includes(chosen)) throw new Grid3FormatError(`random choice ${chosen} is not a candidate`);
      accessOf.set(m.nodeId, chosen);
    }
  }

  // Routed subnets in grid_client's `getReservedSubnets` order: nodes, access points, new ones.
  const routed: string[] = [];
  const route = (s: string) => {
    if (!routed.includes(s)) routed.push(s);
  };
  members.filter((m) => m.existing).forEach((m) => route(m.subnet));
  accessPoints.filter((a) => !added.some((x) => x.subnet === a.subnet)).forEach((a) => route(a.subnet));
  members.filter((m) => !m.existing).forEach((m) => route(m.subnet));
  added.forEach((a) => route(a.subnet));

  // Laptops first, then hidden nodes (grid_client: `[...this.accessPoints, ...hiddenNodes]`).
  const served: AccessPoint[] = [
    ...accessPoints,
    ...members
      .filter((m) => accessOf.has(m.nodeId))
      .map((m) => ({ nodeId: accessOf.get(m.nodeId)!, subnet: m.subnet, publicKey: m.publicKey })),
  ];
  const pair = (subnet: string) => [subnet, wgRoute(range, subnet)];

  const peersOf = (n: Member): NetworkPeer[] => {
    const peers: NetworkPeer[] = [];
    const via = accessOf.get(n.nodeId);
    for (const other of members) {
      if (other === n) continue;
      if (via !== undefined && other.nodeId !== via) continue;
      if (other.endpointAddress === undefined) continue;
      const allowed: string[] = [];
      if (via !== undefined) {
        for (const s of routed) if (s !== n.subnet && s !== other.subnet) allowed.push(...pair(s));
      }
      allowed.push(...pair(other.subnet));
      for (const ap of served) {
        if (ap.nodeId === other.nodeId && !allowed.includes(ap.subnet)) allowed.push(...pair(ap.subnet));
      }
      peers.push({
        subnet: other.subnet,
        wireguard_public_key: other.publicKey,
        allowed_ips: allowed,
        endpoint: formatEndpoint(other.endpointAddress, other.port),
      });
    }
    for (const ap of served) {
      if (ap.nodeId !== n.nodeId) continue;
      peers.push({
        subnet: ap.subnet,
        wireguard_public_key: ap.publicKey,
        allowed_ips: pair(ap.subnet),
        endpoint: '',
      });
    }
    return peers;
  };

  const nodes: PlannedNode[] = members.map((m) => {
    const data: NetworkData = {
      ip_range: range.text,
      subnet: m.subnet,
      wireguard_private_key: m.privateKey,
      wireguard_listen_port: m.port,
      peers: peersOf(m),
    };
    if (m.mycelium) data.mycelium = m.mycelium;
    const metadata = writeUserAccesses(m.existing?.metadata ?? '', userAccesses);
    const workload: NetworkWorkload = {
      version: m.existing?.version ?? 0,
      name: input.name,
      type: 'network',
      data,
      metadata,
      description: m.existing?.description ?? '',
    };
    const status: PlannedNode['status'] = !m.existing
      ? 'new'
      : sameData(m.existing.data, data) && m.existing.metadata === metadata
        ? 'unchanged'
        : 'changed';
    return {
      nodeId: m.nodeId,
      workload,
      status,
      endpointAddress: m.endpointAddress,
      accessNodeId: accessOf.get(m.nodeId),
      wgAddress: wgAddress(range, m.subnet),
    };
  });

  return {
    name: input.name,
    ipRange: range.text,
    nodes,
    addedAccesses: added,
    userAccesses,
    changedNodeIds: nodes.filter((n) => n.status !== 'unchanged').map((n) => n.nodeId),
    warnings,
  };
}

/** An existing access's wg-quick config again, from its subnet and the device's private key. */
export function accessConfig(
  plan: NetworkPlan,
  access: { nodeId: number; subnet: string; privateKey: string },
  candidate: AccessNodeCandidate,
): string {
  const range = parseIpRange(plan.ipRange);
  const node = plan.nodes.find((n) => n.nodeId === access.nodeId);
  if (!node) throw new Grid3FormatError(`Node ${access.nodeId} does not exist in the network.`);
  if (candidate.nodeId !== access.nodeId) throw new Grid3FormatError('the candidate is another node');
  const d = node.workload.data;
  if (!d.peers.some((p) => p.subnet === access.subnet && p.endpoint === '')) {
    throw new Grid3FormatError(`node ${access.nodeId} serves no access with subnet ${access.subnet}`);
  }
  return laptopConfig({
    range,
    subnet: access.subnet,
    privateKey: access.privateKey,
    accessNodePublicKey: wgPublicKey(d.wireguard_private_key),
    endpoint: laptopEndpoint(candidate, d.wireguard_listen_port),
  });
}
