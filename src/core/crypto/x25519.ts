/**
 * X25519 on Node's native crypto, which is several times faster than tweetnacl's pure JS and matters when a
 * 254-node plan needs hundreds of operations. Keys are the 32-byte raw forms WireGuard uses;
 * test/core/crypto proves they match tweetnacl (and `wg`) exactly.
 *
 * Raw keys cross into and out of OpenSSL as DER only, never as JWK: Node 20's JWK export of OKP keys
 * (`ExportJWKEdKey`) allocates on the V8 heap while it holds the key's mutex, and a garbage collection that
 * runs a `KeyGenJob` destructor then waits on that mutex for ever — a native deadlock that blocks the event
 * loop, so no timeout can fire (reproduced here within a few thousand `generateKeyPairSync` + JWK exports;
 * test/core/crypto/x25519-no-deadlock.test.ts runs 200 000 key pairs and seals under a hard limit). DER
 * export and import never take that path. `npm run bench -- x25519` compares these paths.
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
const DER = {
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'der' },
} as const;

export function privateKeyObject(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw key after a DER prefix, checked so that a change in OpenSSL's encoding cannot go unnoticed. */
function afterPrefix(der: Buffer, prefix: Buffer): Uint8Array {
  if (der.length !== prefix.length + 32 || !der.subarray(0, prefix.length).equals(prefix))
    throw new Error('unexpected DER encoding of an X25519 key');
  return new Uint8Array(der.subarray(prefix.length));
}

function rawPublic(key: KeyObject): Uint8Array {
  return afterPrefix(key.export({ format: 'der', type: 'spki' }) as Buffer, SPKI_PREFIX);
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

/** A fresh key pair, generated straight into DER (one native call, no KeyObject to export). OpenSSL
 * clamps the scalar it generates (checked in the tests); clamping again keeps the form canonical. */
export function x25519KeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  // The typings miss the DER overload for 'x25519': both halves come back as Buffers.
  const { privateKey, publicKey } = generateKeyPairSync('x25519', DER) as unknown as {
    privateKey: Buffer;
    publicKey: Buffer;
  };
  return {
    secretKey: clampScalar(afterPrefix(privateKey, PKCS8_PREFIX)),
    publicKey: afterPrefix(publicKey, SPKI_PREFIX),
  };
}

/** A public key as a KeyObject, to use in many agreements (import it once per peer). */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return publicKeyObject(raw);
}

/** An ephemeral key pair and its shared secret with `peer` (two X25519 operations): the sealed box's core. */
export function ephemeralShared(peer: KeyObject): { ephemeralPublic: Uint8Array; shared: Uint8Array } {
  const eph = generateKeyPairSync('x25519');
  const shared = new Uint8Array(diffieHellman({ privateKey: eph.privateKey, publicKey: peer }));
  return { ephemeralPublic: rawPublic(eph.publicKey), shared };
}

/** The shared secret of two parties (one X25519 multiplication). */
export function x25519Shared(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  return new Uint8Array(
    diffieHellman({ privateKey: privateKeyObject(secret), publicKey: publicKeyObject(peerPublic) }),
  );
}
