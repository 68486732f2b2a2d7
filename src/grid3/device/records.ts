/**
 * The Grid v3 part of the store as plain data: the identity (`grid login`) and this device's accesses
 * (which tunnel is which access). Only light modules here: reading the login loads no grid library.
 */
import { readFileSync } from 'node:fs';
import type {
  Grid3AccessRecord,
  Grid3Data,
  Grid3IdentityRecord,
  StoreData,
  TunnelRecord,
} from '../../core/store/schema.js';
import type { StateStore } from '../../core/store/state-store.js';

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

/** This device's accesses of the logged-in account on its grid. */
export function myAccesses(data: Grid3Data, id: Grid3IdentityRecord): Grid3AccessRecord[] {
  return data.accesses.filter((a) => a.grid === id.network && a.account === id.address);
}

export const sameAccess = (
  a: Grid3AccessRecord,
  b: Pick<Grid3AccessRecord, 'grid' | 'account' | 'publicKey'>,
) => a.grid === b.grid && a.account === b.account && a.publicKey === b.publicKey;

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

/** The network's name, or name-2, name-3… when a tunnel has it already. */
export function freeTunnelName(tunnels: Record<string, TunnelRecord>, network: string): string {
  if (!tunnels[network]) return network;
  for (let i = 2; ; i++) if (!tunnels[`${network}-${i}`]) return `${network}-${i}`;
}
