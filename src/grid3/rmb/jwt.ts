/**
 * The relay login token (rmb-rs `token`, `identity::JwtSigner`; rmb_direct_client `Client.newJWT`): a JWT
 * whose "RS512" is a label only. The signature is 's' ‖ sr25519 over the ASCII of `header.claims` itself
 * (not its MD5, unlike an envelope), base64url without padding. The relay looks up `sub`'s chain account,
 * verifies, and refuses an expired token; the session is (sub, sid).
 */
import type { RmbSigner } from './signature.js';
import { prefixedSignature, verifyPrefixed } from './signature.js';

export interface RelayClaims {
  /** twin id */
  sub: number;
  iat: number;
  exp: number;
  /** session id; absent is the twin's default session (what rmb-peer and zos use) */
  sid?: string;
}

export class RelayTokenError extends Error {
  override name = 'RelayTokenError';
}

/** rmb_direct_client's token life. */
export const TOKEN_TTL_SECONDS = 1000;
const MAX_TOKEN = 4096;
// rmb_direct_client's header; rmb-rs writes {"alg":"RS512"}. The relay reads neither.
const HEADER = { alg: 'RS512', typ: 'JWT' };

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

export function relayToken(
  signer: RmbSigner,
  twinId: number,
  session: string | undefined,
  nowSeconds = Math.ceil(Date.now() / 1000),
  ttl = TOKEN_TTL_SECONDS,
): string {
  const claims: RelayClaims = { sub: twinId, iat: nowSeconds, exp: nowSeconds + ttl };
  // Same key order as rmb_direct_client, and `sid` left out when there is none, as JSON.stringify does.
  if (session !== undefined) claims.sid = session;
  const unsigned = `${b64u(JSON.stringify(HEADER))}.${b64u(JSON.stringify(claims))}`;
  return `${unsigned}.${b64u(prefixedSignature(signer, Buffer.from(unsigned, 'ascii')))}`;
}

/** Claims without checking the signature: the relay needs `sub` to know whose account verifies it. */
export function parseRelayToken(token: string, nowSeconds = Math.floor(Date.now() / 1000)): RelayClaims {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) throw new RelayTokenError('token too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p)))
    throw new RelayTokenError('not a JWT');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new RelayTokenError('JWT claims are not JSON');
  }
  if (typeof claims !== 'object' || claims === null)
    throw new RelayTokenError('JWT claims are not an object');
  const { sub, iat, exp, sid } = claims;
  if (!Number.isInteger(sub) || (sub as number) <= 0 || (sub as number) > 0xffffffff)
    throw new RelayTokenError('JWT sub is not a twin id');
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp))
    throw new RelayTokenError('JWT times missing');
  if (sid !== undefined && sid !== null && (typeof sid !== 'string' || sid.length > 256))
    throw new RelayTokenError('JWT sid is not a string');
  if (nowSeconds > (exp as number)) throw new RelayTokenError('JWT has expired');
  const out: RelayClaims = { sub: sub as number, iat: iat as number, exp: exp as number };
  if (typeof sid === 'string') out.sid = sid;
  return out;
}

/** Needs grid3CryptoReady() first. */
export function verifyRelayToken(token: string, accountId: string): boolean {
  const cut = token.lastIndexOf('.');
  if (cut < 0) return false;
  const signature = new Uint8Array(Buffer.from(token.slice(cut + 1), 'base64url'));
  return verifyPrefixed(Buffer.from(token.slice(0, cut), 'ascii'), signature, accountId);
}
