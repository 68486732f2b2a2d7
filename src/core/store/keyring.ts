/**
 * Seals and opens secrets with the cipher the store was created with. The cipher is unlocked lazily (a
 * listing never asks for a passphrase), checked against a known plaintext before use, and never swapped:
 * a store made under another cipher or backend is refused with a message, not re-encrypted behind the
 * user's back.
 */
import { UserError } from '../errors.js';
import {
  KEYRING_CHECK_PLAINTEXT,
  SecretDecryptError,
  type KeyringMeta,
  type SecretCipher,
} from './cipher.js';
import type { StateStore } from './state-store.js';

export interface CipherProvider {
  readonly cipherId: string;
  /** A cipher for a store that has no keyring yet, with the public parameters to remember. */
  create(): Promise<{ cipher: SecretCipher; params: Record<string, string | number> }>;
  /** The cipher for an existing keyring. */
  open(meta: KeyringMeta): Promise<SecretCipher>;
}

export class KeyringLockedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringLockedError';
  }
}

export class Keyring {
  private unlocked?: Promise<SecretCipher>;

  constructor(
    private readonly store: StateStore,
    private readonly provider: CipherProvider,
  ) {}

  /** Resolves to the verified cipher; concurrent callers share one unlock (one passphrase prompt). */
  unlock(): Promise<SecretCipher> {
    this.unlocked ??= this.doUnlock().catch((e) => {
      this.unlocked = undefined;
      throw e;
    });
    return this.unlocked;
  }

  async seal(plaintext: string): Promise<string> {
    return (await this.unlock()).encrypt(plaintext);
  }

  async open(ciphertext: string): Promise<string> {
    const cipher = await this.unlock();
    try {
      return await cipher.decrypt(ciphertext);
    } catch (e) {
      if (e instanceof SecretDecryptError) {
        throw new KeyringLockedError(
          `A secret in ${this.store.path} does not open with this keyring: the file was altered. Nothing was changed.`,
        );
      }
      throw e;
    }
  }

  private async doUnlock(): Promise<SecretCipher> {
    const data = this.store.read();
    const meta = data.keyring;
    if (!meta) {
      if (Object.keys(data.secrets).length > 0) {
        throw new KeyringLockedError(
          `${this.store.path} holds sealed keys but no keyring record: it was altered. Nothing was changed.`,
        );
      }
      const { cipher, params } = await this.provider.create();
      const check = await cipher.encrypt(KEYRING_CHECK_PLAINTEXT);
      // Decided under the store's lock: when two first runs race, the first keyring written wins and the
      // other process opens that one instead of replacing it.
      const winner = this.store.update((d) => {
        if (d.keyring) return d.keyring;
        d.keyring = { cipherId: cipher.id, params, check };
        return undefined;
      });
      return winner ? this.openExisting(winner) : cipher;
    }
    return this.openExisting(meta);
  }

  private async openExisting(meta: KeyringMeta): Promise<SecretCipher> {
    if (meta.cipherId !== this.provider.cipherId) {
      throw new KeyringLockedError(
        `The keys in ${this.store.path} were sealed with "${meta.cipherId}", but this program uses "${this.provider.cipherId}". ` +
          'They are left untouched; open them with the program that made them.',
      );
    }
    const cipher = await this.provider.open(meta);
    let plain: string | undefined;
    try {
      plain = await cipher.decrypt(meta.check);
    } catch (e) {
      if (!(e instanceof SecretDecryptError)) throw e;
    }
    if (plain !== KEYRING_CHECK_PLAINTEXT) {
      throw new KeyringLockedError(`Wrong passphrase for the keys in ${this.store.path}`);
    }
    return cipher;
  }
}
