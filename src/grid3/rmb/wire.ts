/**
 * How an RMB peer writes and reads the bodies of its requests and replies: JSON, encrypted for the other
 * twin when it has an RMB public key (plain otherwise, as rmb-peer does), and the limits and clock both the
 * asking and the serving side of the client apply to them.
 */
import { decryptPayload, encryptPayload, parseTwinPk, type RmbKeyAgreement } from './e2e.js';
import { encodeEnvelope, type Envelope, type RmbPayload } from './envelope.js';
import { RmbError } from './errors.js';
import { type RmbSigner, signEnvelope } from './signature.js';

export interface RmbIdentity extends RmbSigner, RmbKeyAgreement {
  readonly rmbPublicKey: Uint8Array;
}

export const SCHEMA = 'application/json';
/** Remote error text is cut to this, both in what we send and in the messages we build from theirs. */
export const MAX_ERROR_TEXT = 4096;

/** Unix seconds, the envelopes' clock. */
export const now = () => Math.floor(Date.now() / 1000);

export function encodeJson(v: unknown): Uint8Array {
  return v === undefined ? new Uint8Array() : new Uint8Array(Buffer.from(JSON.stringify(v), 'utf8'));
}
export function decodeJson(b: Uint8Array): unknown {
  if (b.length === 0) return undefined;
  return JSON.parse(Buffer.from(b).toString('utf8')) as unknown;
}

/**
 * An envelope as this peer sends it, request or reply: stamped now, our JSON schema, the body (if any)
 * sealed for the peer whose key the caller parsed (`peerPk`), signed by us, encoded.
 */
export function signedEnvelope(
  identity: RmbIdentity,
  head: Pick<Envelope, 'uid' | 'expiration' | 'source' | 'destination' | 'message'>,
  peerPk: Uint8Array | undefined,
  body: Uint8Array | undefined,
): Uint8Array {
  const e: Envelope = {
    uid: head.uid,
    timestamp: now(),
    expiration: head.expiration,
    source: head.source,
    destination: head.destination,
    message: head.message,
    schema: SCHEMA,
  };
  if (body?.length) e.payload = sealPayload(identity, peerPk, body);
  return encodeEnvelope(signEnvelope(e, identity));
}

function sealPayload(
  identity: RmbKeyAgreement,
  peerPk: Uint8Array | undefined,
  body: Uint8Array,
): RmbPayload {
  return peerPk
    ? { kind: 'cipher', data: encryptPayload(identity, peerPk, body) }
    : { kind: 'plain', data: body };
}

export function openPayload(
  identity: RmbKeyAgreement,
  e: Envelope,
  senderPk: Uint8Array | string | null | undefined,
): Uint8Array {
  if (!e.payload) return new Uint8Array();
  if (e.payload.kind === 'plain') return e.payload.data;
  const pk = parseTwinPk(senderPk);
  if (!pk) throw new RmbError('encrypted, but the sender has no RMB public key');
  return decryptPayload(identity, pk, e.payload.data);
}
