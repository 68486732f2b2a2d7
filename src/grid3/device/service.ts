/**
 * This device's Grid v3 actions, whatever the host (the CLI's commands, the app's window): the network
 * journeys (src/grid3/networks) on the stored login, with each access of this device kept as a tunnel and
 * recorded (grid-store.ts) so that listings say which access is mine and which tunnel it is.
 *
 * The device key never leaves sealed storage except into the grid when the user opts in (shareKey): it
 * is sealed before the first chain write, so a connect that fails half-way leaves it here and the same
 * action finishes the same access instead of adding a second one. No result carries a private key.
 *
 * The journeys, the chain and @polkadot are imported when an action runs, never when this module loads:
 * the app's start and the CLI's light commands stay free of them.
 */
import { UserError } from '../../core/errors.js';
import type { Grid3AccessRecord, Grid3IdentityRecord } from '../../core/store/schema.js';
import type { DeviceProgress, GridDeviceDeps } from './deps.js';
import type { AccountFacts } from './gates.js';
import { GridStore, type AccessDraft } from './grid-store.js';
import type { GridSession } from './session.js';
import { urlsOf } from './urls.js';
import type {
  CreatedDeviceNetwork,
  DeletedDeviceNetwork,
  DeviceAccess,
  DeviceNetworks,
  DisconnectedDeviceAccess,
  GridNodeRow,
  ImportedDeviceAccess,
} from './results.js';

export interface NodeQuery {
  farm?: number;
  ipv4?: boolean;
  ipv6?: boolean;
}

export class GridDeviceService {
  readonly records: GridStore;

  constructor(private readonly d: GridDeviceDeps) {
    this.records = new GridStore(d);
  }

  /** The login and what deploying still needs on it; null before `grid login`. */
  async account(): Promise<{ id: Grid3IdentityRecord; facts: AccountFacts } | null> {
    const id = await this.records.identity();
    if (!id) return null;
    const { accountFacts } = await import('./gates.js');
    return { id, facts: await accountFacts(id.network, urlsOf(id), id.address) };
  }

  /** Nodes that are up, from the login's gridproxy (no login needed: main's then). */
  async nodes(q: NodeQuery): Promise<{ nodes: GridNodeRow[]; warnings: string[] }> {
    const id = await this.records.identity();
    const { Gridproxy } = await import('../gridproxy.js');
    const proxy = new Gridproxy({ url: urlsOf(id ?? { network: 'main' }).gridproxy });
    const page = await proxy.nodes({
      status: 'up',
      ...(q.ipv4 === true ? { ipv4: true } : {}),
      ...(q.ipv6 === true ? { ipv6: true } : {}),
      ...(q.farm !== undefined ? { farmIds: [q.farm] } : {}),
      size: 100,
    });
    const nodes = page.items.map((n) => ({
      nodeId: n.nodeId,
      farmId: n.farmId,
      twinId: n.twinId,
      status: n.status,
      ipv4: n.publicConfig.ipv4 || null,
      ipv6: n.publicConfig.ipv6 || null,
      features: n.features,
    }));
    return { nodes, warnings: page.warnings };
  }

  async networks(progress: DeviceProgress): Promise<DeviceNetworks> {
    return this.withSession(progress, async (s) => {
      const { listNetworks } = await import('../networks/index.js');
      const listing = await listNetworks(s.ctx);
      const tunnelOf = await this.records.tunnelOfKey(s.id);
      const networks = listing.networks.map((n) => ({
        name: n.name,
        ipRange: n.ipRange,
        nodes: n.nodes.map((x) => ({
          nodeId: x.nodeId,
          subnet: x.subnet,
          contractId: x.contractId,
          contractState: x.contractState,
          endpoint: x.endpoint ?? null,
          state: x.state,
          ...(x.message !== undefined ? { message: x.message } : {}),
        })),
        accesses: n.accesses.map((a) => ({
          nodeId: a.nodeId,
          subnet: a.subnet,
          publicKey: a.publicKey,
          mine: a.mine,
          tunnel: a.mine ? tunnelOf(a.publicKey) : null,
          importable: a.importable,
        })),
        warnings: n.warnings,
      }));
      return { networks, warnings: listing.warnings };
    });
  }

