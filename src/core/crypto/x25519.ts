/**
 * X25519 on Node's native crypto: ~15× faster than tweetnacl's pure JS (0.04 vs 0.7 ms per operation
 * here), which matters when a 254-node plan needs hundreds of operations. Keys are the 32-byte raw forms
 * WireGuard uses; test/core/crypto proves they match tweetnacl (and `wg`) exactly.
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

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

/** A fresh key pair. OpenSSL clamps the scalar it generates (checked in the tests); raw keys are read
 * through JWK, which is an order of magnitude cheaper than importing or exporting DER. */
export function x25519KeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string };
  return {
    secretKey: clampScalar(Buffer.from(jwk.d, 'base64url')),
    publicKey: new Uint8Array(Buffer.from(jwk.x, 'base64url')),
  };
}

/** A public key as a KeyObject (JWK import: ~0.02 ms, against ~1 ms for DER). */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** An ephemeral key pair and its shared secret with `peer` (two X25519 operations): the sealed box's core. */
export function ephemeralShared(peer: KeyObject): { ephemeralPublic: Uint8Array; shared: Uint8Array } {
  const eph = generateKeyPairSync('x25519');
  const shared = new Uint8Array(diffieHellman({ privateKey: eph.privateKey, publicKey: peer }));
  const x = (eph.publicKey.export({ format: 'jwk' }) as { x: string }).x;
  return { ephemeralPublic: new Uint8Array(Buffer.from(x, 'base64url')), shared };
}

/** The shared secret of two parties (one X25519 multiplication). */
export function x25519Shared(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  return new Uint8Array(
    diffieHellman({ privateKey: privateKeyObject(secret), publicKey: publicKeyObject(peerPublic) }),
  );
}
