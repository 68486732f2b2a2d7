/**
 * The user's identity for the explorer: one ed25519 key a store (its seed sealed in the keyring) and its
 * phonebook registration on each explorer it was used with. Apart from the network workflow, which only
 * asks for the phonebook id and the key that signs its reservations.
 */
import { userInfo } from 'node:os';
import { UserError } from '../errors.js';
import { identityFromSeed, newIdentity, toHex, type Ed25519Identity } from '../crypto/identity-keys.js';
import type { Keyring } from '../store/keyring.js';
import { IDENTITY_SECRET, type IdentityRecord } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';
import type { ExplorerClient } from './explorer-client.js';

export interface NewIdentityOptions {
  name?: string;
  email?: string;
  seedHex?: string;
}

export class NetworkIdentity {
  constructor(
    private readonly store: StateStore,
    private readonly keyring: Keyring,
    private readonly explorerUrl: string,
    private readonly explorer: (url: string) => ExplorerClient,
  ) {}

  identity(): IdentityRecord {
    const id = this.store.read().identity;
    if (!id) throw new UserError('No identity yet: create one with `overlay-connect identity create`');
    return id;
  }

  async create(
    options: NewIdentityOptions = {},
  ): Promise<{ identity: IdentityRecord; registered?: number; warning?: string }> {
    if (this.store.read().identity)
      throw new UserError('An identity exists already (identity show); this store keeps one');
    let keys: Ed25519Identity;
    if (options.seedHex !== undefined) {
      if (!/^[0-9a-fA-F]{64}$/.test(options.seedHex))
        throw new UserError('The seed must be 32 bytes in hex (64 characters)');
      keys = identityFromSeed(Buffer.from(options.seedHex, 'hex'));
    } else {
      keys = newIdentity();
    }
    const name = options.name ?? defaultIdentityName();
    const email = options.email ?? '';
    const sealed = await this.keyring.seal(IDENTITY_SECRET, toHex(keys.seed));
    const record: IdentityRecord = {
      name,
      email,
      publicKeyHex: toHex(keys.publicKey),
      tids: {},
      createdAt: new Date().toISOString(),
    };
    this.store.update((d) => {
      d.identity = record;
      d.secrets[IDENTITY_SECRET] = sealed;
    });
    // Registration needs the explorer; the identity is kept even when it cannot be reached now.
    try {
      const tid = await this.ensureRegistered();
      return { identity: this.identity(), registered: tid };
    } catch (e) {
      return {
        identity: record,
        warning: `not registered in the phonebook of ${this.explorerUrl} yet: ${(e as Error).message}`,
      };
    }
  }

  /** The phonebook id on this explorer, registering the identity there first if needed. */
  async ensureRegistered(url = this.explorerUrl): Promise<number> {
    const id = this.identity();
    const key = this.explorer(url).base;
    if (id.tids[key]) return id.tids[key];
    const user = await this.explorer(url).registerUser({
      name: id.name,
      email: id.email,
      pubkey: id.publicKeyHex,
    });
    this.store.update((d) => {
      d.identity!.tids[key] = user.id;
    });
    return user.id;
  }

  async keys(): Promise<Ed25519Identity> {
    this.identity();
    const sealed = this.store.read().secrets[IDENTITY_SECRET];
    if (!sealed) throw new UserError("The identity's key is missing from the store");
    return identityFromSeed(Buffer.from(await this.keyring.open(IDENTITY_SECRET, sealed), 'hex'));
  }
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