  async create(
    input: { name: string; ipRange: string; nodeIds: number[]; accessNodeId: number; shareKey?: boolean },
    progress: DeviceProgress,
  ): Promise<CreatedDeviceNetwork> {
    return this.withSession(progress, async (s) => {
      const { createNetwork } = await import('../networks/index.js');
      const created = await createNetwork(s.ctx, { ...input, shareKey: input.shareKey === true });
      const record = accessRecord(s, created.network, created.access, 'create');
      // Sealed first on its own, so that a tunnel that cannot be added still leaves the key here.
      await this.records.sealPendingKey(record, created.access.privateKey);
      const tunnel = await this.records.commitAccessTunnel(record, created.access.config);
      return {
        network: created.network,
        ipRange: created.ipRange,
        contracts: created.contracts,
        access: {
          nodeId: created.access.nodeId,
          subnet: created.access.subnet,
          address: created.access.address,
          publicKey: created.access.publicKey,
          endpoint: created.access.endpoint,
        },
        tunnel,
        warnings: created.warnings,
      };
    });
  }

  async connect(
    name: string,
    o: { via?: number; shareKey?: boolean },
    progress: DeviceProgress,
  ): Promise<DeviceAccess> {
    const id = await this.records.requireIdentity();
    const done = (await this.records.accesses(id, name)).find((r) => r.tunnel);
    if (done)
      throw new UserError(
        `This device already has an access to ${name}: tunnel "${done.tunnel}" (grid disconnect ${name} first)`,
      );
    return this.withSession(progress, async (s) => {
      const [{ connectDevice }, { generateWgKeyPair, wgPublicKey }] = await Promise.all([
        import('../networks/index.js'),
        import('../../core/grid3/wg-keys.js'),
      ]);
      // A first attempt's key, if one failed half-way: the rerun finishes that access.
      const pending = await this.records.pendingKey(s.id, name);
      let keyPair: { privateKey: string; publicKey: string };
      if (pending) {
        keyPair = { privateKey: pending.privateKey, publicKey: wgPublicKey(pending.privateKey) };
        progress({
          step: 'resume',
          message: `resuming the access begun earlier (key ${keyPair.publicKey})`,
        });
      } else {
        keyPair = generateWgKeyPair();
        await this.records.sealPendingKey(
          accessRecord(s, name, { nodeId: o.via ?? 0, subnet: '', publicKey: keyPair.publicKey }, 'connect'),
          keyPair.privateKey,
        );
      }
      let connected;
      try {
        connected = await connectDevice(s.ctx, name, {
          ...(o.via !== undefined ? { via: o.via } : {}),
          shareKey: o.shareKey === true,
          keyPair,
        });
      } catch (e) {
        // The journey's own message says what was written and how to finish (a partial change included).
        const why = e instanceof Error ? e.message : String(e);
        throw new UserError(
          `${why}. This device's key stays sealed: run grid connect ${name} again to finish`,
        );
      }
      const tunnel = await this.records.commitAccessTunnel(
        accessRecord(s, name, connected, 'connect'),
        connected.config,
      );
      return {
        network: connected.network,
        nodeId: connected.nodeId,
        subnet: connected.subnet,
        address: connected.address,
        publicKey: connected.publicKey,
        endpoint: connected.endpoint,
        tunnel,
        updatedContracts: connected.updatedContracts,
        warnings: connected.warnings,
      };
    });
  }

