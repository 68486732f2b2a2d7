/**
 * This device's Grid v3 records over the host's store and key store: the login and its sealed mnemonic,
 * and each access's device key (sealed before the first chain write) until it is a tunnel. Only light
 * modules here: `grid whoami` and `grid logout` load no grid library.
 */
import { UserError } from '../../core/errors.js';
import {
  GRID3_MNEMONIC_SECRET,
  grid3DeviceKeySecret,
  type Grid3AccessRecord,
  type Grid3IdentityRecord,
} from '../../core/store/schema.js';
import type { GridDeviceDeps } from './deps.js';
import { freeTunnelName, grid3Draft, myAccesses, readGrid3, sameAccess, tunnelFor } from './records.js';

export type AccessDraft = Omit<Grid3AccessRecord, 'tunnel' | 'createdAt'>;

export class GridStore {
  constructor(private readonly d: Pick<GridDeviceDeps, 'store' | 'keyring' | 'tunnels'>) {}

  async identity(): Promise<Grid3IdentityRecord | undefined> {
    return readGrid3(await this.d.store()).identity;
  }

  async requireIdentity(): Promise<Grid3IdentityRecord> {
    const id = await this.identity();
    if (!id)
      throw new UserError(
        'Not logged in to the grid: overlay-connect grid login --network main --mnemonic-file FILE',
      );
    return id;
  }

  /** This device's accesses of the login, optionally of one network. */
  async accesses(id: Grid3IdentityRecord, network?: string): Promise<Grid3AccessRecord[]> {
    const all = myAccesses(readGrid3(await this.d.store()), id);
    return network === undefined ? all : all.filter((r) => r.network === network);
  }

  /** The login and its mnemonic, sealed, in one write. */
  async saveLogin(record: Grid3IdentityRecord, mnemonic: string): Promise<void> {
    const sealed = await (await this.d.keyring()).seal(GRID3_MNEMONIC_SECRET, mnemonic);
    (await this.d.store()).update((d) => {
      grid3Draft(d).identity = record;
      d.secrets[GRID3_MNEMONIC_SECRET] = sealed;
    });
  }

  /** Forgets the login and its mnemonic (the access tunnels stay); the login it was, if any. */
  async forgetLogin(): Promise<Grid3IdentityRecord | undefined> {
    const store = await this.d.store();
    const id = readGrid3(store).identity;
    if (!id) return undefined;
    store.update((d) => {
      delete grid3Draft(d).identity;
      delete d.secrets[GRID3_MNEMONIC_SECRET];
    });
    return id;
  }

  /** The mnemonic, opened from the key store (asks for the store's passphrase if needed). */
  async openMnemonic(): Promise<string> {
    const sealed = (await this.d.store()).read().secrets[GRID3_MNEMONIC_SECRET];
    if (!sealed) throw new UserError('The grid mnemonic is missing from the key store: grid login again');
    return (await this.d.keyring()).open(GRID3_MNEMONIC_SECRET, sealed);
  }

  /** The public keys this device holds the private key of: its accesses' and its tunnels'. */
  async ownKeys(id: Grid3IdentityRecord): Promise<Set<string>> {
    const store = await this.d.store();
    return new Set<string>([
      ...myAccesses(readGrid3(store), id).map((a) => a.publicKey),
      ...Object.values(store.read().tunnels).map((t) => t.publicKey),
    ]);
  }

  /**
   * Seals a device key and records its access as under way, in one atomic write: done before any chain
   * write, so that a connect that fails half-way (or a killed process) leaves the key here for the rerun.
   */
  async sealPendingKey(record: AccessDraft, privateKey: string): Promise<void> {
    const id = grid3DeviceKeySecret(record.publicKey);
    const sealed = await (await this.d.keyring()).seal(id, privateKey);
    (await this.d.store()).update((d) => {
      const g = grid3Draft(d);
      g.accesses = g.accesses.filter((a) => !sameAccess(a, record));
      g.accesses.push({ ...record, createdAt: new Date().toISOString() });
      d.secrets[id] = sealed;
    });
  }

  /** The sealed key of an access still under way, if this device has one for that network. */
  async pendingKey(
    id: Grid3IdentityRecord,
    network: string,
  ): Promise<{ record: Grid3AccessRecord; privateKey: string } | undefined> {
    const store = await this.d.store();
    const record = myAccesses(readGrid3(store), id).find((a) => a.network === network && !a.tunnel);
    if (!record) return undefined;
    const secretId = grid3DeviceKeySecret(record.publicKey);
    const sealed = store.read().secrets[secretId];
    if (!sealed) return undefined;
    return { record, privateKey: await (await this.d.keyring()).open(secretId, sealed) };
  }

  /**
   * Makes an access a tunnel: the wg-quick text imported (its key sealed as the tunnel's), the record
   * pointed at it and the pending key dropped, all in one atomic write.
   */
  async commitAccessTunnel(record: AccessDraft, config: string): Promise<string> {
    const tunnels = await this.d.tunnels();
    const { checkConfigText } = await import('../../core/wgconf/parser.js');
    const report = checkConfigText(config);
    if (!report.config) throw new UserError(`the access config does not parse: ${report.errors[0]?.message}`);
    const store = await this.d.store();
    const name = freeTunnelName(store.read().tunnels, record.network);
    const insert = await tunnels.prepare(report.config, { name, source: 'access' });
    return store.update((d) => {
      const t = insert(d);
      const g = grid3Draft(d);
      const prev = g.accesses.find((a) => sameAccess(a, record));
      g.accesses = g.accesses.filter((a) => !sameAccess(a, record));
      g.accesses.push({ ...record, tunnel: t.name, createdAt: prev?.createdAt ?? new Date().toISOString() });
      delete d.secrets[grid3DeviceKeySecret(record.publicKey)];
      return t.name;
    });
  }

  /** Forgets accesses and their tunnels (and any pending key) in one write. */
  async forgetAccesses(records: Grid3AccessRecord[]): Promise<string[]> {
    const { secretIdForTunnel } = await import('../../core/store/schema.js');
    return (await this.d.store()).update((d) => {
      const g = grid3Draft(d);
      const removed: string[] = [];
      for (const r of records) {
        g.accesses = g.accesses.filter((a) => !sameAccess(a, r));
        delete d.secrets[grid3DeviceKeySecret(r.publicKey)];
        const name = tunnelFor(d.tunnels, r);
        if (name) {
          delete d.tunnels[name];
          delete d.secrets[secretIdForTunnel(name)];
          removed.push(name);
        }
      }
      return removed;
    });
  }

  /** The tunnels of these accesses (a renamed one found by its key). */
  async tunnelsOf(records: Grid3AccessRecord[]): Promise<string[]> {
    const tunnels = (await this.d.store()).read().tunnels;
    return records.map((r) => tunnelFor(tunnels, r)).filter((n): n is string => n !== undefined);
  }

  /** The tunnel of each access of `publicKey`s the listing says are mine. */
  async tunnelOfKey(id: Grid3IdentityRecord): Promise<(publicKey: string) => string | null> {
    const store = await this.d.store();
    const records = myAccesses(readGrid3(store), id);
    const byName = store.read().tunnels;
    return (publicKey) => {
      const record = records.find((r) => r.publicKey === publicKey);
      if (record) return tunnelFor(byName, record) ?? null;
      // A tunnel imported by hand (tunnel import) with this access's key is this access too.
      return Object.values(byName).find((t) => t.publicKey === publicKey)?.name ?? null;
    };
  }
}
