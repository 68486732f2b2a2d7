/**
 * "Connect this device" and "Remove this device": one access per device. The device's WireGuard key is
 * made here and handed back for the caller to seal; it is written into `user_accesses` (where every node
 * of the network, and the dashboard, can read it in the clear) only when the user opts in with
 * `shareKey`. Without it the entry names the node and subnet only, which keeps the subnet taken for
 * grid_client and the dashboard, which then show no config for it.
 */
import { parseIpRange, wgRoute } from '../../core/grid3/subnets.js';
import { generateWgKeyPair, wgPublicKey, type WgKeyPair } from '../../core/grid3/wg-keys.js';
import { systemRandom } from '../../core/grid3/network-plan.js';
import type { NetworksContext } from './context.js';
import { JourneyFailedError, NetworkError } from './errors.js';
import { accessConfigFor } from './access-config.js';
import type { LoadedNetwork } from './read-network.js';
import { applyChange } from './update-network.js';

export interface ConnectOptions {
  /** The access node; default: a node that already serves accesses, else the first that can. */
  via?: number;
  /** Write this device's private key into user_accesses (the dashboard then shows its config). */
  shareKey?: boolean;
  /**
   * This device's key pair from an earlier connect that failed half-way (JourneyFailedError.deviceKeys):
   * the same access is finished rather than a second one added. Default: a new pair made here.
   */
  keyPair?: WgKeyPair;
}

export interface ConnectedDevice {
  network: string;
  /** The access node. */
  nodeId: number;
  subnet: string;
  /** `100.64.b.c/32`. */
  address: string;
  publicKey: string;
  /** For the caller to seal; never logged, never written to the grid unless `shareKey`. */
  privateKey: string;
  /** The wg-quick text. */
  config: string;
  endpoint: string;
  updatedContracts: number[];
  warnings: string[];
}

/** Access peers (endpoint "", not a node's key) by public key, with the node that serves each. */
function accessPeers(loaded: LoadedNetwork): Map<string, { nodeId: number; subnet: string }> {
  const nodeKeys = new Set(loaded.members.map((m) => wgPublicKey(m.workload.data.wireguard_private_key)));
  const out = new Map<string, { nodeId: number; subnet: string }>();
  for (const m of loaded.members) {
    for (const p of m.workload.data.peers) {
      if (p.endpoint === '' && !nodeKeys.has(p.wireguard_public_key) && !out.has(p.wireguard_public_key)) {
        out.set(p.wireguard_public_key, { nodeId: m.contract.nodeId, subnet: p.subnet });
      }
    }
  }
  return out;
}

function chooseAccessNode(loaded: LoadedNetwork, via: number | undefined): number {
  const usable = loaded.members.filter((m) => {
    const pc = m.node.grid.publicConfig;
    return pc.ipv4 !== '' && pc.ipv6 !== '';
  });
  if (via !== undefined) {
    if (!loaded.members.some((m) => m.contract.nodeId === via)) {
      throw new NetworkError(`node ${via} is not a node of network ${loaded.name}`);
    }
    return via;
  }
  const serving = [...accessPeers(loaded).values()].map((a) => a.nodeId);
  const preferred = usable.find((m) => serving.includes(m.contract.nodeId)) ?? usable[0];
  if (!preferred) {
    throw new NetworkError(
      `network ${loaded.name} has no node with a public IPv4 and IPv6 to serve an access`,
    );
  }
  return preferred.contract.nodeId;
}

export async function connectDevice(
  ctx: NetworksContext,
  name: string,
  options: ConnectOptions = {},
): Promise<ConnectedDevice> {
  // One key for every attempt: a retry after a race must not leave a first, orphaned access behind.
  const keys = options.keyPair
    ? { privateKey: options.keyPair.privateKey, publicKey: wgPublicKey(options.keyPair.privateKey) }
    : generateWgKeyPair();
  let nodeId = 0;
  const result = await applyChange(ctx, name, (loaded) => {
    nodeId = chooseAccessNode(loaded, options.via);
    if (accessPeers(loaded).has(keys.publicKey)) return {}; // the first attempt got it in already
    return {
      addAccesses: [{ nodeId, storePrivateKey: options.shareKey === true }],
      // Connecting adds no node, so the planner's only key pair is this access's.
      random: { ...systemRandom, keyPair: () => keys },
    };
  }).catch((e: unknown) => {
    throw e instanceof JourneyFailedError ? e.withDeviceKeys(keys) : e;
  });
  const loadedAfter = result.loaded;
  const added = result.plan.addedAccesses[0];
  const subnet = added?.subnet ?? accessPeers(loadedAfter).get(keys.publicKey)?.subnet;
  if (!subnet) throw new NetworkError(`network ${name}: the access was not added`);
  const accessNode = loadedAfter.members.find((m) => m.contract.nodeId === nodeId)!;
  const planned = result.plan.nodes.find((n) => n.nodeId === nodeId)!;
  const cfg = accessConfigFor({ ...accessNode, workload: planned.workload }, subnet, keys.privateKey);
  return {
    network: name,
    nodeId,
    subnet,
    address: wgRoute(parseIpRange(accessNode.workload.data.ip_range), subnet),
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    config: cfg.config,
    endpoint: cfg.endpoint,
    updatedContracts: result.updatedContracts,
    warnings: [...result.warnings, ...cfg.warnings],
  };
}

export interface DisconnectedDevice {
  network: string;
  nodeId: number;
  subnet: string;
  updatedContracts: number[];
  warnings: string[];
}

/** Removes the access whose public key is `publicKey` (this device's), and its user_accesses entry. */
export async function disconnectDevice(
  ctx: NetworksContext,
  name: string,
  publicKey: string,
): Promise<DisconnectedDevice> {
  let found: { nodeId: number; subnet: string } | undefined;
  const result = await applyChange(ctx, name, (loaded) => {
    found = accessPeers(loaded).get(publicKey);
    if (!found) throw new NetworkError(`network ${name} has no access with this device's key`);
    return { removeAccesses: [found.subnet] };
  });
  return {
    network: name,
    nodeId: found!.nodeId,
    subnet: found!.subnet,
    updatedContracts: result.updatedContracts,
    warnings: result.warnings,
  };
}
