/**
 * Seals and opens the store's secrets. One random data key per store seals every entry with
 * XChaCha20-Poly1305, bound to the entry's id (a ciphertext moved to another entry does not open); key
 * slots wrap that data key (see key-slots.ts). The key is unlocked lazily (a listing never asks for a
 * passphrase) and shared by concurrent callers (one prompt). A keyring made before slots is migrated at its
 * first unlock, in one write.
 */
import { randomBytes } from 'node:crypto';
import { aeadOpen, aeadReady, aeadSeal, randomKey } from '../crypto/aead.js';
import {
  isLegacyKeyring,
  KEYRING_CHECK_PLAINTEXT,
  SecretDecryptError,
  type LegacyKeyringMeta,
} from './cipher.js';
import {
  entryAssociatedData,
  parseKeyringRecord,
  SCRYPT_MIN_N,
  slotInfo,
  type KeyringRecord,
  type SlotInfo,
  type SlotRecord,
} from './key-slots.js';
import { KeyringLockedError, PassphraseNeededError } from './keyring-errors.js';
import type { SlotMethod } from './slot-method.js';
import type { StoreData } from './schema.js';
import type { StateStore } from './state-store.js';
import { UserError } from '../errors.js';

export { KeyringLockedError, PassphraseNeededError } from './keyring-errors.js';

const SEALED_PREFIX = 'v2:';

/** Seals with the unlocked data key, synchronously: usable inside a store update. */
export type Sealer = (entryId: string, plaintext: string) => string;
export type Opener = (entryId: string, sealed: string) => string;

/** A change that needs the data key, run after every unlock when `needed` says so (e.g. sealing values an
 * older version kept in the clear). */
export interface KeyedMigration {
  needed(d: StoreData): boolean;
  apply(d: StoreData, seal: Sealer, open: Opener): void;
}

export interface KeyringOptions {
  /** Least scrypt N accepted from the file; tests lower it for their cheap parameters. */
  minN?: number;
}

export class Keyring {
  private unlocked?: Promise<Uint8Array>;
  private readonly migrations: KeyedMigration[] = [];

  constructor(
    private readonly store: StateStore,
    private readonly methods: SlotMethod[],
    private readonly options: KeyringOptions = {},
  ) {}

  addMigration(m: KeyedMigration): void {
    this.migrations.push(m);
  }

  /** The slots as the file has them; needs no unlock. Empty when there is no keyring yet. */
  slots(): SlotInfo[] {
    const meta = this.store.read().keyring;
    if (!meta) return [];
    if (isLegacyKeyring(meta))
      return [
        {
          id: 'legacy',
          kind: 'passphrase',
          label: `${meta.cipherId} (migrated at the next unlock)`,
          createdAt: '',
        },
      ];
    return this.record(meta).slots.map(slotInfo);
  }

  isUnlocked(): boolean {
    return this.key !== undefined;
  }

  /** Unlocks with the first method and slot that open; concurrent callers share one attempt. */
  async unlock(): Promise<void> {
    this.unlocked ??= this.doUnlock().catch((e) => {
      this.unlocked = undefined;
      throw e;
    });
    await this.unlocked;
  }

  async seal(entryId: string, plaintext: string): Promise<string> {
    await this.unlock();
    return this.sealer()(entryId, plaintext);
  }

  async open(entryId: string, sealed: string): Promise<string> {
    await this.unlock();
    return this.opener()(entryId, sealed);
  }

  /** Synchronous seal for use inside a store update; the keyring must be unlocked. */
  sealer(): Sealer {
    return sealerFor(this.requireKey());
  }

  opener(): Opener {
    return openerFor(this.requireKey(), this.store.path);
  }

  /** Adds a slot for `method` (unlocking first with the others). Entries are not touched. */
  async addSlot(method: SlotMethod): Promise<SlotInfo> {
    await this.unlock();
    const slot = await method.wrap(this.requireKey(), newSlotId(), 'add');
    this.store.update((d) => {
      const rec = this.record(d.keyring);
      if (slot.kind === 'system' && rec.slots.some((s) => s.kind === 'system' && s.backend === slot.backend))
        throw new UserError(`The store already has a slot for the system keyring (${slot.backend})`);
      rec.slots.push(slot);
      d.keyring = rec;
    });
    return slotInfo(slot);
  }

  /** Removes a slot after unlocking (the user proves they may); never the last one. */
  async removeSlot(id: string): Promise<void> {
    await this.unlock();
    this.store.update((d) => {
      const rec = this.record(d.keyring);
      if (!rec.slots.some((s) => s.id === id)) throw new UserError(`There is no slot "${id}"`);
      if (rec.slots.length === 1)
        throw new UserError('That is the only slot: the store could no longer be opened. Add another first.');
      rec.slots = rec.slots.filter((s) => s.id !== id);
      d.keyring = rec;
    });
  }

  private key?: Uint8Array;

  private requireKey(): Uint8Array {
    if (!this.key) throw new Error('The keyring is not unlocked');
    return this.key;
  }

  private record(meta: unknown): KeyringRecord {
    return parseKeyringRecord(meta, this.store.path, this.options.minN ?? SCRYPT_MIN_N);
  }

  private async doUnlock(): Promise<Uint8Array> {
    await aeadReady();
    for (let attempt = 0; attempt < 5; attempt++) {
      const data = this.store.read();
      const meta = data.keyring;
      let key: Uint8Array | undefined;
      if (!meta) key = await this.create(data);
      else if (isLegacyKeyring(meta)) key = await this.migrate(meta);
      else key = await this.openSlots(this.record(meta));
      if (!key) continue; // another process changed the keyring meanwhile: look again
      this.key = key;
      this.runMigrations();
      return key;
    }
    throw new KeyringLockedError(`The keyring in ${this.store.path} keeps changing under this process`);
  }

