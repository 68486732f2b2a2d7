/**
 * The Grid v3 part of the store: the identity (`grid login`), its sealed mnemonic, and this device's
 * accesses (which tunnel is which access). Only light modules here: `grid whoami` and `grid logout` load
 * no grid library.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import {
  GRID3_MNEMONIC_SECRET,
  grid3DeviceKeySecret,
  type Grid3AccessRecord,
  type Grid3Data,
  type Grid3IdentityRecord,
  type StoreData,
  type TunnelRecord,
} from '../core/store/schema.js';
import type { StateStore } from '../core/store/state-store.js';
import type { CliContext } from './context.js';

/**
 * The grid3 section as the file holds it. StateStore.read() returns the keys it knows (grid3 is newer
 * than it), so the section is read from the file conf keeps; writes go through `update`, whose draft
 * carries every key of the file, grid3 included.
 */
export function readGrid3(store: StateStore): Grid3Data {
  try {
    const data = JSON.parse(readFileSync(store.path, 'utf8')) as { grid3?: Grid3Data };
    return { identity: data.grid3?.identity, accesses: data.grid3?.accesses ?? [] };
  } catch {
    return { accesses: [] }; // not written yet: opening the store creates it on its first write
  }
}

/** The draft's grid3 section, made on first use (no migration: the key is optional). */
export function grid3Draft(d: StoreData): Grid3Data {
  d.grid3 ??= { accesses: [] };
  d.grid3.accesses ??= [];
  return d.grid3;
}

export async function requireIdentity(ctx: CliContext): Promise<Grid3IdentityRecord> {
  const id = readGrid3(await ctx.store()).identity;
  if (!id)
    throw new UserError(
      'Not logged in to the grid: overlay-connect grid login --network main --mnemonic-file FILE',
    );
  return id;
}

/** The mnemonic, opened from the key store (asks for the store's passphrase if needed). */
export async function openMnemonic(ctx: CliContext): Promise<string> {
  const sealed = (await ctx.store()).read().secrets[GRID3_MNEMONIC_SECRET];
  if (!sealed) throw new UserError('The grid mnemonic is missing from the key store: grid login again');
  return (await ctx.keyring()).open(GRID3_MNEMONIC_SECRET, sealed);
}

/** This device's accesses of the logged-in account on its grid. */
export function myAccesses(data: Grid3Data, id: Grid3IdentityRecord): Grid3AccessRecord[] {
  return data.accesses.filter((a) => a.grid === id.network && a.account === id.address);
}

export const sameAccess = (
  a: Grid3AccessRecord,
  b: Pick<Grid3AccessRecord, 'grid' | 'account' | 'publicKey'>,
) => a.grid === b.grid && a.account === b.account && a.publicKey === b.publicKey;

/**
 * Seals a device key and records its access as under way, in one atomic write: done before any chain
 * write, so that a connect that fails half-way (or a killed process) leaves the key here for the rerun.
 */
export async function sealPendingKey(
  ctx: CliContext,
  record: Omit<Grid3AccessRecord, 'tunnel' | 'createdAt'>,
  privateKey: string,
): Promise<void> {
  const id = grid3DeviceKeySecret(record.publicKey);
  const sealed = await (await ctx.keyring()).seal(id, privateKey);
  (await ctx.store()).update((d) => {
    const g = grid3Draft(d);
    g.accesses = g.accesses.filter((a) => !sameAccess(a, record));
    g.accesses.push({ ...record, createdAt: new Date().toISOString() });
    d.secrets[id] = sealed;
  });
}

/** The sealed key of an access still under way, if this device has one for that network. */
export async function pendingKey(
  ctx: CliContext,
  id: Grid3IdentityRecord,
  network: string,
): Promise<{ record: Grid3AccessRecord; privateKey: string } | undefined> {
  const store = await ctx.store();
  const record = myAccesses(readGrid3(store), id).find((a) => a.network === network && !a.tunnel);
  if (!record) return undefined;
  const secretId = grid3DeviceKeySecret(record.publicKey);
  const sealed = store.read().secrets[secretId];
  if (!sealed) return undefined;
  return { record, privateKey: await (await ctx.keyring()).open(secretId, sealed) };
}

/**
 * Makes an access a tunnel: the wg-quick text imported (its key sealed as the tunnel's), the record
 * pointed at it and the pending key dropped, all in one atomic write.
 */
export async function commitAccessTunnel(
  ctx: CliContext,
  record: Omit<Grid3AccessRecord, 'tunnel' | 'createdAt'>,
  config: string,
): Promise<string> {
  const tunnels = await ctx.tunnels();
  const { checkConfigText } = await import('../core/wgconf/parser.js');
  const report = checkConfigText(config);
  if (!report.config) throw new UserError(`the access config does not parse: ${report.errors[0]?.message}`);
  const store = await ctx.store();
  const name = freeTunnelName(store, record.network);
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

/** The network's name, or name-2, name-3… when a tunnel has it already. */
function freeTunnelName(store: StateStore, network: string): string {
  const taken = store.read().tunnels;
  if (!taken[network]) return network;
  for (let i = 2; ; i++) if (!taken[`${network}-${i}`]) return `${network}-${i}`;
}

/**
 * The tunnel of an access: the one it names if that still has its key, else the access tunnel that has
 * (`tunnel rename` moves a tunnel without knowing this record).
 */
export function tunnelFor(
  tunnels: Record<string, TunnelRecord>,
  record: Pick<Grid3AccessRecord, 'tunnel' | 'publicKey'>,
): string | undefined {
  if (record.tunnel && tunnels[record.tunnel]?.publicKey === record.publicKey) return record.tunnel;
  if (!record.tunnel) return undefined;
  return Object.values(tunnels).find((t) => t.source === 'access' && t.publicKey === record.publicKey)?.name;
}

/** Forgets accesses and their tunnels (and any pending key) in one write. */
export async function forgetAccesses(ctx: CliContext, records: Grid3AccessRecord[]): Promise<string[]> {
  const { secretIdForTunnel } = await import('../core/store/schema.js');
  return (await ctx.store()).update((d) => {
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
