/**
 * The helper's wire protocol: newline-delimited JSON over a Unix socket, one reply per request, in order.
 * Requests carry the protocol version and an id the reply echoes. The operations are deliberately few and
 * take no command, path or file name: `up` (a config's text and an interface name), `down`, `status`,
 * `version` and `subscribe` (state-change events on the same connection). Every answer about tunnels
 * covers the asking user's own only (the helper knows who asks: see peer.ts).
 *
 * `up` is one round trip: it names the caller's other interfaces whose routes overlap this one's
 * (`conflicts`, computed from the caller's store), is refused if one of them is up, and its reply carries
 * the caller's links as they are right after.
 */
import { isValidInterfaceName } from '../core/wgconf/interface-name.js';
import type { LinkState } from '../core/tunnels/tunnel-driver.js';

export const PROTOCOL_VERSION = 1;
/** Largest request line, newline excluded. A config with hundreds of peers fits; anything else is abuse. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** At most this many interfaces in an `up` request's `conflicts`. */
export const MAX_CONFLICTS = 256;

export type Request =
  | { v: 1; id: number; op: 'up'; iface: string; config: string; conflicts?: string[] }
  | { v: 1; id: number; op: 'down'; iface: string }
  | { v: 1; id: number; op: 'status' | 'version' | 'subscribe' };

export type ErrorCode =
  | 'bad-request'
  | 'too-large'
  | 'refused'
  | 'invalid-config'
  | 'failed'
  | 'busy'
  /** A limit of the helper (connections, subscriptions, tunnels per user): the message names it. */
  | 'limit'
  /** The interface exists and is not this caller's tunnel with this config. */
  | 'in-use'
  /** One of the request's `conflicts` is up: `iface` names it. */
  | 'conflict';

export type Reply =
  | { v: 1; id: number | null; ok: true; result: unknown }
  | { v: 1; id: number | null; ok: false; code: ErrorCode; error: string; iface?: string };

/** The result of `up`: the caller's links right after it. */
export interface UpResult {
  iface: string;
  links: LinkState[];
}

export interface LinksEvent {
  v: 1;
  event: 'links';
  links: LinkState[];
}

export interface VersionInfo {
  version: string;
  protocol: number;
  netns: string | null;
}

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly id: number | null = null,
    readonly iface?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const FIELDS: Record<Request['op'], string[]> = {
  up: ['v', 'id', 'op', 'iface', 'config', 'conflicts'],
  down: ['v', 'id', 'op', 'iface'],
  status: ['v', 'id', 'op'],
  version: ['v', 'id', 'op'],
  subscribe: ['v', 'id', 'op'],
};

/** Parses one request line; anything but an exact, known request is a ProtocolError. */
export function parseRequest(line: string): Request {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError('bad-request', 'The request is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError('bad-request', 'The request must be a JSON object');
  const r = value as Record<string, unknown>;
  const id = Number.isSafeInteger(r.id) && (r.id as number) >= 0 ? (r.id as number) : null;
  if (id === null) throw new ProtocolError('bad-request', '"id" must be a non-negative integer');
  if (r.v !== PROTOCOL_VERSION)
    throw new ProtocolError(
      'bad-request',
      `Unsupported protocol version ${JSON.stringify(r.v)} (this helper speaks ${PROTOCOL_VERSION})`,
      id,
    );
  if (typeof r.op !== 'string' || !Object.hasOwn(FIELDS, r.op))
    throw new ProtocolError('bad-request', `Unknown operation ${JSON.stringify(r.op)}`, id);
  const op = r.op as Request['op'];
  const extra = Object.keys(r).find((k) => !FIELDS[op].includes(k));
  if (extra !== undefined)
    throw new ProtocolError('bad-request', `"${op}" takes no field ${JSON.stringify(extra)}`, id);
  if (op === 'up' || op === 'down') {
    if (typeof r.iface !== 'string' || !isValidInterfaceName(r.iface)) {
      throw new ProtocolError(
        'bad-request',
        '"iface" must be an interface name: 1 to 15 letters, digits or _=+.-',
        id,
      );
    }
  }
  if (op === 'up') {
    if (typeof r.config !== 'string')
      throw new ProtocolError('bad-request', '"config" must be the text of a config', id);
    const c = r.conflicts;
    if (
      c !== undefined &&
      !(
        Array.isArray(c) &&
        c.length <= MAX_CONFLICTS &&
        c.every((n) => typeof n === 'string' && isValidInterfaceName(n))
      )
    )
      throw new ProtocolError(
        'bad-request',
        `"conflicts" must be a list of at most ${MAX_CONFLICTS} interface names`,
        id,
      );
    return { v: 1, id, op, iface: r.iface as string, config: r.config, ...(c ? { conflicts: c } : {}) };
  }
  if (op === 'down') return { v: 1, id, op, iface: r.iface as string };
  return { v: 1, id, op };
}

export function encode(message: Reply | LinksEvent | Request): string {
  return JSON.stringify(message) + '\n';
}

/** Where clients look for the helper when not told otherwise. */
export function defaultSocketPath(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? '/var/run/overlay-connect/helper.sock' : '/run/overlay-connect/helper.sock';
}

export const HELPER_GROUP = 'overlay-connect';
export const POLICY_PATH = '/etc/overlay-connect/helper.json';