  private async openSlots(rec: KeyringRecord): Promise<Uint8Array> {
    let tried = false;
    for (const method of this.methods) {
      const slots = rec.slots.filter((s) => method.canOpen(s));
      if (!slots.length) continue;
      tried = true;
      const key = await method.unwrap(slots);
      if (key) return key;
    }
    const have = rec.slots.map((s) => slotInfo(s).label).join(', ');
    if (!tried)
      throw new KeyringLockedError(
        `The keys in ${this.store.path} open with: ${have}; none of these can be used here.` +
          (rec.slots.every((s) => s.kind === 'system')
            ? ' Add a passphrase slot from the desktop app (Keys) to open them from the command line.'
            : ''),
      );
    throw new KeyringLockedError(
      this.methods.some((m) => m.kind === 'passphrase') && rec.slots.some((s) => s.kind === 'passphrase')
        ? `Wrong passphrase for the keys in ${this.store.path}`
        : `No slot of the keys in ${this.store.path} opens here (${have})`,
    );
  }

  /** A first run: a new data key in a slot of the first method that can make one. */
  private async create(data: StoreData): Promise<Uint8Array | undefined> {
    if (Object.keys(data.secrets).length > 0)
      throw new KeyringLockedError(
        `${this.store.path} holds sealed keys but no keyring record: it was altered. Nothing was changed.`,
      );
    const key = randomKey();
    const slot = await this.firstWrap(key, 'create');
    // Decided under the store's lock: when two first runs race, the first keyring written wins and the
    // other process opens that one instead of replacing it.
    const won = this.store.update((d) => {
      if (d.keyring) return false;
      d.keyring = { version: 2, slots: [slot] } satisfies KeyringRecord;
      return true;
    });
    return won ? key : undefined;
  }

  private async firstWrap(key: Uint8Array, purpose: 'create' | 'migrate'): Promise<SlotRecord> {
    const errors: UserError[] = [];
    for (const method of this.methods) {
      try {
        return await method.wrap(key, newSlotId(), purpose);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        errors.push(e);
      }
    }
    const message = errors.map((e) => e.message).join(' ') || 'No way to protect the keys is available here';
    // Still waiting for a passphrase (the window's) is not a failure: say it as such.
    throw errors.some((e) => e instanceof PassphraseNeededError)
      ? new PassphraseNeededError(message)
      : new KeyringLockedError(message);
  }

  /**
   * A keyring from before slots: every entry is opened with the old cipher, sealed again under a new data
   * key bound to its id, and the old record replaced by one slot of the same kind — one write, so a crash
   * leaves either the old store or the new one.
   */
  private async migrate(meta: LegacyKeyringMeta): Promise<Uint8Array | undefined> {
    let cipher;
    for (const m of this.methods) if ((cipher = await m.openLegacy?.(meta))) break;
    if (!cipher)
      throw new KeyringLockedError(
        `The keys in ${this.store.path} were sealed with "${meta.cipherId}", which this program cannot open. ` +
          'They are left untouched; open them once with the program that made them.',
      );
    let check: string | undefined;
    try {
      check = await cipher.decrypt(meta.check);
    } catch (e) {
      if (!(e instanceof SecretDecryptError)) throw e;
    }
    if (check !== KEYRING_CHECK_PLAINTEXT)
      throw new KeyringLockedError(`Wrong passphrase for the keys in ${this.store.path}`);
    const before = this.store.read().secrets;
    const plain = new Map<string, string>();
    for (const [id, sealed] of Object.entries(before)) {
      try {
        plain.set(id, await cipher.decrypt(sealed));
      } catch {
        throw new KeyringLockedError(
          `The secret "${id}" in ${this.store.path} does not open: the file was altered. Nothing was changed.`,
        );
      }
    }
    const key = randomKey();
    const slot = await this.firstWrap(key, 'migrate');
    const seal = sealerFor(key);
    return this.store.update((d) => {
      if (JSON.stringify(d.keyring) !== JSON.stringify(meta)) return undefined;
      const now = d.secrets;
      if (Object.keys(now).length !== plain.size || Object.entries(now).some(([id, s]) => before[id] !== s))
        return undefined;
      for (const [id, text] of plain) now[id] = seal(id, text);
      d.keyring = { version: 2, slots: [slot] } satisfies KeyringRecord;
      return key;
    });
  }

  private runMigrations(): void {
    const pending = this.migrations.filter((m) => m.needed(this.store.read()));
    if (!pending.length) return;
    const seal = this.sealer();
    const open = this.opener();
    this.store.update((d) => {
      for (const m of pending) if (m.needed(d)) m.apply(d, seal, open);
    });
  }
}

function sealerFor(key: Uint8Array): Sealer {
  return (entryId, plaintext) =>
    SEALED_PREFIX +
    Buffer.from(aeadSeal(key, new TextEncoder().encode(plaintext), entryAssociatedData(entryId))).toString(
      'base64',
    );
}

function openerFor(key: Uint8Array, path: string): Opener {
  return (entryId, sealed) => {
    const bytes = sealed.startsWith(SEALED_PREFIX)
      ? Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64')
      : null;
    const opened = bytes && aeadOpen(key, bytes, entryAssociatedData(entryId));
    if (!opened)
      throw new KeyringLockedError(
        `The secret "${entryId}" in ${path} does not open: the file was altered. Nothing was changed.`,
      );
    return new TextDecoder().decode(opened);
  };
}

function newSlotId(): string {
  return randomBytes(4).toString('hex');
}
