/** How private keys are kept at rest: only ever as ciphertext produced by one of these. */

export interface SecretCipher {
  /** Names the scheme and backend. It is stored with the ciphertexts: a store made under one cipher is never
   * silently read or re-encrypted under another (a changed keyring backend must be noticed, not papered over). */
  readonly id: string;
  /** False when the "encryption" is not worth the name (Electron's basic_text backend on Linux). */
  readonly secure: boolean;
  /** Said to the user when `secure` is false. */
  readonly insecureReason?: string;
  encrypt(plaintext: string): Promise<string>;
  /** Throws `SecretDecryptError` when the ciphertext does not open. */
  decrypt(ciphertext: string): Promise<string>;
}

export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

/** What the store remembers about the cipher its secrets were made with. Nothing here is secret. */
export interface KeyringMeta {
  cipherId: string;
  /** Cipher-specific public parameters (salt, cost). */
  params: Record<string, string | number>;
  /** A known plaintext encrypted at creation: tells a wrong passphrase apart before anything is touched. */
  check: string;
}

export const KEYRING_CHECK_PLAINTEXT = 'overlay-connect keyring v1';
