/**
 * The keyring's record in the store, in the shape of LUKS and age: one random data key seals every secret,
 * and each slot holds that data key wrapped by one way of unlocking (a passphrase, the system keyring).
 * Adding or removing a slot never touches the sealed entries. Nothing in this record is secret.
 */
import { KeyringLockedError } from './keyring-errors.js';

export interface ScryptParams {
  /** base64, 16 to 64 bytes */
  salt: string;
  N: number;
  r: number;
  p: number;
}

export interface PassphraseSlot {
  id: string;
  kind: 'passphrase';
  kdf: ScryptParams;
  /** base64(nonce ‖ XChaCha20-Poly1305(KEK, data key, associated = slotAssociatedData)) */
  wrapped: string;
  createdAt: string;
}

export interface SystemSlot {
  id: string;
  kind: 'system';
  /** The safeStorage backend that wrapped it ('gnome_libsecret', 'kwallet5', 'keychain', 'dpapi', …). */
  backend: string;
  /** base64 of what safeStorage made of the base64 data key. */
  wrapped: string;
  createdAt: string;
}

export type SlotRecord = PassphraseSlot | SystemSlot;

export interface KeyringRecord {
  version: 2;
  slots: SlotRecord[];
}

/** What `keys slots` and the window show of a slot. */
export interface SlotInfo {
  id: string;
  kind: SlotRecord['kind'];
  /** For people: "passphrase (scrypt N=2^17, r=8, p=1)", "system keyring (gnome_libsecret)". */
  label: string;
  createdAt: string;
}

/** scrypt cost for new passphrase slots: 2^17 × 8 × 128 B = 128 MiB and a few hundred ms, once per unlock. */
export const SCRYPT_NEW = { N: 1 << 17, r: 8, p: 1 } as const;
/** Bounds on parameters read from the file: a file that others wrote may ask for anything. */
export const SCRYPT_MIN_N = 1 << 17;
export const SCRYPT_MAX_N = 1 << 20;
export const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;

export const entryAssociatedData = (entryId: string) => `overlay-connect/secret/v2\0${entryId}`;
export const slotAssociatedData = (slotId: string) => `overlay-connect/slot/v2\0${slotId}`;

const SLOT_ID = /^[0-9a-f]{8}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function scryptProblem(p: ScryptParams, minN = SCRYPT_MIN_N): string | undefined {
  const salt = typeof p.salt === 'string' && BASE64.test(p.salt) ? Buffer.from(p.salt, 'base64') : undefined;
  if (!salt || salt.length < 16 || salt.length > 64) return 'the salt is not 16 to 64 bytes of base64';
  if (!Number.isInteger(p.N) || p.N < minN || p.N > SCRYPT_MAX_N || (p.N & (p.N - 1)) !== 0)
    return `N must be a power of two from 2^${Math.log2(minN)} to 2^20`;
  if (!Number.isInteger(p.r) || p.r < 1 || p.r > 32) return 'r must be 1 to 32';
  if (!Number.isInteger(p.p) || p.p < 1 || p.p > 4) return 'p must be 1 to 4';
  if (128 * p.N * p.r > SCRYPT_MAX_MEMORY) return 'N × r asks for more than 256 MiB';
  return undefined;
}

/** Checks a keyring record read from the file before any of it is used; throws with what is wrong. */
export function parseKeyringRecord(value: unknown, path: string, minN = SCRYPT_MIN_N): KeyringRecord {
  const bad = (why: string) =>
    new KeyringLockedError(`The keyring record in ${path} is not valid (${why}). Nothing was changed.`);
  const v = value as Partial<KeyringRecord>;
  if (v?.version !== 2 || !Array.isArray(v.slots) || v.slots.length === 0 || v.slots.length > 16)
    throw bad('no slots');
  const ids = new Set<string>();
  for (const s of v.slots as Partial<SlotRecord>[]) {
    if (typeof s?.id !== 'string' || !SLOT_ID.test(s.id) || ids.has(s.id)) throw bad('a slot id');
    ids.add(s.id);
    if (typeof s.wrapped !== 'string' || !BASE64.test(s.wrapped) || s.wrapped.length > 4096)
      throw bad(`slot ${s.id}: its wrapped key`);
    if (typeof s.createdAt !== 'string') throw bad(`slot ${s.id}: its date`);
    if (s.kind === 'passphrase') {
      const problem = scryptProblem(s.kdf ?? ({} as ScryptParams), minN);
      if (problem) throw bad(`slot ${s.id}: ${problem}`);
    } else if (s.kind === 'system') {
      if (typeof s.backend !== 'string' || !/^[a-z0-9_]{1,32}$/.test(s.backend))
        throw bad(`slot ${s.id}: its backend`);
    } else throw bad(`slot ${s.id}: unknown kind`);
  }
  return v as KeyringRecord;
}

export function slotInfo(s: SlotRecord): SlotInfo {
  const label =
    s.kind === 'passphrase'
      ? `passphrase (scrypt N=2^${Math.log2(s.kdf.N)}, r=${s.kdf.r}, p=${s.kdf.p})`
      : `system keyring (${s.backend})`;
  return { id: s.id, kind: s.kind, label, createdAt: s.createdAt };
}
