/** ed25519 identities: the user's (signs reservations) and, in the devnet, the nodes'. */
import bs58 from 'bs58';
import nacl from 'tweetnacl';

export interface Ed25519Identity {
  seed: Uint8Array;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function identityFromSeed(seed: Uint8Array): Ed25519Identity {
  if (seed.length !== 32) throw new Error('an ed25519 seed has 32 bytes');
  const kp = nacl.sign.keyPair.fromSeed(seed);
  return { seed: new Uint8Array(seed), publicKey: kp.publicKey, secretKey: kp.secretKey };
}

export function newIdentity(): Ed25519Identity {
  return identityFromSeed(nacl.randomBytes(32));
}

/** Hex of the detached signature over the UTF-8 bytes of `text`, as tfexplorer verifies it. */
export function signHex(identity: Ed25519Identity, text: string): string {
  return Buffer.from(nacl.sign.detached(new TextEncoder().encode(text), identity.secretKey)).toString('hex');
}

export function verifyHex(publicKeyHex: string, text: string, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signatureHex) || !/^[0-9a-f]{64}$/i.test(publicKeyHex)) return false;
  return nacl.sign.detached.verify(
    new TextEncoder().encode(text),
    Buffer.from(signatureHex, 'hex'),
    Buffer.from(publicKeyHex, 'hex'),
  );
}

/** A node id is the base58 of its ed25519 public key. */
export function nodeIdOf(publicKey: Uint8Array): string {
  return bs58.encode(publicKey);
}

export const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
