/**
 * libsodium's crypto_box_seal, as zos opens it: an ephemeral X25519 key pair, nonce = BLAKE2b-192 of
 * (ephemeral public ‖ recipient public), output = ephemeral public ‖ XSalsa20-Poly1305 box (48 bytes of
 * overhead). The X25519 steps run on Node's native crypto (the expensive part), the box on tweetnacl, the
 * hash on libsodium; test/core/crypto proves the result opens with libsodium's own crypto_box_seal_open
 * and with the zos test vector.
 */
import nacl from 'tweetnacl';
import type sodiumModule from 'libsodium-wrappers';
import { ephemeralShared, publicKeyFromRaw } from './x25519.js';

type Sodium = typeof sodiumModule;

export const SEAL_OVERHEAD = 48;

/** NaCl's crypto_box_beforenm on a shared point: HSalsa20 with a zero nonce. */
function boxKey(shared: Uint8Array): Uint8Array {
  const k = new Uint8Array(32);
  (
    nacl as unknown as {
      lowlevel: { crypto_core_hsalsa20(o: Uint8Array, i: Uint8Array, k: Uint8Array, c: Uint8Array): void };
    }
  ).lowlevel.crypto_core_hsalsa20(k, new Uint8Array(16), shared, SIGMA);
  return k;
}
const SIGMA = new TextEncoder().encode('expand 32-byte k');

export function sealTo(sodium: Sodium, message: Uint8Array, recipientCurvePublic: Uint8Array): Uint8Array {
  const { ephemeralPublic, shared } = ephemeralShared(publicKeyFromRaw(recipientCurvePublic));
  const nonce = sodium.crypto_generichash(24, concat(ephemeralPublic, recipientCurvePublic), null);
  const box = nacl.secretbox(message, nonce, boxKey(shared));
  return concat(ephemeralPublic, box);
}

/** Opens a sealed box with the recipient's curve25519 key pair (libsodium's reference implementation). */
export function openSealed(
  sodium: Sodium,
  sealed: Uint8Array,
  curvePublic: Uint8Array,
  curveSecret: Uint8Array,
): Uint8Array {
  return sodium.crypto_box_seal_open(sealed, curvePublic, curveSecret);
}

/** A node's ed25519 public key (hex, as the explorer publishes it) in curve25519 form. */
export function nodeCurveKey(sodium: Sodium, ed25519PublicHex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/i.test(ed25519PublicHex))
    throw new Error(`not an ed25519 public key: ${ed25519PublicHex}`);
  return sodium.crypto_sign_ed25519_pk_to_curve25519(Buffer.from(ed25519PublicHex, 'hex'));
}

/** zos's form of an NR's private key: hex of the sealed box of the key's base64 *text*. */
export function sealWireguardKey(
  sodium: Sodium,
  privateKeyBase64: string,
  nodeCurvePublic: Uint8Array,
): string {
  return Buffer.from(sealTo(sodium, new TextEncoder().encode(privateKeyBase64), nodeCurvePublic)).toString(
    'hex',
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
