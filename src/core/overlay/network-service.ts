/**
 * The seed's workflow (network.create, nodes_search, add_node, add_access, reservation_register,
 * reservation_result) over the store, the keyring and an explorer. Every change is committed in one store
 * write after everything that can fail (the explorer, the passphrase) has succeeded.
 *
 * Beside it: network-identity.ts (the identity and its phonebook registration) and network-status.ts (each
 * node's provisioning, judged from the explorer's reply).
 */
import { UserError, NotFoundError } from '../errors.js';
import type { Ed25519Identity } from '../crypto/identity-keys.js';
import type { Keyring } from '../store/keyring.js';
import { secretIdForTunnel, type IdentityRecord } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';
import type { TunnelStore } from '../tunnels/tunnel-store.js';
import { ExplorerClient, type ExplorerNode } from './explorer-client.js';
import { networkResources } from './mesh.js';
import type { NetworkRecord, ReservationRef } from './model.js';
import { NetworkIdentity, type NewIdentityOptions } from './network-identity.js';
import { summarize, type NetworkStatus } from './network-status.js';
import { endpointKind, nodeEndpoints, type EndpointKind } from './node-endpoints.js';
import { addAccess, addNode, createNetwork } from './planner.js';
import { buildDeleteRequest, buildReservation, DEFAULT_RESERVATION_S, NEXT_ACTION } from './reservation.js';

export type { NetworkStatus, NodeProvisioning, ReservationStatus } from './network-status.js';

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

export class NetworkService {
  private readonly ids: NetworkIdentity;

  constructor(
    private readonly store: StateStore,
    private readonly keyring: Keyring,
    private readonly tunnels: TunnelStore,
    private readonly explorerUrl: string,
    private readonly options: { allowPlainHttp?: boolean } = {},
  ) {
    this.ids = new NetworkIdentity(store, keyring, explorerUrl, (url) => this.explorer(url));
  }

  explorer(url = this.explorerUrl): ExplorerClient {
    return new ExplorerClient(url, { allowPlainHttp: this.options.allowPlainHttp });
  }

  // --- identity ---------------------------------------------------------------------------------------

  identity(): IdentityRecord {
    return this.ids.identity();
  }

  createIdentity(
    options: NewIdentityOptions = {},
  ): Promise<{ identity: IdentityRecord; registered?: number; warning?: string }> {
    return this.ids.create(options);
  }

  /** The phonebook id on this explorer, registering the identity there first if needed. */
  ensureRegistered(url = this.explorerUrl): Promise<number> {
    return this.ids.ensureRegistered(url);
  }

  private identityKeys(): Promise<Ed25519Identity> {
    return this.ids.keys();
  }

  // --- nodes ------------------------------------------------------------------------------------------

