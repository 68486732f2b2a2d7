/**
 * The seed's workflow (network.create, nodes_search, add_node, add_access, reservation_register,
 * reservation_result) over the store, the keyring and an explorer. Every change is committed in one store
 * write after everything that can fail (the explorer, the passphrase) has succeeded.
 */
import { userInfo } from 'node:os';
import { UserError, NotFoundError } from '../errors.js';
import { identityFromSeed, newIdentity, toHex, type Ed25519Identity } from '../crypto/identity-keys.js';
import type { Keyring } from '../store/keyring.js';
import { IDENTITY_SECRET, type IdentityRecord } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';
import type { TunnelStore } from '../tunnels/tunnel-store.js';
import { ExplorerClient, type ExplorerNode, type ReservationInfo } from './explorer-client.js';
import { networkResources } from './mesh.js';
import type { NetworkRecord } from './model.js';
import { endpointKind, nodeEndpoints, type EndpointKind } from './node-endpoints.js';
import { addAccess, addNode, createNetwork } from './planner.js';
import { buildDeleteRequest, buildReservation, DEFAULT_RESERVATION_S, NEXT_ACTION, RESULT_STATE } from './reservation.js';

/** The retired v2 explorer; `devnet up` (or --explorer) points the app at a live one. */
export const DEFAULT_EXPLORER = 'https://explorer.grid.tf';
/** "Up" in node search: reported to the explorer within the last 10 minutes. */
export const NODE_UP_S = 600;

export interface NodeFilter {
  farm?: number;
  ipv4?: boolean;
  ipv6?: boolean;
  up?: boolean;
}

export type FoundNode = ExplorerNode & { endpoint_kind: EndpointKind };

export interface NodeProvisioning {
  nodeId: string;
  state: 'ok' | 'error' | 'deleted' | 'pending';
  message: string;
}

export interface NetworkStatus {
  network: string;
  reservationId: number;
  nextAction: number;
  nextActionName: string;
  nodes: NodeProvisioning[];
}

export class NetworkService {
  constructor(
    private readonly store: StateStore,
    private readonly keyring: Keyring,
    private readonly tunnels: TunnelStore,
    private readonly explorerUrl: string,
  ) {}

  explorer(url = this.explorerUrl): ExplorerClient {
    return new ExplorerClient(url);
  }

  // --- identity ---------------------------------------------------------------------------------------

  identity(): IdentityRecord {
    const id = this.store.read().identity;
    if (!id) throw new UserError('No identity yet: create one with `overlay-connect identity create`');
    return id;
  }

  async createIdentity(options: { name?: string; email?: string; seedHex?: string } = {}): Promise<{ identity: IdentityRecord; registered?: number; warning?: string }> {
    if (this.store.read().identity) throw new UserError('An identity exists already (identity show); this store keeps one');
    let keys: Ed25519Identity;
    if (options.seedHex !== undefined) {
      if (!/^[0-9a-fA-F]{64}$/.test(options.seedHex)) throw new UserError('The seed must be 32 bytes in hex (64 characters)');
      keys = identityFromSeed(Buffer.from(options.seedHex, 'hex'));
    } else {
      keys = newIdentity();
    }
    const name = options.name ?? defaultIdentityName();
    const email = options.email ?? '';
    const sealed = await this.keyring.seal(toHex(keys.seed));
    const record: IdentityRecord = { name, email, publicKeyHex: toHex(keys.publicKey), tids: {}, createdAt: new Date().toISOString() };
    this.store.update((d) => {
      d.identity = record;
      d.secrets[IDENTITY_SECRET] = sealed;
    });
    // Registration needs the explorer; the identity is kept even when it cannot be reached now.
    try {
      const tid = await this.ensureRegistered();
      return { identity: this.identity(), registered: tid };
    } catch (e) {
      return { identity: record, warning: `not registered in the phonebook of ${this.explorerUrl} yet: ${(e as Error).message}` };
    }
  }

  /** The phonebook id on this explorer, registering the identity there first if needed. */
  async ensureRegistered(url = this.explorerUrl): Promise<number> {
    const id = this.identity();
    const key = this.explorer(url).base;
    if (id.tids[key]) return id.tids[key];
    const user = await this.explorer(url).registerUser({ name: id.name, email: id.email, pubkey: id.publicKeyHex });
    this.store.update((d) => {
      d.identity!.tids[key] = user.id;
    });
    return user.id;
  }

  private async identityKeys(): Promise<Ed25519Identity> {
    this.identity();
    const sealed = this.store.read().secrets[IDENTITY_SECRET];
    if (!sealed) throw new UserError('The identity\'s key is missing from the store');
    return identityFromSeed(Buffer.from(await this.keyring.open(sealed), 'hex'));
  }

  // --- nodes ------------------------------------------------------------------------------------------

  async searchNodes(filter: NodeFilter, nowS = Date.now() / 1000, onRejected?: (nodeId: string, why: string) => void): Promise<FoundNode[]> {
    const nodes = await this.explorer().listNodes({ farm: filter.farm }, undefined, onRejected);
    return nodes
      .map((n) => ({ ...n, endpoint_kind: endpointKind(nodeEndpoints(n)) }))
      .filter((n) => {
        const e = nodeEndpoints(n);
        if (filter.ipv4 && !e.ipv4) return false;
        if (filter.ipv6 && !e.ipv6) return false;
        if (filter.up && !(nowS - Number(n.updated) <= NODE_UP_S)) return false;
        return true;
      });
  }

  // --- networks ---------------------------------------------------------------------------------------

  list(): NetworkRecord[] {
    return Object.values(this.store.read().networks).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): NetworkRecord {
    const n = this.store.read().networks[name];
    if (!n) throw new NotFoundError('network', name);
    return n;
  }

