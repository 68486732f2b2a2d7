/**
 * The persisted state: one JSON file in electron-store's format (electron-store inside Electron, `conf`, its
 * base library, under plain Node: same file, same schema, same migrations). Nothing here is secret except
 * `secrets`, which holds ciphertext only.
 */
import type { WgConfig } from '../wgconf/model.js';
import type { NetworkRecord } from '../overlay/model.js';
import type { LegacyKeyringMeta } from './cipher.js';
import type { KeyringRecord } from './key-slots.js';

export const STORE_NAME = 'state';
/** Bump with a migration when the shape changes. */
export const STORE_VERSION = '1.1.0';

/** A tunnel's config without its private key, which lives sealed in `secrets[secretIdForTunnel(name)]`. */
export interface TunnelRecord {
  name: string;
  interface: string;
  publicKey: string;
  config: WgConfig;
  allowScripts: boolean;
  source: 'import' | 'access';
  createdAt: string;
}

export interface Settings {
  explorer?: string;
}

/** The user's grid identity; its ed25519 seed is sealed in `secrets[IDENTITY_SECRET]`. */
export interface IdentityRecord {
  name: string;
  email: string;
  publicKeyHex: string;
  /** Phonebook ids per explorer URL (an identity may be registered on several grids). */
  tids: Record<string, number>;
  createdAt: string;
}

export const IDENTITY_SECRET = 'identity:seed';

/** The Grid v3 networks `grid login` can use; `devnet` is a local `devnet up --grid v3`. */
export type Grid3NetworkName = 'main' | 'test' | 'qa' | 'dev' | 'devnet';

/**
 * The v3 identity (`grid login`): public facts only. Its TFChain mnemonic is sealed in
 * `secrets[GRID3_MNEMONIC_SECRET]`, like the v2 seed.
 */
export interface Grid3IdentityRecord {
  network: Grid3NetworkName;
  /** SS58 (format 42) of the sr25519 key. */
  address: string;
  /** Absent when the account had no twin at login (reading gridproxy still works). */
  twinId?: number;
  /** Where a devnet's parts listen (the grid's networks have fixed addresses). */
  urls?: { gridproxy: string; relay: string; chain: string };
  createdAt: string;
}

export const GRID3_MNEMONIC_SECRET = 'grid3:mnemonic';

/**
 * One access of this device to a v3 network: which tunnel is which access, so that `grid networks` can
 * mark it (mine, its tunnel) and `grid disconnect` / `grid delete` find it. While `tunnel` is absent the
 * access is being made (or a first attempt failed half-way) and its private key is sealed in
 * `secrets[grid3DeviceKeySecret(publicKey)]`, so that running the command again finishes the same access.
 */
export interface Grid3AccessRecord {
  grid: Grid3NetworkName;
  /** The account (SS58) whose network it is: two accounts may each have a network of the same name. */
  account: string;
  network: string;
  nodeId: number;
  subnet: string;
  publicKey: string;
  tunnel?: string;
  /** connect/create: made on this device; import: a dashboard-made access whose key was in user_accesses. */
  origin: 'connect' | 'create' | 'import';
  createdAt: string;
}

export const grid3DeviceKeySecret = (publicKey: string) => `grid3:device-key:${publicKey}`;

export interface Grid3Data {
  identity?: Grid3IdentityRecord;
  accesses: Grid3AccessRecord[];
}

export interface StoreData {
  tunnels: Record<string, TunnelRecord>;
  networks: Record<string, NetworkRecord>;
  identity?: IdentityRecord;
  /** Optional and migration-free: absent until the first `grid login`. */
  grid3?: Grid3Data;
  secrets: Record<string, string>;
  /** Key slots (checked by `parseKeyringRecord` before use), or a pre-slot record to migrate. */
  keyring?: KeyringRecord | LegacyKeyringMeta;
  settings: Settings;
}

export const secretIdForTunnel = (name: string) => `tunnel:${name}`;

/** JSON schema per top-level key, the form both conf and electron-store take. Deep shapes are checked by
 * the code that owns them; this catches a file that is not ours or was mangled. */
export const STORE_SCHEMA = {
  tunnels: {
    type: 'object',
    default: {},
    additionalProperties: {
      type: 'object',
      required: ['name', 'interface', 'publicKey', 'config', 'allowScripts', 'source'],
      properties: {
        name: { type: 'string' },
        interface: { type: 'string', pattern: '^[a-zA-Z0-9_=+.-]{1,15}$' },
        publicKey: { type: 'string' },
        config: { type: 'object', required: ['interface', 'peers'] },
        allowScripts: { type: 'boolean' },
        source: { enum: ['import', 'access'] },
        createdAt: { type: 'string' },
      },
    },
  },
  networks: {
    type: 'object',
    default: {},
    additionalProperties: {
      type: 'object',
      required: ['name', 'ipRange', 'nodes', 'accesses'],
      properties: {
        name: { type: 'string' },
        ipRange: { type: 'string' },
        nodes: { type: 'array' },
        accesses: { type: 'array' },
      },
    },
  },
  identity: {
    type: 'object',
    required: ['name', 'publicKeyHex', 'tids'],
    properties: {
      name: { type: 'string' },
      email: { type: 'string' },
      publicKeyHex: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      tids: { type: 'object' },
    },
  },
  // No default: a store that never used Grid v3 stays as it was (and read-store's fast path with it).
  grid3: {
    type: 'object',
    required: ['accesses'],
    properties: {
      identity: {
        type: 'object',
        required: ['network', 'address'],
        properties: {
          network: { enum: ['main', 'test', 'qa', 'dev', 'devnet'] },
          address: { type: 'string' },
          twinId: { type: 'integer' },
          urls: {
            type: 'object',
            required: ['gridproxy', 'relay', 'chain'],
            properties: {
              gridproxy: { type: 'string' },
              relay: { type: 'string' },
              chain: { type: 'string' },
            },
          },
          createdAt: { type: 'string' },
        },
      },
      accesses: {
        type: 'array',
        items: {
          type: 'object',
          required: ['grid', 'account', 'network', 'nodeId', 'subnet', 'publicKey', 'origin'],
          properties: {
            grid: { enum: ['main', 'test', 'qa', 'dev', 'devnet'] },
            account: { type: 'string' },
            network: { type: 'string' },
            nodeId: { type: 'integer' },
            subnet: { type: 'string' },
            publicKey: { type: 'string' },
            tunnel: { type: 'string' },
            origin: { enum: ['connect', 'create', 'import'] },
            createdAt: { type: 'string' },
          },
        },
      },
    },
  },
  secrets: { type: 'object', default: {}, additionalProperties: { type: 'string' } },
  // Either shape (slots, or a pre-slot record still to migrate); parseKeyringRecord checks it in depth.
  keyring: { type: 'object' },
  settings: { type: 'object', default: {}, properties: { explorer: { type: 'string' } } },
} as const;

/** Keyed by the version that introduces the change, as conf/electron-store run them. */
export const STORE_MIGRATIONS: Record<
  string,
  (store: { has(key: string): boolean; set(key: string, value: unknown): void }) => void
> = {
  '1.0.0': (store) => {
    for (const key of ['tunnels', 'secrets', 'settings']) if (!store.has(key)) store.set(key, {});
  },
  '1.1.0': (store) => {
    if (!store.has('networks')) store.set('networks', {});
  },
};
