/**
 * The RMB envelope (rmb-rs `proto/types.proto`), encoded and decoded with protobufjs.
 *
 * Encoding writes the fields in the .proto's declaration order (uid … destination, the `message` oneof
 * 7 8 12 15 16, then signature 9, schema, federation, the payload oneof, relays), not protobufjs's
 * reflection encoder's field-number order: that is the order rmb_direct_client's google-protobuf code
 * writes, so the bytes are the same as the grid's own client's. Any order decodes the same.
 *
 * Decoding is of untrusted bytes: a size bound, numbers within range, bounded strings, and at most one
 * member of each oneof (protobuf would let the last one win; a sender never sets two, and a receiver and a
 * signer reading different members is exactly the ambiguity to refuse).
 */
import protobuf from 'protobufjs';

export interface RmbAddress {
  twin: number;
  connection?: string;
}

export type RmbMessage =
  | { kind: 'request'; command: string }
  | { kind: 'response' }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'ping' }
  | { kind: 'pong' };

export interface RmbPayload {
  kind: 'plain' | 'cipher';
  data: Uint8Array;
}

export interface Envelope {
  uid: string;
  tags?: string;
  /** Unix seconds. */
  timestamp: number;
  /** Seconds after `timestamp`. */
  expiration: number;
  source?: RmbAddress;
  destination?: RmbAddress;
  message?: RmbMessage;
  signature?: Uint8Array;
  schema?: string;
  federation?: string;
  payload?: RmbPayload;
  relays?: string[];
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

/** Larger than any zos reply (a deployment list); the relay and the client both bound frames by it. */
export const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024;
const MAX_SHORT = 256;
const MAX_TAGS = 1024;
const MAX_ERROR_MESSAGE = 64 * 1024;
const MAX_RELAYS = 16;
const MAX_SIGNATURE = 128;

/** types.proto's field numbers (Request.command = 1, Error.code = 1 / message = 2, Address.twin = 1 /
 * connection = 2 in the nested messages). */
const FIELD = {
  uid: 1,
  tags: 2,
  timestamp: 3,
  expiration: 4,
  source: 5,
  destination: 6,
  request: 7,
  response: 8,
  error: 12,
  ping: 15,
  pong: 16,
  signature: 9,
  schema: 10,
  federation: 11,
  plain: 13,
  cipher: 14,
  relays: 17,
} as const;
const MESSAGE_FIELDS: Record<number, RmbMessage['kind']> = {
  [FIELD.request]: 'request',
  [FIELD.response]: 'response',
  [FIELD.error]: 'error',
  [FIELD.ping]: 'ping',
  [FIELD.pong]: 'pong',
};

const LEN = 2;
const VARINT = 0;
const tag = (w: protobuf.Writer, field: number, wire: number) => w.uint32(((field << 3) | wire) >>> 0);

function writeAddress(w: protobuf.Writer, field: number, a: RmbAddress): void {
  tag(w, field, LEN).fork();
  if (a.twin !== 0) tag(w, 1, VARINT).uint32(a.twin);
  if (a.connection !== undefined) tag(w, 2, LEN).string(a.connection);
  w.ldelim();
}

/** proto3 semantics as both peers have them: zero scalars and empty repeated fields are not written. */
export function encodeEnvelope(e: Envelope): Uint8Array {
  checkEnvelope(e);
  const w = protobuf.Writer.create();
  if (e.uid.length) tag(w, 1, LEN).string(e.uid);
  if (e.tags !== undefined) tag(w, 2, LEN).string(e.tags);
  if (e.timestamp !== 0) tag(w, 3, VARINT).uint64(e.timestamp);
  if (e.expiration !== 0) tag(w, 4, VARINT).uint64(e.expiration);
  if (e.source) writeAddress(w, 5, e.source);
  if (e.destination) writeAddress(w, 6, e.destination);
  const m = e.message;
  if (m) {
    const field = FIELD[m.kind];
    tag(w, field, LEN).fork();
    if (m.kind === 'request' && m.command.length) tag(w, 1, LEN).string(m.command);
    if (m.kind === 'error') {
      if (m.code !== 0) tag(w, 1, VARINT).uint32(m.code);
      if (m.message.length) tag(w, 2, LEN).string(m.message);
    }
    w.ldelim();
  }
  if (e.signature !== undefined) tag(w, 9, LEN).bytes(e.signature);
  if (e.schema !== undefined) tag(w, 10, LEN).string(e.schema);
  if (e.federation !== undefined) tag(w, 11, LEN).string(e.federation);
  if (e.payload) tag(w, e.payload.kind === 'plain' ? 13 : 14, LEN).bytes(e.payload.data);
  for (const r of e.relays ?? []) tag(w, 17, LEN).string(r);
  return w.finish();
}

const isU32 = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;
const isSeconds = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
// A lone surrogate has no UTF-8 form: the bytes sent and the text signed would disagree.
const LONE_SURROGATE = /\p{Cs}/u;
function bounded(name: string, s: unknown, max: number): void {
  if (typeof s !== 'string' || s.length > max || LONE_SURROGATE.test(s))
    throw new EnvelopeError(`envelope ${name} is not a string of at most ${max}`);
}

/** What an envelope must satisfy to be sent or accepted (shapes and bounds, not meaning). */
export function checkEnvelope(e: Envelope): void {
  bounded('uid', e.uid, MAX_SHORT);
  if (e.tags !== undefined) bounded('tags', e.tags, MAX_TAGS);
  if (!isSeconds(e.timestamp) || !isSeconds(e.expiration))
    throw new EnvelopeError('envelope time out of range');
  for (const [name, a] of [
    ['source', e.source],
    ['destination', e.destination],
  ] as const) {
    if (a === undefined) continue;
    if (!isU32(a.twin)) throw new EnvelopeError(`envelope ${name} twin out of range`);
    if (a.connection !== undefined) bounded(`${name} connection`, a.connection, MAX_SHORT);
  }
  const m = e.message;
  if (m?.kind === 'request') bounded('command', m.command, MAX_SHORT);
  if (m?.kind === 'error') {
    if (!isU32(m.code)) throw new EnvelopeError('envelope error code out of range');
    bounded('error message', m.message, MAX_ERROR_MESSAGE);
  }
  if (
    e.signature !== undefined &&
    (!(e.signature instanceof Uint8Array) || e.signature.length > MAX_SIGNATURE)
  )
    throw new EnvelopeError('envelope signature too long');
  if (e.schema !== undefined) bounded('schema', e.schema, MAX_SHORT);
  if (e.federation !== undefined) bounded('federation', e.federation, MAX_SHORT);
  if (e.payload !== undefined && !(e.payload.data instanceof Uint8Array))
    throw new EnvelopeError('envelope payload is not bytes');
  if (e.relays !== undefined) {
    if (!Array.isArray(e.relays) || e.relays.length > MAX_RELAYS)
      throw new EnvelopeError('too many envelope relays');
    for (const r of e.relays) bounded('relay', r, MAX_SHORT);
  }
}

function fail(what: string): never {
  throw new EnvelopeError(`not an RMB envelope: ${what}`);
}

/**
 * A hand-written reader over protobufjs's Reader rather than a reflected Type: protobufjs's decoder lets a
 * later oneof member silently replace an earlier one and drops proto3 empty strings, and an envelope must
 * keep `connection: ""` (it is a distinct session) and refuse two members.
 */
class Fields {
  readonly r: protobuf.Reader;
  constructor(bytes: Uint8Array) {
    this.r = protobuf.Reader.create(bytes);
  }
  *each(): Generator<[number, number]> {
    while (this.r.pos < this.r.len) {
      const t = this.r.uint32();
      const field = t >>> 3;
      if (field === 0) fail('field 0');
      yield [field, t & 7];
    }
  }
  want(wire: number, expected: number): void {
    if (wire !== expected) fail('wrong wire type');
  }
  sub(wire: number): Fields {
    this.want(wire, LEN);
    const b = this.r.bytes();
    return new Fields(b);
  }
  skip(wire: number): void {
    this.r.skipType(wire);
  }
}

function readSeconds(f: Fields, wire: number): number {
  f.want(wire, VARINT);
  // uint64 arrives as a Long; anything beyond 2^53 is no real clock.
  const n = Number(f.r.uint64().toString());
  if (!isSeconds(n)) throw new EnvelopeError('envelope time out of range');
  return n;
}

function readAddress(f: Fields): RmbAddress {
  const a: RmbAddress = { twin: 0 };
  for (const [field, wire] of f.each()) {
    if (field === 1) {
      f.want(wire, VARINT);
      a.twin = f.r.uint32();
    } else if (field === 2) {
      f.want(wire, LEN);
      a.connection = f.r.string();
    } else f.skip(wire);
  }
  return a;
}

function readMessage(kind: RmbMessage['kind'], f: Fields): RmbMessage {
  if (kind === 'request') {
    let command = '';
    for (const [field, wire] of f.each()) {
      if (field === 1) {
        f.want(wire, LEN);
        command = f.r.string();
      } else f.skip(wire);
    }
    return { kind, command };
  }
  if (kind === 'error') {
    let code = 0;
    let message = '';
    for (const [field, wire] of f.each()) {
      if (field === 1) {
        f.want(wire, VARINT);
        code = f.r.uint32();
      } else if (field === 2) {
        f.want(wire, LEN);
        message = f.r.string();
      } else f.skip(wire);
    }
    return { kind, code, message };
  }
  for (const [, wire] of f.each()) f.skip(wire);
  return { kind };
}

export function decodeEnvelope(bytes: Uint8Array, maxBytes = MAX_ENVELOPE_BYTES): Envelope {
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('envelope is not bytes');
  if (bytes.length > maxBytes) throw new EnvelopeError(`envelope larger than ${maxBytes} bytes`);
  const e: Envelope = { uid: '', timestamp: 0, expiration: 0 };
  const relays: string[] = [];
  try {
    const f = new Fields(bytes);
    for (const [field, wire] of f.each()) {
      const kind = MESSAGE_FIELDS[field];
      if (kind) {
        if (e.message && e.message.kind !== kind)
          throw new EnvelopeError('envelope sets two members of a oneof');
        e.message = readMessage(kind, f.sub(wire));
        continue;
      }
      switch (field) {
        case FIELD.uid:
          f.want(wire, LEN);
          e.uid = f.r.string();
          break;
        case FIELD.tags:
          f.want(wire, LEN);
          e.tags = f.r.string();
          break;
        case FIELD.timestamp:
          e.timestamp = readSeconds(f, wire);
          break;
        case FIELD.expiration:
          e.expiration = readSeconds(f, wire);
          break;
        case FIELD.source:
          e.source = readAddress(f.sub(wire));
          break;
        case FIELD.destination:
          e.destination = readAddress(f.sub(wire));
          break;
        case FIELD.signature:
          f.want(wire, LEN);
          e.signature = new Uint8Array(f.r.bytes());
          break;
        case FIELD.schema:
          f.want(wire, LEN);
          e.schema = f.r.string();
          break;
        case FIELD.federation:
          f.want(wire, LEN);
          e.federation = f.r.string();
          break;
        case FIELD.plain:
        case FIELD.cipher: {
          const k = field === FIELD.plain ? 'plain' : 'cipher';
          if (e.payload && e.payload.kind !== k)
            throw new EnvelopeError('envelope sets two members of a oneof');
          f.want(wire, LEN);
          e.payload = { kind: k, data: new Uint8Array(f.r.bytes()) };
          break;
        }
        case FIELD.relays:
          f.want(wire, LEN);
          if (relays.length >= MAX_RELAYS) throw new EnvelopeError('too many envelope relays');
          relays.push(f.r.string());
          break;
        default:
          f.skip(wire);
      }
    }
  } catch (err) {
    if (err instanceof EnvelopeError) throw err;
    fail((err as Error).message);
  }
  if (relays.length) e.relays = relays;
  checkEnvelope(e);
  return e;
}

/** The relay's rule (rmb-rs `ttl`): alive while timestamp + expiration is in the future. */
export function isExpired(e: Envelope, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  return e.timestamp + e.expiration <= nowSeconds;
}

export function sameAddress(a: RmbAddress | undefined, b: RmbAddress | undefined): boolean {
  return (a?.twin ?? 0) === (b?.twin ?? 0) && a?.connection === b?.connection;
}

export function formatAddress(a: RmbAddress | undefined): string {
  if (!a) return '(none)';
  return a.connection === undefined ? `${a.twin}` : `${a.twin}:${a.connection}`;
}
