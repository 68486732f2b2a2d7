/** Keyrings made before key slots (store 1.x): kept only to migrate them. */

export interface SecretCipher {
  readonly id: string;
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

/** The pre-slot record: one cipher for every secret. Nothing here is secret. */
export interface LegacyKeyringMeta {
  cipherId: string;
  /** Cipher-specific public parameters (salt, cost). */
  params: Record<string, string | number>;
  /** A known plaintext encrypted at creation: tells a wrong passphrase apart before anything is touched. */
  check: string;
}

export const KEYRING_CHECK_PLAINTEXT = 'overlay-connect keyring v1';

export const isLegacyKeyring = (v: unknown): v is LegacyKeyringMeta =>
  typeof v === 'object' && v !== null && typeof (v as LegacyKeyringMeta).cipherId === 'string';
