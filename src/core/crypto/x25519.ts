/**
 * X25519 on Node's native crypto: ~15× faster than tweetnacl's pure JS (0.04 vs 0.7 ms per operation
 * here), which matters when a 254-node plan needs hundreds of operations. Keys are the 32-byte raw forms
 * WireGuard uses; test/core/crypto proves they match tweetnacl (and `wg`) exactly.
 */
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject } from 'node:crypto';

// DER prefixes of PKCS#8 / SPKI X25519 keys: the raw 32 bytes follow them.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function privateKeyObject(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function rawPublic(key: KeyObject): Uint8Array {
  return new Uint8Array((key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(SPKI_PREFIX.length));
}

/** Curve25519 clamping, as `wg genkey` does, so private keys have the canonical form. */
export function clampScalar(secret: Uint8Array): Uint8Array {
  const out = new Uint8Array(secret);
  out[0]! &= 248;
  out[31] = (out[31]! & 127) | 64;
  return out;
}

/** The public key of a raw private key (one X25519 base-point multiplication). */
export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  return rawPublic(createPublicKey(privateKeyObject(secret)));
}

export function x25519KeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = clampScalar(randomBytes(32));
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

/** The shared secret of two parties (one X25519 multiplication). */
export function x25519Shared(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  return new Uint8Array(diffieHellman({ privateKey: privateKeyObject(secret), publicKey: publicKeyObject(peerPublic) }));
}
