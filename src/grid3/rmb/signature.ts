/**
 * The envelope's challenge and signature (rmb-rs `types::Challengeable for Envelope`, `identity`;
 * rmb_direct_client `ClientEnvelope.challenge`, `sign`).
 *
 * The challenge is MD5 over, in order and without separators: uid, tags, timestamp and expiration in
 * decimal, source twin then its connection, destination twin then its connection, the request's command
 * or the error's code then message (nothing for a response, ping or pong), schema, federation, the raw
 * payload bytes (plain or cipher), each relay. Absent optional strings add nothing, so absent and empty
 * hash alike: the protobuf bytes are not what is signed, the fields are.
 *
 * The signature is the key type byte, 's' (sr25519) or 'e' (ed25519), then the 64-byte signature of the
 * 16 MD5 bytes. A twin's chain account is one 32-byte key; the prefix says how to read it.
 */
import { createHash } from 'node:crypto';
import { verifyEd25519, verifySr25519 } from '../../core/grid3/account.js';
import type { Envelope, RmbAddress } from './envelope.js';

export const SIGNATURE_LENGTH = 65;
export const SR25519_PREFIX = 0x73; // 's'
export const ED25519_PREFIX = 0x65; // 'e'

/** What signs for a twin: its chain account's sr25519 key (Grid3Account is one). */
export interface RmbSigner {
  sign(message: Uint8Array): Uint8Array;
}

export function envelopeChallenge(e: Envelope): Uint8Array {
  const h = createHash('md5');
  const text = (s: string) => h.update(s, 'utf8');
  const addr = (a: RmbAddress | undefined) => {
    text(String(a?.twin ?? 0));
    if (a?.connection !== undefined) text(a.connection);
  };
  text(e.uid);
  if (e.tags !== undefined) text(e.tags);
  text(String(e.timestamp));
  text(String(e.expiration));
  addr(e.source);
  addr(e.destination);
  const m = e.message;
  if (m?.kind === 'request') text(m.command);
  else if (m?.kind === 'error') text(`${m.code}${m.message}`);
  if (e.schema !== undefined) text(e.schema);
  if (e.federation !== undefined) text(e.federation);
  if (e.payload) h.update(e.payload.data);
  for (const r of e.relays ?? []) text(r);
  return new Uint8Array(h.digest());
}

/** 's' ‖ sr25519(message): the form of both envelope and relay-token signatures. */
export function prefixedSignature(signer: RmbSigner, message: Uint8Array): Uint8Array {
  const sig = signer.sign(message);
  if (sig.length !== 64) throw new Error('an sr25519 signature is 64 bytes');
  const out = new Uint8Array(SIGNATURE_LENGTH);
  out[0] = SR25519_PREFIX;
  out.set(sig, 1);
  return out;
}

/**
 * Whether `signature` is the chain account's over `message`. Needs grid3CryptoReady() first. Anything
 * malformed is `false`.
 */
export function verifyPrefixed(
  message: Uint8Array,
  signature: Uint8Array | undefined,
  accountId: string,
): boolean {
  if (!signature || signature.length !== SIGNATURE_LENGTH) return false;
  const raw = signature.subarray(1);
  if (signature[0] === SR25519_PREFIX) return verifySr25519(message, raw, accountId);
  if (signature[0] === ED25519_PREFIX) return verifyEd25519(message, raw, accountId);
  return false;
}

export function signEnvelope(e: Envelope, signer: RmbSigner): Envelope {
  return { ...e, signature: prefixedSignature(signer, envelopeChallenge(e)) };
}

export function verifyEnvelope(e: Envelope, accountId: string): boolean {
  return verifyPrefixed(envelopeChallenge(e), e.signature, accountId);
}
