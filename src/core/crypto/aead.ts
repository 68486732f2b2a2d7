/**
 * XChaCha20-Poly1305 (libsodium's IETF construction) with associated data. The 24-byte nonce is random per
 * message, which is safe at any count of messages under one key; the associated data names what the
 * ciphertext belongs to, so a ciphertext moved to another entry of the store no longer opens.
 */
import { loadSodium } from './sodium.js';

type Sodium = Awaited<ReturnType<typeof loadSodium>>;
let sodium: Sodium | undefined;

/** Loads libsodium once; the seal and open below are synchronous after it (they run inside store updates). */
export async function aeadReady(): Promise<void> {
  sodium ??= await loadSodium();
}

function lib(): Sodium {
  if (!sodium) throw new Error('aeadReady() was not awaited');
  return sodium;
}

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;

/** nonce ‖ ciphertext ‖ tag. */
export function aeadSeal(key: Uint8Array, plaintext: Uint8Array, associated: string): Uint8Array {
  const s = lib();
  const nonce = s.randombytes_buf(AEAD_NONCE_BYTES);
  const sealed = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associated, null, nonce, key);
  const out = new Uint8Array(nonce.length + sealed.length);
  out.set(nonce);
  out.set(sealed, nonce.length);
  return out;
}

/** The plaintext, or null when the key, the associated data or a single byte is not what was sealed. */
export function aeadOpen(key: Uint8Array, sealed: Uint8Array, associated: string): Uint8Array | null {
  const s = lib();
  if (sealed.length < AEAD_NONCE_BYTES + s.crypto_aead_xchacha20poly1305_ietf_ABYTES) return null;
  try {
    return s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.subarray(AEAD_NONCE_BYTES),
      associated,
      sealed.subarray(0, AEAD_NONCE_BYTES),
      key,
    );
  } catch {
    return null;
  }
}

export function randomKey(): Uint8Array {
  return lib().randombytes_buf(AEAD_KEY_BYTES);
}