  create(name: string, ipRange: string): NetworkRecord {
    const net = createNetwork(name, ipRange);
    return this.store.update((d) => {
      if (d.networks[net.name]) throw new UserError(`A network named "${net.name}" exists already`);
      d.networks[net.name] = net;
      return net;
    });
  }

  async addNode(name: string, nodeId: string, options: { subnet?: string } = {}): Promise<NetworkRecord> {
    const net = this.get(name);
    const node = await this.explorer(net.explorer ?? this.explorerUrl).getNode(nodeId);
    const next = await addNode(net, node, options);
    return this.commit(name, net, next);
  }

  async addAccess(name: string, nodeId: string, options: { subnet?: string; family?: 4 | 6; tunnelName?: string } = {}): Promise<{ network: NetworkRecord; tunnelName: string }> {
    const net = this.get(name);
    const taken = new Set(Object.keys(this.store.read().tunnels));
    let tunnelName = options.tunnelName ?? net.name;
    for (let i = 2; !options.tunnelName && taken.has(tunnelName); i++) tunnelName = `${net.name}-${i}`;
    const { network, config } = addAccess(net, nodeId, { ...options, tunnelName });
    const insertTunnel = await this.tunnels.prepare(config, { name: tunnelName, source: 'access' });
    config.interface.privateKey = undefined; // the sealed copy is all that is kept
    this.store.update((d) => {
      assertUnchanged(d.networks[name], net);
      insertTunnel(d);
      d.networks[name] = network;
    });
    return { network, tunnelName };
  }

  /** Registers the network (again, when it changed): one reservation carrying every NR. */
  async register(name: string, durationS = DEFAULT_RESERVATION_S): Promise<NetworkRecord> {
    const net = this.get(name);
    const url = net.explorer ?? this.explorerUrl;
    const keys = await this.identityKeys();
    const tid = await this.ensureRegistered(url);
    const body = buildReservation(net, tid, keys, durationS);
    const id = await this.explorer(url).createReservation(body);
    const ref = { id, json: body.json, expiration: body.data_reservation.expiration_reservation, registeredAt: Math.floor(Date.now() / 1000) };
    const next: NetworkRecord = {
      ...net,
      explorer: this.explorer(url).base,
      reservation: ref,
      superseded: net.reservation ? [...(net.superseded ?? []), net.reservation] : net.superseded,
      dirty: false,
    };
    return this.commit(name, net, next);
  }

  async status(name: string): Promise<NetworkStatus> {
    const net = this.get(name);
    if (!net.reservation) throw new UserError(`Network ${name} is not registered yet (network register ${name})`);
    const info = await this.explorer(net.explorer ?? this.explorerUrl).getReservation(net.reservation.id);
    return summarize(net, info);
  }

  /** Signs the deletion of every reservation of the network, then forgets it and its access tunnels. */
  async delete(name: string, isTunnelActive: (tunnel: string) => boolean | Promise<boolean> = () => false): Promise<void> {
    const net = this.get(name);
    for (const a of net.accesses) {
      if (await isTunnelActive(a.tunnelName)) throw new UserError(`The access tunnel "${a.tunnelName}" is up: take it down first`);
    }
    const refs = [...(net.reservation ? [net.reservation] : []), ...[...(net.superseded ?? [])].reverse()];
    if (refs.length) {
      const keys = await this.identityKeys();
      const url = net.explorer ?? this.explorerUrl;
      const tid = await this.ensureRegistered(url);
      for (const ref of refs) {
        const info = await this.explorer(url).getReservation(ref.id);
        if (info.next_action >= 4) continue; // already deleting, invalid or deleted
        await this.explorer(url).signDelete(ref.id, buildDeleteRequest(ref.id, ref.json, tid, keys));
      }
    }
    this.store.update((d) => {
      for (const a of net.accesses) {
        delete d.tunnels[a.tunnelName];
        delete d.secrets[`tunnel:${a.tunnelName}`];
      }
      delete d.networks[name];
    });
  }

  /** The network as the explorer will see it: each NR with its peers (validated). */
  resources(name: string) {
    return networkResources(this.get(name));
  }

  private commit(name: string, before: NetworkRecord, next: NetworkRecord): NetworkRecord {
    this.store.update((d) => {
      assertUnchanged(d.networks[name], before);
      d.networks[name] = next;
    });
    return next;
  }
}

/** Refuses to overwrite a network another process changed meanwhile (nothing lost, nothing half-applied). */
function assertUnchanged(current: NetworkRecord | undefined, before: NetworkRecord): void {
  if (JSON.stringify(current) !== JSON.stringify(before)) {
    throw new UserError(`Network ${before.name} was changed by another overlay-connect meanwhile; nothing was written, try again`);
  }
}

function summarize(net: NetworkRecord, info: ReservationInfo): NetworkStatus {
  const nodes = net.nodes.map((n): NodeProvisioning => {
    const mine = info.results.filter((r) => r.node_id === n.nodeId).sort((a, b) => b.epoch - a.epoch)[0];
    if (!mine) return { nodeId: n.nodeId, state: 'pending', message: '' };
    return { nodeId: n.nodeId, state: RESULT_STATE[mine.state] ?? 'error', message: String(mine.message ?? '') };
  });
  return { network: net.name, reservationId: info.id, nextAction: info.next_action, nextActionName: NEXT_ACTION[info.next_action] ?? `unknown (${info.next_action})`, nodes };
}

function defaultIdentityName(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry */
  }
  const clean = user.toLowerCase().replace(/[^a-z0-9]/g, '');
  return (clean.length >= 3 ? clean : `${clean}user`).slice(0, 32);
}
