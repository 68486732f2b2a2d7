/**
 * WireGuard keys as a network workload carries them: base64 of the 32 raw X25519 bytes. grid_client
 * makes them with `tweetnacl.box.keyPair()` and derives a node's public key from the private key in its
 * workload (`box.keyPair.fromSecretKey`); the same scalar multiplication is done here on Node's native
 * X25519 (src/core/crypto/x25519.ts, DER only).
 */
import { x25519KeyPair, x25519PublicKey } from '../crypto/x25519.js';
import { Grid3FormatError } from './canonical.js';

export interface WgKeyPair {
  privateKey: string;
  publicKey: string;
}

const KEY_B64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** True for the base64 of exactly 32 bytes in its canonical spelling (what `wg` and zos read). */
export function isWgKey(text: unknown): text is string {
  return typeof text === 'string' && KEY_B64.test(text);
}

export function requireWgKey(text: unknown, where: string): string {
  if (!isWgKey(text)) throw new Grid3FormatError(`${where}: not a WireGuard key (base64 of 32 bytes)`);
  return text;
}

/** The public key of a base64 private key (as `wg pubkey`; X25519 clamps the scalar itself). */
export function wgPublicKey(privateKey: string): string {
  requireWgKey(privateKey, 'private key');
  return Buffer.from(x25519PublicKey(Buffer.from(privateKey, 'base64'))).toString('base64');
}

/** A fresh key pair from the operating system's randomness. */
export function generateWgKeyPair(): WgKeyPair {
  const { secretKey, publicKey } = x25519KeyPair();
  return {
    privateKey: Buffer.from(secretKey).toString('base64'),
    publicKey: Buffer.from(publicKey).toString('base64'),
  };
}
