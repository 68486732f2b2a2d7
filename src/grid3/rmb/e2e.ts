/**
 * End-to-end payload encryption (rmb-rs `peer::e2e`): key = SHA-256 of the x coordinate of the secp256k1
 * ECDH point between the sender's RMB key and the receiver's on-chain `pk`; cipher = 12-byte nonce ‖
 * AES-256-GCM(ciphertext ‖ 16-byte tag). The nonce comes from the OS CSPRNG: with one static key per
 * pair of twins, a repeated GCM nonce would leak both plaintexts and the authentication key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The ECDH side of an RMB key (Grid3Account is one); the secret scalar stays inside it. */
export interface RmbKeyAgreement {
  rmbSharedKey(peerPublicKey: Uint8Array): Uint8Array;
}

export const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

export class E2eError extends Error {
  override name = 'E2eError';
}

/** A twin's `pk` as the chain, gridproxy or rmb_direct_client hold it: bytes, or hex with or without 0x. */
export function parseTwinPk(pk: Uint8Array | string | undefined | null): Uint8Array | undefined {
  if (pk === undefined || pk === null) return undefined;
  if (pk instanceof Uint8Array) return pk.length === 33 ? pk : undefined;
  const hex = pk.startsWith('0x') ? pk.slice(2) : pk;
  if (!/^[0-9a-fA-F]{66}$/.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function sharedKey(keys: RmbKeyAgreement, peerPk: Uint8Array): Uint8Array {
  try {
    return keys.rmbSharedKey(peerPk);
  } catch {
    throw new E2eError('the peer public key is not a secp256k1 point');
  }
}

export function encryptPayload(keys: RmbKeyAgreement, peerPk: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', sharedKey(keys, peerPk), nonce, { authTagLength: TAG_LENGTH });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(Buffer.concat([nonce, body]));
}

export function decryptPayload(keys: RmbKeyAgreement, peerPk: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length < NONCE_LENGTH + TAG_LENGTH) throw new E2eError('cipher too short');
  const nonce = data.subarray(0, NONCE_LENGTH);
  const tagStart = data.length - TAG_LENGTH;
  const decipher = createDecipheriv('aes-256-gcm', sharedKey(keys, peerPk), nonce, {
    authTagLength: TAG_LENGTH,
  });
  decipher.setAuthTag(data.subarray(tagStart));
  try {
    return new Uint8Array(
      Buffer.concat([decipher.update(data.subarray(NONCE_LENGTH, tagStart)), decipher.final()]),
    );
  } catch {
    throw new E2eError('cipher does not authenticate (wrong key or altered)');
  }
}
