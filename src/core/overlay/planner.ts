/**
 * Planning a network: nodes and accesses with their subnets, keys and ports. Keys are made here and the
 * NR private keys leave only sealed to their node; a laptop's private key is returned to be sealed in the
 * key store. Existing NRs keep their port and keys when the network changes (zos expects that).
 */
import { randomInt } from 'node:crypto';
import { UserError } from '../errors.js';
import { nodeCurveKey, sealWireguardKey } from '../crypto/sealed-box.js';
import { loadSodium } from '../crypto/sodium.js';
import { x25519KeyPair } from '../crypto/x25519.js';
import { bytesToKey } from '../wgconf/keys.js';
import type { WgConfig } from '../wgconf/model.js';
import {
  checkNetworkName,
  checkNetworkRange,
  checkSubnet,
  firstFreeSubnet,
  routingRange,
  wgRoutingIp,
} from './address-plan.js';
import type { NetworkRecord, PlannedAccess, PlannedNode } from './model.js';
import { endpointKind, nodeEndpoints, type ExplorerNodeAddressing } from './node-endpoints.js';

/** The explorer node fields planning needs. */
export interface ExplorerNodeForPlan extends ExplorerNodeAddressing {
  node_id: string;
  public_key_hex: string;
  wg_ports?: number[] | null;
}

/** Ports zos keeps for itself (yggdrasil). */
export const RESERVED_PORTS = [9943, 9944, 9945];
export const PORT_MIN = 1024;
export const PORT_MAX = 32767;

export function createNetwork(name: string, ipRange: string, now = new Date()): NetworkRecord {
  return {
    name: checkNetworkName(name),
    ipRange: checkNetworkRange(ipRange),
    nodes: [],
    accesses: [],
    createdAt: now.toISOString(),
  };
}

const usedSubnets = (net: NetworkRecord) => [
  ...net.nodes.map((n) => n.subnet),
  ...net.accesses.map((a) => a.subnet),
];

/** A listen port in 1024–32767 that the node does not use (its `wg_ports`) and zos does not reserve. */
export function pickListenPort(
  taken: Iterable<number>,
  random: (min: number, max: number) => number = randomInt,
): number {
  const avoid = new Set([...taken, ...RESERVED_PORTS]);
  for (let i = 0; i < 1000; i++) {
    const port = random(PORT_MIN, PORT_MAX + 1);
    if (!avoid.has(port)) return port;
  }
  for (let port = PORT_MIN; port <= PORT_MAX; port++) if (!avoid.has(port)) return port;
  throw new UserError('The node has no free WireGuard port');
}

export interface AddNodeOptions {
  subnet?: string;
  random?: (min: number, max: number) => number;
}

/** Adds a node with a fresh NR key pair (the private key sealed to the node at once). */
export async function addNode(
  net: NetworkRecord,
  node: ExplorerNodeForPlan,
  options: AddNodeOptions = {},
): Promise<NetworkRecord> {
  if (net.nodes.some((n) => n.nodeId === node.node_id))
    throw new UserError(`Node ${node.node_id} is already part of network ${net.name}`);
  const subnet = options.subnet
    ? checkSubnet(net.ipRange, options.subnet, usedSubnets(net))
    : firstFreeSubnet(net.ipRange, usedSubnets(net));
  const sodium = await loadSodium();
  const keys = x25519KeyPair();
  const planned: PlannedNode = {
    nodeId: node.node_id,
    publicKeyHex: node.public_key_hex,
    subnet,
    listenPort: pickListenPort(node.wg_ports ?? [], options.random),
    endpoints: nodeEndpoints(node),
    wgPublicKey: bytesToKey(keys.publicKey),
    wgPrivateKeyEncrypted: sealWireguardKey(
      sodium,
      bytesToKey(keys.secretKey),
      nodeCurveKey(sodium, node.public_key_hex),
    ),
  };
  keys.secretKey.fill(0);
  // Nodes may come in any order (a hidden node before its relay): the whole plan is checked at register.
  return { ...net, nodes: [...net.nodes, planned], dirty: true };
}

export interface AddAccessOptions {
  subnet?: string;
  family?: 4 | 6;
  tunnelName: string;
}

export interface AccessResult {
  network: NetworkRecord;
  /** The laptop's wg-quick config, private key included: seal it, never log it. */
  config: WgConfig;
}

/** Adds an external access through an entrypoint: the laptop's key pair is made here, locally. */
export function addAccess(net: NetworkRecord, nodeId: string, options: AddAccessOptions): AccessResult {
  const entry = net.nodes.find((n) => n.nodeId === nodeId);
  if (!entry)
    throw new UserError(`Node ${nodeId} is not part of network ${net.name}: add it first (network add-node)`);
  const family = options.family ?? (entry.endpoints.ipv4 ? 4 : 6);
  const ip = family === 4 ? entry.endpoints.ipv4 : entry.endpoints.ipv6;
  if (!ip) {
    const kind = endpointKind(entry.endpoints);
    throw new UserError(
      `Node ${nodeId} has no public IPv${family} address (it is ${kind}): choose another entrypoint${kind === 'ipv6-only' ? ' or --ipv6' : ''}`,
    );
  }
  const subnet = options.subnet
    ? checkSubnet(net.ipRange, options.subnet, usedSubnets(net))
    : firstFreeSubnet(net.ipRange, usedSubnets(net));
  const keys = x25519KeyPair();
  const access: PlannedAccess = {
    nodeId,
    subnet,
    family,
    wgPublicKey: bytesToKey(keys.publicKey),
    tunnelName: options.tunnelName,
  };
  const network = { ...net, accesses: [...net.accesses, access], dirty: true };
  return { network, config: accessConfig(network, access, bytesToKey(keys.secretKey)) };
}

/** The laptop's config. AllowedIPs carries 100.64.<o2>.0/24 rather than the SDK's /32, which reached the
 * workloads but not the nodes' own 100.64 addresses (zos #1001). */
export function accessConfig(net: NetworkRecord, access: PlannedAccess, privateKey: string): WgConfig {
  const entry = net.nodes.find((n) => n.nodeId === access.nodeId)!;
  const ip = access.family === 4 ? entry.endpoints.ipv4! : `[${entry.endpoints.ipv6!}]`;
  return {
    interface: { privateKey, addresses: [`${wgRoutingIp(access.subnet)}/32`], dns: [], scripts: [] },
    peers: [
      {
        publicKey: entry.wgPublicKey,
        allowedIPs: [net.ipRange, routingRange(net.ipRange)],
        endpoint: `${ip}:${entry.listenPort}`,
        persistentKeepalive: 25,
      },
    ],
  };
}
