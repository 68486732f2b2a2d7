/**
 * An RMB peer over a relay websocket: it sends requests to twins and matches their replies by uid, and it
 * answers requests addressed to it (`serve`), which is what a node agent does for `zos.*` commands.
 *
 * Compared with rmb_direct_client, on purpose: no chain access (twins come from an injected directory and
 * the twin's pk/relay are never written), no process signal handlers or exit, nonces from the CSPRNG, a
 * reply is accepted only from the twin the request went to and with a signature of that twin's account,
 * and `close()` leaves no timer or socket behind.
 *
 * Timeouts follow grid_client: 20 s per attempt, one retry with a fresh uid; a late reply to the first
 * attempt still settles the call.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { grid3CryptoReady } from '../../core/grid3/account.js';
import { decryptPayload, encryptPayload, parseTwinPk, type RmbKeyAgreement } from './e2e.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  isExpired,
  MAX_ENVELOPE_BYTES,
  type RmbAddress,
} from './envelope.js';
import { relayToken } from './jwt.js';
import { type RmbSigner, signEnvelope, verifyEnvelope } from './signature.js';
import type { TwinDirectory } from './twins.js';

export class RmbError extends Error {
  override name = 'RmbError';
}
export class RmbTimeoutError extends RmbError {
  override name = 'RmbTimeoutError';
  constructor(
    readonly twin: number,
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}
/** The remote twin (or the relay, `fromRelay`) answered with an RMB error. */
export class RmbRemoteError extends RmbError {
  override name = 'RmbRemoteError';
  constructor(
    readonly code: number,
    readonly remoteMessage: string,
    readonly fromRelay: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface RmbIdentity extends RmbSigner, RmbKeyAgreement {
  readonly rmbPublicKey: Uint8Array;
}

export interface RmbClientOptions {
  /** ws:// or wss:// */
  relayUrl: string;
  twinId: number;
  /** The relay session id (JWT `sid`, envelope source connection); absent is the twin's default session. */
  session?: string;
  identity: RmbIdentity;
  twins: TwinDirectory;
  timeoutMs?: number;
  retries?: number;
  /** App-level ping to the relay; 0 turns it off. */
  pingIntervalMs?: number;
  connectTimeoutMs?: number;
  maxMessageBytes?: number;
  /** Delay before reconnecting after the relay drops us. */
  reconnectDelayMs?: number;
}

export interface RequestContext {
  source: RmbAddress;
  command: string;
}
export type RmbHandler = (payload: unknown, ctx: RequestContext) => unknown;

/** Remote errors a handler can choose (`throw new RmbHandlerError(code, msg)`); other throws are code 1. */
export class RmbHandlerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Call {
  command: string;
  dst: RmbAddress;
  uids: Set<string>;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_PING_MS = 20_000;
const MAX_SERVING = 64;
const MAX_REMEMBERED = 10_000;
const MAX_ERROR_TEXT = 4096;
const SCHEMA = 'application/json';
// Requests whose clock is this far off still count as alive: the twins' clocks are not ours.
const SKEW_SECONDS = 60;

const now = () => Math.floor(Date.now() / 1000);

function encodeJson(v: unknown): Uint8Array {
  return v === undefined ? new Uint8Array() : new Uint8Array(Buffer.from(JSON.stringify(v), 'utf8'));
}
function decodeJson(b: Uint8Array): unknown {
  if (b.length === 0) return undefined;
  return JSON.parse(Buffer.from(b).toString('utf8')) as unknown;
}

export class RmbClient {
  readonly #o: Required<Omit<RmbClientOptions, 'session'>> & { session?: string };
  #ws: WebSocket | undefined;
  #opening: Promise<WebSocket> | undefined;
  #closed = false;
  #calls = new Map<string, Call>();
  #pings = new Map<string, () => void>();
  #handlers = new Map<string, RmbHandler>();
  #serving = 0;
  /** Requests already answered (`twin:uid` → expiry), so a replayed envelope is not run twice. */
  #served = new Map<string, number>();
  #pingTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #timers = new Set<NodeJS.Timeout>();

  private constructor(o: RmbClientOptions) {
    const url = new URL(o.relayUrl);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
      throw new RmbError('the relay URL is ws:// or wss://');
    if (!Number.isInteger(o.twinId) || o.twinId <= 0 || o.twinId > 0xffffffff)
      throw new RmbError('bad twin id');
    this.#o = {
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retries: 1,
      pingIntervalMs: DEFAULT_PING_MS,
      connectTimeoutMs: 10_000,
      maxMessageBytes: MAX_ENVELOPE_BYTES,
      reconnectDelayMs: 1_000,
      ...o,
    };
  }

  static async connect(o: RmbClientOptions): Promise<RmbClient> {
    await grid3CryptoReady();
    const c = new RmbClient(o);
    await c.#open();
    return c;
  }

  get address(): RmbAddress {
    return this.#o.session === undefined
      ? { twin: this.#o.twinId }
      : { twin: this.#o.twinId, connection: this.#o.session };
  }

  /** Answer requests for these commands (added to any already served). Unknown commands get an error. */
  serve(handlers: Record<string, RmbHandler>): void {
    for (const [k, h] of Object.entries(handlers)) this.#handlers.set(k, h);
  }

  async request(
    destination: number | RmbAddress,
    command: string,
    payload?: unknown,
    opts: { timeoutMs?: number; retries?: number } = {},
  ): Promise<unknown> {
    if (this.#closed) throw new RmbError('RMB client is closed');
    const dst: RmbAddress = typeof destination === 'number' ? { twin: destination } : { ...destination };
    const twin = await this.#o.twins.get(dst.twin);
    if (!twin) throw new RmbError(`twin ${dst.twin} is unknown`);
    if (this.#closed) throw new RmbError('RMB client is closed');
    const timeoutMs = opts.timeoutMs ?? this.#o.timeoutMs;
    const attempts = 1 + Math.max(0, opts.retries ?? this.#o.retries);
    const body = encodeJson(payload);
    const pk = parseTwinPk(twin.pk);
    const build = (uid: string): Uint8Array => {
      const e: Envelope = {
        uid,
        timestamp: now(),
        expiration: Math.max(1, Math.ceil(timeoutMs / 1000)),
        source: this.address,
        destination: dst,
        message: { kind: 'request', command },
        schema: SCHEMA,
      };
      if (body.length)
        e.payload = pk
          ? { kind: 'cipher', data: encryptPayload(this.#o.identity, pk, body) }
          : { kind: 'plain', data: body };
      return encodeEnvelope(signEnvelope(e, this.#o.identity));
    };

    return new Promise<unknown>((resolve, reject) => {
      let attempt = 0;
      const call: Call = {
        command,
        dst,
        uids: new Set(),
        resolve: (v) => {
          this.#settle(call);
          resolve(v);
        },
        reject: (err) => {
          this.#settle(call);
          reject(err);
        },
      };
      const send = () => {
        attempt += 1;
        const uid = randomUUID();
        call.uids.add(uid);
        this.#calls.set(uid, call);
        call.timer = setTimeout(() => {
          if (this.#closed) return;
          if (attempt < attempts) send();
          else
            call.reject(
              new RmbTimeoutError(
                dst.twin,
                command,
                `no reply from twin ${dst.twin} to ${command} within ${timeoutMs / 1000} s (${attempts} attempt${attempts > 1 ? 's' : ''})`,
              ),
            );
        }, timeoutMs);
        // A send that fails (relay down) is left to the attempt's timer: the retry may find it back.
        this.#send(build(uid)).catch(() => undefined);
      };
      send();
    });
  }

  /** Round trip to the relay (its envelope pong). */
  async ping(timeoutMs = this.#o.timeoutMs): Promise<void> {
    const uid = randomUUID();
    const bytes = encodeEnvelope({
      uid,
      timestamp: now(),
      expiration: Math.max(1, Math.ceil(timeoutMs / 1000)),
      source: this.address,
      destination: { twin: 0 },
      message: { kind: 'ping' },
    });
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(t);
        this.#timers.delete(t);
        this.#pings.delete(uid);
        if (err) reject(err);
        else resolve();
      };
      const t = setTimeout(
        () => done(new RmbError(`the relay did not answer a ping within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.#timers.add(t);
      this.#pings.set(uid, () => done());
      this.#send(bytes).catch((err: Error) => done(err));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#reconnectTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const call of new Set(this.#calls.values())) call.reject(new RmbError('RMB client closed'));
    this.#pings.clear();
    const ws = this.#ws;
    this.#ws = undefined;
    await this.#opening?.catch(() => undefined);
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => ws.terminate(), 1000);
        ws.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        ws.close();
      });
    }
  }

  #settle(call: Call): void {
    clearTimeout(call.timer);
    for (const uid of call.uids) this.#calls.delete(uid);
  }

  async #send(bytes: Uint8Array): Promise<void> {
    const ws = this.#ws?.readyState === WebSocket.OPEN ? this.#ws : await this.#open();
    await new Promise<void>((resolve, reject) => ws.send(bytes, (err) => (err ? reject(err) : resolve())));
  }

  #open(): Promise<WebSocket> {
    if (this.#closed) return Promise.reject(new RmbError('RMB client is closed'));
    if (this.#opening) return this.#opening;
    if (this.#ws?.readyState === WebSocket.OPEN) return Promise.resolve(this.#ws);
    const token = relayToken(this.#o.identity, this.#o.twinId, this.#o.session);
    const url = `${this.#o.relayUrl}?${token}`;
    this.#opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, {
        maxPayload: this.#o.maxMessageBytes,
        handshakeTimeout: this.#o.connectTimeoutMs,
      });
      const fail = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        // The URL carries the token: name the relay only.
        reject(
          new RmbError(`cannot connect to the RMB relay ${new URL(this.#o.relayUrl).host}: ${err.message}`),
        );
      };
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        ws.on('error', () => undefined);
        ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
        ws.once('close', () => this.#onClose(ws));
        if (this.#closed) {
          ws.close();
          reject(new RmbError('RMB client is closed'));
          return;
        }
        this.#ws = ws;
        this.#schedulePing();
        resolve(ws);
      });
    }).finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  #onClose(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    clearTimeout(this.#pingTimer);
    if (this.#closed) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open().catch(() => this.#onReconnectFailed());
    }, this.#o.reconnectDelayMs);
  }

  #onReconnectFailed(): void {
    if (this.#closed || this.#reconnectTimer) return;
    this.#reconnectTimer = setTimeout(
      () => {
        this.#reconnectTimer = undefined;
        this.#open().catch(() => this.#onReconnectFailed());
      },
      Math.max(this.#o.reconnectDelayMs, 5_000),
    );
  }

  #schedulePing(): void {
    if (!this.#o.pingIntervalMs || this.#closed) return;
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(() => {
      const ws = this.#ws;
      this.ping(this.#o.pingIntervalMs)
        .then(() => this.#schedulePing())
        // No pong: the connection is dead even if TCP has not noticed; dropping it reconnects.
        .catch(() => ws?.terminate());
    }, this.#o.pingIntervalMs);
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (!isBinary) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    let e: Envelope;
    try {
      e = decodeEnvelope(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), this.#o.maxMessageBytes);
    } catch {
      return;
    }
    switch (e.message?.kind) {
      case 'pong':
        this.#pings.get(e.uid)?.();
        return;
      case 'request':
        void this.#serveRequest(e).catch(() => undefined);
        return;
      case 'response':
      case 'error':
        void this.#onReply(e).catch(() => undefined);
        return;
      default:
        return;
    }
  }

  async #onReply(e: Envelope): Promise<void> {
    const call = this.#calls.get(e.uid);
    if (!call) return;
    const m = e.message;
    // The relay's own errors (rmb-rs `build_error_envelope`) carry no source and no signature.
    if (m?.kind === 'error' && !e.source?.twin && e.signature === undefined) {
      call.reject(
        new RmbRemoteError(
          m.code,
          m.message,
          true,
          `the relay refused ${call.command} to twin ${call.dst.twin}: ${m.message.slice(0, MAX_ERROR_TEXT)}`,
        ),
      );
      return;
    }
    // Only the twin (and session, if one was named) we asked can answer; anything else is not a reply.
    if (e.source?.twin !== call.dst.twin) return;
    if (call.dst.connection !== undefined && e.source.connection !== call.dst.connection) return;
    const twin = await this.#o.twins.get(e.source.twin);
    if (!this.#calls.has(e.uid)) return;
    if (!twin || !verifyEnvelope(e, twin.accountId)) {
      call.reject(
        new RmbError(
          `the reply from twin ${call.dst.twin} to ${call.command} is not signed by its account; refused`,
        ),
      );
      return;
    }
    if (m?.kind === 'error') {
      call.reject(
        new RmbRemoteError(
          m.code,
          m.message,
          false,
          `twin ${call.dst.twin} answered ${call.command} with error ${m.code}: ${m.message.slice(0, MAX_ERROR_TEXT)}`,
        ),
      );
      return;
    }
    try {
      call.resolve(decodeJson(this.#openPayload(e, twin.pk)));
    } catch (err) {
      call.reject(
        new RmbError(`the reply from twin ${call.dst.twin} to ${call.command}: ${(err as Error).message}`),
      );
    }
  }

  /** False if seen already. Entries go once their envelope could no longer be accepted anyway. */
  #remember(key: string, until: number): boolean {
    if (this.#served.has(key)) return false;
    if (this.#served.size >= MAX_REMEMBERED) {
      const t = now();
      for (const [k, exp] of this.#served) if (exp < t) this.#served.delete(k);
      // Still full of live entries: forget the oldest rather than refuse new work.
      while (this.#served.size >= MAX_REMEMBERED) this.#served.delete(this.#served.keys().next().value!);
    }
    this.#served.set(key, until);
    return true;
  }

  #openPayload(e: Envelope, senderPk: Uint8Array | string | null | undefined): Uint8Array {
    if (!e.payload) return new Uint8Array();
    if (e.payload.kind === 'plain') return e.payload.data;
    const pk = parseTwinPk(senderPk);
    if (!pk) throw new RmbError('encrypted, but the sender has no RMB public key');
    return decryptPayload(this.#o.identity, pk, e.payload.data);
  }

  async #serveRequest(e: Envelope): Promise<void> {
    const src = e.source;
    if (!src?.twin || e.message?.kind !== 'request') return;
    if (isExpired(e, now() - SKEW_SECONDS) || this.#serving >= MAX_SERVING) return;
    this.#serving += 1;
    try {
      const twin = await this.#o.twins.get(src.twin);
      // Unsigned or forged requests are dropped, as rmb-peer does: answering them would let anyone
      // reflect traffic at a twin.
      if (!twin || !verifyEnvelope(e, twin.accountId)) return;
      if (!this.#remember(`${src.twin}:${e.uid}`, e.timestamp + e.expiration + SKEW_SECONDS)) return;
      const command = e.message.command;
      const handler = this.#handlers.get(command);
      let reply: Envelope['message'];
      let body: Uint8Array | undefined;
      try {
        if (!handler) throw new RmbHandlerError(404, `unknown command ${command}`);
        const payload = decodeJson(this.#openPayload(e, twin.pk));
        body = encodeJson(await handler(payload, { source: { ...src }, command }));
        reply = { kind: 'response' };
      } catch (err) {
        const code = err instanceof RmbHandlerError ? err.code : 1;
        reply = {
          kind: 'error',
          code,
          message: String((err as Error)?.message ?? err).slice(0, MAX_ERROR_TEXT),
        };
      }
      const out: Envelope = {
        uid: e.uid,
        timestamp: now(),
        expiration: e.expiration || 300,
        source: this.address,
        destination: { ...src },
        message: reply,
        schema: SCHEMA,
      };
      const pk = parseTwinPk(twin.pk);
      if (body?.length)
        out.payload = pk
          ? { kind: 'cipher', data: encryptPayload(this.#o.identity, pk, body) }
          : { kind: 'plain', data: body };
      if (this.#closed) return;
      await this.#send(encodeEnvelope(signEnvelope(out, this.#o.identity)));
    } finally {
      this.#serving -= 1;
    }
  }
}
