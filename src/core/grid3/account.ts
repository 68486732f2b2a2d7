/**
 * A ThreeFold Grid v3 account from its TFChain mnemonic: the chain key (sr25519) and the RMB key
 * (secp256k1), derived as grid_client 2.9.2 and rmb-rs derive them:
 *
 *   mini-secret  = mnemonicToMiniSecret(mnemonic)   (substrate-bip39: PBKDF2 of the entropy, first 32 bytes)
 *   sr25519      = sr25519PairFromSeed(mini-secret) — what @polkadot/keyring `addFromMnemonic(mnemonic)`
 *                  with type sr25519 makes, with no derivation path; address = SS58 format 42
 *   secp256k1    = the mini-secret itself as the secret scalar (rmb-rs `e2e::Pair`, rmb_direct_client
 *                  `createShared`); the twin's on-chain `pk` is its 33-byte compressed public key
 *
 * Loading @polkadot/util-crypto and its wasm is slow, so only grid commands load this module, dynamically.
 * The secrets live in private fields and never reach a string: JSON.stringify and util.inspect show the
 * public parts only.
 */
import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1';
import {
  cryptoWaitReady,
  decodeAddress,
  ed25519Verify,
  encodeAddress,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed,
  sr25519Sign,
  sr25519Verify,
} from '@polkadot/util-crypto';

export const SS58_FORMAT = 42;

/** How many peers' RMB keys an account keeps (a grid session talks to a few dozen nodes). */
const SHARED_KEYS_KEPT = 1024;

export class Grid3AccountError extends Error {
  override name = 'Grid3AccountError';
}

/** sr25519 (the chain's) and ed25519 verification need the wasm; every entry point here awaits it. */
export async function grid3CryptoReady(): Promise<void> {
  if (!(await cryptoWaitReady())) throw new Grid3AccountError('@polkadot/wasm-crypto failed to initialise');
}

export class Grid3Account {
  readonly address: string;
  readonly publicKey: Uint8Array;
  /** The secp256k1 public key, compressed (33 bytes): the twin's `pk` on chain. */
  readonly rmbPublicKey: Uint8Array;
  readonly #srSecret: Uint8Array;
  readonly #rmbSecret: Uint8Array;
  /** Derived RMB keys by peer public key (hex), oldest first. */
  readonly #shared = new Map<string, Uint8Array>();

  private constructor(publicKey: Uint8Array, srSecret: Uint8Array, rmbSecret: Uint8Array) {
    this.publicKey = publicKey;
    this.address = encodeAddress(publicKey, SS58_FORMAT);
    this.#srSecret = srSecret;
    this.#rmbSecret = rmbSecret;
    this.rmbPublicKey = secp256k1.getPublicKey(rmbSecret, true);
  }

  static async fromMnemonic(mnemonic: string): Promise<Grid3Account> {
    await grid3CryptoReady();
    // Only a bare BIP39 phrase: keyring would also take "//path" and raw seeds, which no TFChain twin uses
    // and which would silently make a different key.
    if (typeof mnemonic !== 'string' || !mnemonicValidate(mnemonic)) {
      throw new Grid3AccountError('not a valid BIP39 mnemonic');
    }
    const mini = mnemonicToMiniSecret(mnemonic);
    const pair = sr25519PairFromSeed(mini);
    // rmb_direct_client takes `slice(0, 32)` of the mini-secret, which is already 32 bytes.
    const rmbSecret = mini.slice(0, 32);
    mini.fill(0);
    if (!secp256k1.utils.isValidSecretKey(rmbSecret)) {
      // Probability ~2^-128; rmb-rs would refuse this phrase too.
      throw new Grid3AccountError('this mnemonic does not give a valid secp256k1 key');
    }
    return new Grid3Account(pair.publicKey, pair.secretKey, rmbSecret);
  }

  get rmbPublicKeyHex(): string {
    return '0x' + Buffer.from(this.rmbPublicKey).toString('hex');
  }

  /** sr25519 with signing context "substrate", as keyring's `pair.sign` (64 bytes, randomised). */
  sign(message: Uint8Array): Uint8Array {
    return sr25519Sign(message, { publicKey: this.publicKey, secretKey: this.#srSecret });
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return verifySr25519(message, signature, this.publicKey);
  }

  /**
   * The RMB end-to-end key with a peer: SHA-256 of the x coordinate of the ECDH point (rmb-rs
   * `Pair::shared`). Only the derived key leaves, never the secret scalar.
   */
  rmbSharedKey(peerPublicKey: Uint8Array): Uint8Array {
    // One ECDH per peer, not per message: the key of a pair never changes, and secp256k1 in JavaScript
    // costs milliseconds (listing 20 networks spent most of its time here, once per request and reply).
    const id = Buffer.from(peerPublicKey).toString('hex');
    const known = this.#shared.get(id);
    if (known) return new Uint8Array(known);
    const point = secp256k1.getSharedSecret(this.#rmbSecret, peerPublicKey, true);
    const key = new Uint8Array(createHash('sha256').update(point.subarray(1, 33)).digest());
    if (this.#shared.size >= SHARED_KEYS_KEPT) this.#shared.delete(this.#shared.keys().next().value!);
    this.#shared.set(id, key);
    return new Uint8Array(key);
  }

  toJSON(): { address: string; rmbPublicKey: string } {
    return { address: this.address, rmbPublicKey: this.rmbPublicKeyHex };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Grid3Account(${this.address})`;
  }
}

/** An account id as 32 bytes, from SS58 (any format, checksum checked) or 0x hex. */
export function accountPublicKey(accountId: string | Uint8Array): Uint8Array {
  if (accountId instanceof Uint8Array) {
    if (accountId.length !== 32) throw new Grid3AccountError('an account id is 32 bytes');
    return accountId;
  }
  try {
    const key = decodeAddress(accountId);
    if (key.length !== 32) throw new Error('length');
    return key;
  } catch {
    throw new Grid3AccountError('not an account id');
  }
}

/** Call after grid3CryptoReady(). A malformed signature or key is `false`, never a throw. */
export function verifySr25519(
  message: Uint8Array,
  signature: Uint8Array,
  accountId: string | Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  try {
    return sr25519Verify(message, signature, accountPublicKey(accountId));
  } catch {
    return false;
  }
}

export function verifyEd25519(
  message: Uint8Array,
  signature: Uint8Array,
  accountId: string | Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  try {
    return ed25519Verify(message, signature, accountPublicKey(accountId));
  } catch {
    return false;
  }
}
