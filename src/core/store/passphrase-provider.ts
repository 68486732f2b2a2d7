/** Passphrase-based keyring for plain Node: where the passphrase comes from is the caller's business. */
import type { KeyringMeta } from './cipher.js';
import type { CipherProvider } from './keyring.js';
import {
  createPassphraseCipher,
  newScryptParams,
  PASSPHRASE_CIPHER_ID,
  type ScryptParams,
} from './passphrase-cipher.js';

/** `confirm` is true when a new keyring is being made (a prompt should ask twice). */
export type PassphraseSource = (purpose: { confirm: boolean }) => Promise<string>;

export function passphraseProvider(
  getPassphrase: PassphraseSource,
  makeParams: () => ScryptParams = newScryptParams,
): CipherProvider {
  return {
    cipherId: PASSPHRASE_CIPHER_ID,
    async create() {
      const params = makeParams();
      const cipher = await createPassphraseCipher(await getPassphrase({ confirm: true }), params);
      return { cipher, params: { ...params } };
    },
    async open(meta: KeyringMeta) {
      const p = meta.params;
      const params: ScryptParams = { salt: String(p.salt), N: Number(p.N), r: Number(p.r), p: Number(p.p) };
      return createPassphraseCipher(await getPassphrase({ confirm: false }), params);
    },
  };
}