  async disconnect(name: string, progress: DeviceProgress): Promise<DisconnectedDeviceAccess> {
    const id = await this.records.requireIdentity();
    const records = await this.records.accesses(id, name);
    if (!records.length) throw new UserError(`This device has no access to ${name}`);
    await this.refuseActive(records);
    return this.withSession(progress, async (s) => {
      const { disconnectDevice, NetworkError } = await import('../networks/index.js');
      const warnings: string[] = [];
      const removed: Array<{ nodeId: number; subnet: string; updatedContracts: number[] }> = [];
      for (const r of records) {
        try {
          const d = await disconnectDevice(s.ctx, name, r.publicKey);
          warnings.push(...d.warnings);
          removed.push({ nodeId: d.nodeId, subnet: d.subnet, updatedContracts: d.updatedContracts });
        } catch (e) {
          // Gone from the grid already (another client, or a pending key that never got in): only the
          // local record is left to drop. Anything else keeps the record, for a rerun.
          if (!(e instanceof NetworkError && /has no access with this device's key/.test(e.message))) throw e;
          warnings.push(`the access with key ${r.publicKey} was not on ${name} any more`);
        }
      }
      const removedTunnels = await this.records.forgetAccesses(records);
      return { network: name, removed, removedTunnels, warnings };
    });
  }

  async importAccess(
    name: string,
    via: number | undefined,
    progress: DeviceProgress,
  ): Promise<ImportedDeviceAccess> {
    return this.withSession(progress, async (s) => {
      const { importAccess } = await import('../networks/index.js');
      const imported = await importAccess(s.ctx, name, via);
      const known = (await this.records.accesses(s.id)).find(
        (r) => r.publicKey === imported.publicKey && r.tunnel,
      );
      if (known) throw new UserError(`That access of ${name} is already tunnel "${known.tunnel}"`);
      const tunnel = await this.records.commitAccessTunnel(
        accessRecord(s, name, imported, 'import'),
        imported.config,
      );
      // The import's own warning for an endpoint in a private range is among these.
      return {
        network: imported.network,
        nodeId: imported.nodeId,
        subnet: imported.subnet,
        publicKey: imported.publicKey,
        endpoint: imported.endpoint,
        tunnel,
        warnings: imported.warnings,
      };
    });
  }

  async delete(name: string, progress: DeviceProgress): Promise<DeletedDeviceNetwork> {
    const id = await this.records.requireIdentity();
    const records = await this.records.accesses(id, name);
    await this.refuseActive(records);
    return this.withSession(progress, async (s) => {
      const { deleteNetwork } = await import('../networks/index.js');
      const deleted = await deleteNetwork(s.ctx, name);
      const removedTunnels = await this.records.forgetAccesses(records);
      return {
        network: deleted.network,
        cancelledContracts: deleted.cancelledContracts,
        removedTunnels,
        warnings: deleted.warnings,
      };
    });
  }

  /** This device's tunnels that are up: a grid change must not pull an access from under a live tunnel. */
  private async refuseActive(records: Grid3AccessRecord[]): Promise<void> {
    for (const name of await this.records.tunnelsOf(records)) {
      if (await this.d.isActive(name))
        throw new UserError(`"${name}" is up: take it down first (overlay-connect tunnel down "${name}")`);
    }
  }

  /** Runs `f` in a session and closes it, whatever happens. */
  private async withSession<T>(progress: DeviceProgress, f: (s: GridSession) => Promise<T>): Promise<T> {
    const { openSession } = await import('./session.js');
    const s = await openSession(this.records, this.d.env, progress);
    try {
      return await f(s);
    } finally {
      await s.close();
    }
  }
}

/** The record of one of this device's accesses (which grid, account and network it is of). */
const accessRecord = (
  s: GridSession,
  network: string,
  a: Pick<AccessDraft, 'nodeId' | 'subnet' | 'publicKey'>,
  origin: AccessDraft['origin'],
): AccessDraft => ({
  grid: s.id.network,
  account: s.id.address,
  network,
  nodeId: a.nodeId,
  subnet: a.subnet,
  publicKey: a.publicKey,
  origin,
});
