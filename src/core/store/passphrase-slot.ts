/**
 * Passphrase slots: the data key wrapped under a key derived with scrypt (N = 2^17, r = 8, p = 1 for new
 * slots; parameters read from the file are bounds-checked first). Also opens the pre-slot passphrase
 * keyring (scrypt + NaCl secretbox) so that it can be migrated.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import nacl from 'tweetnacl';
import { aeadOpen, aeadReady, aeadSeal } from '../crypto/aead.js';
import { SecretDecryptError, type LegacyKeyringMeta, type SecretCipher } from './cipher.js';
import {
  SCRYPT_MIN_N,
  SCRYPT_NEW,
  scryptProblem,
  slotAssociatedData,
  type PassphraseSlot,
  type ScryptParams,
  type SlotRecord,
} from './key-slots.js';
import { KeyringLockedError } from './keyring-errors.js';
import type { SlotMethod, WrapPurpose } from './slot-method.js';

/** `confirm` is true when a new passphrase is being set (a prompt asks twice); `purpose` says why. */
export type PassphraseSource = (ask: {
  confirm: boolean;
  purpose: 'unlock' | WrapPurpose;
}) => Promise<string>;

export const LEGACY_PASSPHRASE_CIPHER_ID = 'passphrase/scrypt/secretbox';

export interface PassphraseSlotOptions {
  /** Parameters for new slots. Tests pass cheap ones; the product uses SCRYPT_NEW with a fresh salt. */
  newParams?: () => ScryptParams;
  /** The least N accepted from the file. Only tests lower it, to match their cheap parameters. */
  minN?: number;
}

export const newScryptParams = (): ScryptParams => ({
  salt: randomBytes(16).toString('base64'),
  ...SCRYPT_NEW,
});

export function deriveKey(passphrase: string, params: ScryptParams): Promise<Uint8Array> {
  if (passphrase.length === 0)
    return Promise.reject(new KeyringLockedError('The passphrase cannot be empty'));
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(params.salt, 'base64'),
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + (1 << 20) },
      (err, key) => (err ? reject(err) : resolve(new Uint8Array(key))),
    );
  });
}

export function passphraseSlot(source: PassphraseSource, options: PassphraseSlotOptions = {}): SlotMethod {
  const minN = options.minN ?? SCRYPT_MIN_N;
  const newParams = options.newParams ?? newScryptParams;
  // The passphrase that last opened a slot: a migration re-wraps under it without asking again.
  let opened: string | undefined;
  return {
    kind: 'passphrase',
    canOpen: (slot) => slot.kind === 'passphrase',
    async unwrap(slots: SlotRecord[]) {
      const mine = slots.filter((s): s is PassphraseSlot => s.kind === 'passphrase');
      for (const slot of mine) {
        const problem = scryptProblem(slot.kdf, minN);
        if (problem) throw new KeyringLockedError(`Passphrase slot ${slot.id}: ${problem}`);
      }
      if (!mine.length) return null;
      const passphrase = await source({ confirm: false, purpose: 'unlock' });
      await aeadReady();
      // A slot does not say which passphrase it takes (that would help a guesser), so each is tried. LUKS
      // tries its slots in turn; here they run side by side, as many at once as there are cores, so an
      // unlock costs about ceil(slots / cores) KDF runs rather than one per slot (bench: store).
      const key = await firstOpened(mine, Math.max(1, availableParallelism()), async (slot) => {
        const kek = await deriveKey(passphrase, slot.kdf);
        return aeadOpen(kek, Buffer.from(slot.wrapped, 'base64'), slotAssociatedData(slot.id));
      });
      if (key) opened = passphrase;
      return key;
    },
    async wrap(dataKey, slotId, purpose): Promise<PassphraseSlot> {
      const passphrase =
        purpose === 'migrate' && opened ? opened : await source({ confirm: purpose !== 'migrate', purpose });
      const kdf = newParams();
      const kek = await deriveKey(passphrase, kdf);
      await aeadReady();
      const wrapped = Buffer.from(aeadSeal(kek, dataKey, slotAssociatedData(slotId))).toString('base64');
      return { id: slotId, kind: 'passphrase', kdf, wrapped, createdAt: new Date().toISOString() };
    },
    async openLegacy(meta: LegacyKeyringMeta) {
      if (meta.cipherId !== LEGACY_PASSPHRASE_CIPHER_ID) return undefined;
      const p = meta.params;
      const params: ScryptParams = { salt: String(p.salt), N: Number(p.N), r: Number(p.r), p: Number(p.p) };
      // Made before slots with N = 2^15 (tests 2^10): the floor is lower, the other bounds are the same.
      const problem = scryptProblem(params, Math.min(minN, 1 << 10));
      if (problem) throw new KeyringLockedError(`The keyring record: ${problem}`);
      const passphrase = await source({ confirm: false, purpose: 'unlock' });
      opened = passphrase;
      return legacySecretbox(await deriveKey(passphrase, params));
    },
  };
}

/**
 * Runs `attempt` over `items`, at most `width` at a time, and resolves with the first non-null result as
 * soon as it exists (attempts still running finish unobserved; none starts after it). Null when none opens;
 * the first error rejects.
 */
export function firstOpened<T, R>(
  items: readonly T[],
  width: number,
  attempt: (item: T) => Promise<R | null>,
): Promise<R | null> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let done = false;
    const launch = (): void => {
      if (done) return;
      if (next === items.length && running === 0) {
        done = true;
        return resolve(null);
      }
      while (running < width && next < items.length) {
        const item = items[next++]!;
        running++;
        attempt(item).then(
          (result) => {
            running--;
            if (done) return;
            if (result !== null) {
              done = true;
              return resolve(result);
            }
            launch();
          },
          (err: unknown) => {
            running--;
            if (!done) {
              done = true;
              reject(err);
            }
          },
        );
      }
    };
    launch();
  });
}

/** The pre-slot cipher: NaCl secretbox (XSalsa20-Poly1305), nonce ‖ box in base64, no associated data. */
function legacySecretbox(key: Uint8Array): SecretCipher {
  return {
    id: LEGACY_PASSPHRASE_CIPHER_ID,
    async encrypt(plaintext) {
      const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
      const box = nacl.secretbox(new TextEncoder().encode(plaintext), nonce, key);
      return Buffer.concat([nonce, box]).toString('base64');
    },
    async decrypt(ciphertext) {
      const bytes = new Uint8Array(Buffer.from(ciphertext, 'base64'));
      const nonce = bytes.subarray(0, nacl.secretbox.nonceLength);
      const opened =
        bytes.length > nonce.length ? nacl.secretbox.open(bytes.subarray(nonce.length), nonce, key) : null;
      if (!opened) throw new SecretDecryptError('wrong passphrase, or the ciphertext was altered');
      return new TextDecoder().decode(opened);
    },
  };
}
