/**
 * An RMB peer's websocket to its relay: logged in with a fresh relay token at every (re)connect, pinged at
 * the app level so that a dead connection is noticed, reconnected after the relay drops it, and closed
 * without leaving a timer or socket behind. It answers the relay's pongs itself and hands every other
 * envelope to its owner.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { decodeEnvelope, encodeEnvelope, type Envelope, type RmbAddress } from './envelope.js';
import { RmbError } from './errors.js';
import { relayToken } from './jwt.js';
import type { RmbSigner } from './signature.js';
import { now } from './wire.js';

export interface RelayConnectionOptions {
  /** ws:// or wss:// */
  relayUrl: string;
  twinId: number;
  session?: string;
  identity: RmbSigner;
  /** App-level ping to the relay; 0 turns it off. */
  pingIntervalMs: number;
  connectTimeoutMs: number;
  maxMessageBytes: number;
  /** Delay before reconnecting after the relay drops us. */
  reconnectDelayMs: number;
}

export class RelayConnection {
  readonly #o: RelayConnectionOptions;
  readonly #onEnvelope: (e: Envelope) => void;
  #ws: WebSocket | undefined;
  #opening: Promise<WebSocket> | undefined;
  #closed = false;
  #pings = new Map<string, () => void>();
  #pingTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #timers = new Set<NodeJS.Timeout>();

  constructor(o: RelayConnectionOptions, onEnvelope: (e: Envelope) => void) {
    this.#o = o;
    this.#onEnvelope = onEnvelope;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get address(): RmbAddress {
    return this.#o.session === undefined
      ? { twin: this.#o.twinId }
      : { twin: this.#o.twinId, connection: this.#o.session };
  }

  /** Round trip to the relay (its envelope pong). */
  async ping(timeoutMs: number): Promise<void> {
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
      this.send(bytes).catch((err: Error) => done(err));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#reconnectTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
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

  async send(bytes: Uint8Array): Promise<void> {
    const ws = this.#ws?.readyState === WebSocket.OPEN ? this.#ws : await this.open();
    await new Promise<void>((resolve, reject) => ws.send(bytes, (err) => (err ? reject(err) : resolve())));
  }

  open(): Promise<WebSocket> {
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
      this.open().catch(() => this.#onReconnectFailed());
    }, this.#o.reconnectDelayMs);
  }

  #onReconnectFailed(): void {
    if (this.#closed || this.#reconnectTimer) return;
    this.#reconnectTimer = setTimeout(
      () => {
        this.#reconnectTimer = undefined;
        this.open().catch(() => this.#onReconnectFailed());
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
    // A pong settles our ping; the rest (requests to serve, replies to match) is the owner's.
    if (e.message?.kind === 'pong') this.#pings.get(e.uid)?.();
    else this.#onEnvelope(e);
  }
}
