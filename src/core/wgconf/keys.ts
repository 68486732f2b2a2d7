import nacl from 'tweetnacl';

/** 32-byte keys in base64 are 44 characters; the last group encodes only 1 byte + 2 padding bits, so the
 * 43rd character must have its two low bits clear (wg's key_from_base64 checks the same). */
const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isWgKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

/** Why `text` is not a usable key, in words a user can act on; undefined when it is one. Node's base64
 * decoder accepts garbage, so the text itself is checked. */
export function keyProblem(keyName: string, text: string): string | undefined {
  if (KEY_PATTERN.test(text)) return undefined;
  if (/your|here|xxx|change.?me|insert|paste|<|>|\.\.\./i.test(text) || /^[A-Z_]+$/.test(text)) {
    return `${keyName} \`${text}\` is a placeholder, not a key: paste the real key (44 characters of base64 ending in '=')`;
  }
  if (/[-_]/.test(text)) {
    return `${keyName} contains '-' or '_' (base64url): WireGuard keys use standard base64 with '+' and '/'`;
  }
  if (text.length !== 44) {
    return `${keyName} must be 44 characters of base64 ending in '=' (this one has ${text.length})`;
  }
  return `${keyName} is not a valid WireGuard key (44 base64 characters; the 43rd must be one of AEIMQUYcgkosw048)`;
}

export function keyToBytes(text: string): Uint8Array {
  if (!isWgKey(text)) throw new Error('not a WireGuard key');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function bytesToKey(bytes: Uint8Array): string {
  if (bytes.length !== 32) throw new Error('a WireGuard key has 32 bytes');
  return Buffer.from(bytes).toString('base64');
}

/** Curve25519 clamping, as `wg genkey` applies it, so our private keys are byte-identical in form. */
function clamp(secret: Uint8Array): Uint8Array {
  const out = new Uint8Array(secret);
  out[0]! &= 248;
  out[31] = (out[31]! & 127) | 64;
  return out;
}

export function publicKeyOf(privateKey: string): string {
  return bytesToKey(nacl.scalarMult.base(keyToBytes(privateKey)));
}

export interface WgKeyPair {
  privateKey: string;
  publicKey: string;
}

export function generateKeyPair(): WgKeyPair {
  const secret = clamp(nacl.randomBytes(32));
  return { privateKey: bytesToKey(secret), publicKey: bytesToKey(nacl.scalarMult.base(secret)) };
}
