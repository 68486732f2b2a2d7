/**
 * A stand-in for an RMB relay (rmb-rs `relay::api`) on loopback, speaking the real protocol so that the
 * grid's clients and ours can both use it:
 *
 * - login: websocket upgrade to `/?<jwt>`; the token's `sub` is looked up in the injected twin directory
 *   and its signature checked against that account; a missing, expired or foreign token gets HTTP 401
 *   before any upgrade. The session is (sub, sid); a second login of the same session replaces the first.
 * - routing: binary frames only (text closes, like the real relay), each a protobuf Envelope whose source
 *   must be the session; forwarded unchanged to the destination session (twin + connection). A
 *   destination known but not connected is held until the envelope expires (the real relay queues in
 *   redis), an unknown one is refused with an error envelope (only for requests, as the real one).
 * - an envelope ping comes back as a pong: source and destination swapped, "hello world" appended to the
 *   plain payload, as rmb-rs does.
 * - envelope signatures are not checked: receivers do that.
 *
 * No federation: every twin is taken to be on this relay.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { grid3CryptoReady } from '../../core/grid3/account.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  isExpired,
  MAX_ENVELOPE_BYTES,
  type RmbAddress,
  sameAddress,
} from '../../grid3/rmb/envelope.js';
import { parseRelayToken, verifyRelayToken } from '../../grid3/rmb/jwt.js';
import type { TwinDirectory } from '../../grid3/rmb/twins.js';

/** Twin id → the chain account (SS58 or hex) that signs its tokens; a TwinDirectory will do. */
export type RelayTwins =
  TwinDirectory | ((twinId: number) => string | undefined | Promise<string | undefined>);

export interface RelayOptions {
  port?: number;
  host?: string;
  twins: RelayTwins;
  maxMessageBytes?: number;
  /** Envelopes held per offline session. */
  queueLimit?: number;
  /** Bytes held for all offline sessions together. */
  heldBytesLimit?: number;
}

export interface RelayHandle {
  url: string;
  host: string;
  port: number;
  /** Sessions connected now, as `twin` or `twin:sid`. */
  sessions(): string[];
  close(): Promise<void>;
}

const sessionKey = (a: RmbAddress) =>
  a.connection === undefined ? `${a.twin}` : `${a.twin}:${a.connection}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
// A real relay's close for a replaced session is a dropped connection; a distinct code helps debugging.
const REPLACED = 4000;

export async function startRelay(o: RelayOptions): Promise<RelayHandle> {
  await grid3CryptoReady();
  const host = o.host ?? '127.0.0.1';
  const maxBytes = o.maxMessageBytes ?? MAX_ENVELOPE_BYTES;
  const queueLimit = o.queueLimit ?? 256;
  const heldBytesLimit = o.heldBytesLimit ?? 64 * 1024 * 1024;
  let heldBytes = 0;
  const accountOf = async (id: number): Promise<string | undefined> =>
    typeof o.twins === 'function' ? o.twins(id) : (await o.twins.get(id))?.accountId;

  const sessions = new Map<string, WebSocket>();
  const held = new Map<string, Array<{ bytes: Uint8Array; envelope: Envelope }>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBytes });
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });

  const refuse = (socket: Duplex, status: string) => {
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void (async () => {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const token = q < 0 ? '' : decodeURIComponent(url.slice(q + 1));
      let address: RmbAddress;
      try {
        const claims = parseRelayToken(token);
        const account = await accountOf(claims.sub);
        if (!account || !verifyRelayToken(token, account)) return refuse(socket, '401 Unauthorized');
        address =
          claims.sid === undefined ? { twin: claims.sub } : { twin: claims.sub, connection: claims.sid };
      } catch {
        return refuse(socket, '401 Unauthorized');
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, address));
    })().catch(() => refuse(socket, '500 Internal Server Error'));
  });

  function deliver(key: string, bytes: Uint8Array): boolean {
    const ws = sessions.get(key);
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(bytes);
    return true;
  }

  function replyError(to: RmbAddress, request: Envelope, message: string): void {
    if (request.message?.kind !== 'request') return;
    deliver(
      sessionKey(to),
      encodeEnvelope({
        uid: request.uid,
        timestamp: nowSeconds(),
        expiration: 300,
        destination: to,
        message: { kind: 'error', code: 0, message },
      }),
    );
  }

  async function route(self: RmbAddress, bytes: Uint8Array): Promise<void> {
    let e: Envelope;
    try {
      e = decodeEnvelope(bytes, maxBytes);
    } catch {
      // The real relay drops a client that sends what is not an envelope.
      sessions.get(sessionKey(self))?.close(1007, 'not an envelope');
      return;
    }
    if (!e.source || !sameAddress(e.source, self)) return replyError(self, e, 'message wrong source');
    if (e.message?.kind === 'ping') {
      const plain = e.payload?.kind === 'plain' ? e.payload.data : new Uint8Array();
      const pong: Envelope = {
        ...e,
        source: e.destination,
        destination: e.source,
        message: { kind: 'pong' },
        payload: { kind: 'plain', data: Buffer.concat([plain, Buffer.from('hello world')]) },
      };
      deliver(sessionKey(self), encodeEnvelope(pong));
      return;
    }
    const dst = e.destination;
    if (!dst || dst.twin === 0) return replyError(self, e, 'message with missing destination');
    const key = sessionKey(dst);
    if (deliver(key, bytes)) return;
    if (!(await accountOf(dst.twin))) return replyError(self, e, 'unknown twin destination');
    if (isExpired(e)) return;
    // Any sender can address any session name of a known twin: the total held is bounded, not just each
    // queue, and what does not fit is dropped (the sender's timeout covers it, as with a lost message).
    if (heldBytes + bytes.length > heldBytesLimit) return;
    const queue = held.get(key) ?? [];
    if (queue.length >= queueLimit) heldBytes -= queue.shift()!.bytes.length;
    queue.push({ bytes, envelope: e });
    heldBytes += bytes.length;
    held.set(key, queue);
  }

  function attach(ws: WebSocket, address: RmbAddress): void {
    const key = sessionKey(address);
    const previous = sessions.get(key);
    sessions.set(key, ws);
    previous?.close(REPLACED, 'session replaced');
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        ws.close(1003, 'text frames are not supported');
        return;
      }
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      void route(address, new Uint8Array(buf.buffer, buf.byteOffset, buf.length)).catch(() => undefined);
    });
    ws.on('close', () => {
      if (sessions.get(key) === ws) sessions.delete(key);
    });
    const waiting = held.get(key) ?? [];
    held.delete(key);
    for (const m of waiting) {
      heldBytes -= m.bytes.length;
      if (!isExpired(m.envelope)) ws.send(m.bytes);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `ws://${urlHost}:${port}`,
    host,
    port,
    sessions: () => [...sessions.keys()],
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      sessions.clear();
      held.clear();
      heldBytes = 0;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
