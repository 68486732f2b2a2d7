/**
 * The cipher for plain Node (CLI, loopback UI): a key derived from a passphrase with scrypt, secrets sealed
 * with NaCl secretbox (XSalsa20-Poly1305) under a fresh random nonce each.
 */
import { randomBytes, scrypt } from 'node:crypto';
import nacl from 'tweetnacl';
import { SecretDecryptError, type SecretCipher } from './cipher.js';

export const PASSPHRASE_CIPHER_ID = 'passphrase/scrypt/secretbox';

export interface ScryptParams {
  salt: string;
  N: number;
  r: number;
  p: number;
}

/** ~100 ms and 32 MiB on these machines: costly to brute-force, cheap once per command. */
export function newScryptParams(): ScryptParams {
  return { salt: randomBytes(16).toString('base64'), N: 1 << 15, r: 8, p: 1 };
}

function deriveKey(passphrase: string, params: ScryptParams): Promise<Uint8Array> {
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

export async function createPassphraseCipher(
  passphrase: string,
  params: ScryptParams,
): Promise<SecretCipher> {
  if (passphrase.length === 0) throw new Error('The passphrase cannot be empty');
  const key = await deriveKey(passphrase, params);
  return {
    id: PASSPHRASE_CIPHER_ID,
    secure: true,
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