  async searchNodes(
    filter: NodeFilter,
    nowS = Date.now() / 1000,
    onRejected?: (nodeId: string, why: string) => void,
  ): Promise<FoundNode[]> {
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

  async addAccess(
    name: string,
    nodeId: string,
    options: { subnet?: string; family?: 4 | 6; tunnelName?: string } = {},
  ): Promise<{ network: NetworkRecord; tunnelName: string }> {
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

  /**
   * Registers the network: one reservation carrying every NR, taken through the explorer's states (create →
   * sign → pay → deploy). Registered again, the new reservation does not replace the old one yet: it is
   * `pending` until every node reported ok (see `status`), so a failed change leaves the network running.
   */
  async register(name: string, durationS = DEFAULT_RESERVATION_S): Promise<NetworkRecord> {
    const net = this.get(name);
    const url = net.explorer ?? this.explorerUrl;
    const keys = await this.identityKeys();
    const tid = await this.ensureRegistered(url);
    const body = buildReservation(net, tid, keys, durationS);
    const client = this.explorer(url);
    const id = await client.createReservation(body);
    const info = await client.getReservation(id);
    if (info.next_action === NEXT_ACTION.indexOf('pay'))
      await client.pay(id, buildDeleteRequest(id, body.json, tid, keys));
    else if (info.next_action >= NEXT_ACTION.indexOf('delete'))
      throw new UserError(
        `The explorer stopped reservation ${id} at once (next action: ${NEXT_ACTION[info.next_action]})`,
      );
    const ref = {
      id,
      json: body.json,
      expiration: body.data_reservation.expiration_reservation,
      registeredAt: Math.floor(Date.now() / 1000),
    };
    // A pending reservation that never settled is replaced by this one: delete it rather than pay for both.
    if (net.pending) await this.deleteReservations(url, [net.pending], tid, keys);
    const next: NetworkRecord = net.reservation
      ? { ...net, explorer: client.base, pending: ref, dirty: false }
      : { ...net, explorer: client.base, reservation: ref, pending: undefined, dirty: false };
    return this.commit(name, net, next);
  }

  /**
   * The provisioning of the newest reservation, each node's result checked against that node's key. A
   * pending reservation settles here: once every node reported ok it takes over and the old one is deleted
   * (with a delete signature tfexplorer accepts); if it failed, it is dropped and the old one runs on.
   */
  async status(name: string): Promise<NetworkStatus> {
    const net = this.get(name);
    if (!net.reservation)
      throw new UserError(`Network ${name} is not registered yet (network register ${name})`);
    const url = net.explorer ?? this.explorerUrl;
    const client = this.explorer(url);
    const ignored: string[] = [];
    const current = summarize(net, await client.getReservation(net.reservation.id), ignored);
    if (!net.pending) return { network: net.name, ...current, ignored, notes: [] };
    const pending = summarize(net, await client.getReservation(net.pending.id), ignored);
    const ok =
      pending.nodes.every((n) => n.state === 'ok') && pending.nextAction === NEXT_ACTION.indexOf('deploy');
    const failed =
      pending.nodes.some((n) => n.state === 'error') || pending.nextAction >= NEXT_ACTION.indexOf('delete');
    if (!ok && !failed) return { network: net.name, ...pending, previous: current, ignored, notes: [] };
    const keys = await this.identityKeys();
    const tid = await this.ensureRegistered(url);
    if (ok) {
      await this.deleteReservations(url, [net.reservation, ...(net.superseded ?? [])], tid, keys);
      this.commit(name, net, { ...net, reservation: net.pending, pending: undefined, superseded: undefined });
      return {
        network: net.name,
        ...pending,
        ignored,
        notes: [
          `Reservation ${net.pending.id} is in force; the previous reservation ${net.reservation.id} was deleted`,
        ],
      };
    }
    await this.deleteReservations(url, [net.pending], tid, keys);
    this.commit(name, net, { ...net, pending: undefined, dirty: true });
    return {
      network: net.name,
      ...pending,
      previous: current,
      ignored,
      notes: [
        `Reservation ${net.pending.id} failed and was deleted; reservation ${net.reservation.id} keeps running`,
      ],
    };
  }

  /** Signs the deletion of each reservation the explorer has not already deleted. */
  private async deleteReservations(
    url: string,
    refs: ReservationRef[],
    tid: number,
    keys: Ed25519Identity,
  ): Promise<void> {
    const client = this.explorer(url);
    for (const ref of refs) {
      const info = await client.getReservation(ref.id);
      if (info.next_action >= NEXT_ACTION.indexOf('delete')) continue; // already deleting, invalid or deleted
      await client.signDelete(ref.id, buildDeleteRequest(ref.id, ref.json, tid, keys));
    }
  }

  /** Signs the deletion of every reservation of the network, then forgets it and its access tunnels. */
  async delete(
    name: string,
    isTunnelActive: (tunnel: string) => boolean | Promise<boolean> = () => false,
  ): Promise<void> {
    const net = this.get(name);
    for (const a of net.accesses) {
      if (await isTunnelActive(a.tunnelName))
        throw new UserError(`The access tunnel "${a.tunnelName}" is up: take it down first`);
    }
    const refs = [
      ...(net.pending ? [net.pending] : []),
      ...(net.reservation ? [net.reservation] : []),
      ...[...(net.superseded ?? [])].reverse(),
    ];
    if (refs.length) {
      const url = net.explorer ?? this.explorerUrl;
      await this.deleteReservations(url, refs, await this.ensureRegistered(url), await this.identityKeys());
    }
    this.store.update((d) => {
      for (const a of net.accesses) {
        delete d.tunnels[a.tunnelName];
        delete d.secrets[secretIdForTunnel(a.tunnelName)];
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
    throw new UserError(
      `Network ${before.name} was changed by another overlay-connect meanwhile; nothing was written, try again`,
    );
  }
}
