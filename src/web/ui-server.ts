/**
 * `overlay-connect ui`: the desktop window's renderer and the contract over HTTP, on 127.0.0.1 only.
 * Every request must name this listener as its Host (no DNS rebinding) and, when the browser sends one,
 * carry our own Origin. Every call must carry the random token of the printed URL in a Bearer header that
 * the page sends (the event stream, which cannot send headers, in its query). No cookie is ever set: the
 * browser would send it to every other server on 127.0.0.1, whatever its port. The page's own files are
 * served without the token: they are the same for everyone and hold nothing.
 *
 * On Linux it also refuses every connection whose client socket belongs to another user (looked up once
 * per connection in /proc/net/tcp, see peer-uid.ts): the token alone would let anyone on the machine in
 * who learnt it. Other platforms have no such table to read cheaply; there the token is the only key.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { bodyTooLargeRefusal, type UiEvent } from '../contract/api.js';
import { HTTP_BODY_MAX } from '../contract/limits.js';
import { dispatch, type Handlers } from '../app/services.js';
import { clientUid } from './peer-uid.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** A body past HTTP_BODY_MAX is still read (not kept) up to this, so that the client gets the refusal
 * instead of a reset connection; past this the connection is cut. */
const DRAIN_MAX = 4 * HTTP_BODY_MAX;

export interface UiServerOptions {
  handlers: Handlers;
  onEvent(listener: (e: UiEvent) => void): () => void;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  port?: number;
  token?: string;
  /** Refuse connections from other users' sockets (default: on Linux, the only place it can tell). */
  sameUserOnly?: boolean;
  /** Called once, at the first request that carries the token (in its header or its address). */
  onToken?: () => void;
}

class BodyTooLarge extends Error {}

export class UiServer {
  readonly token: string;
  private server?: Server;
  private port = 0;
  /** Whether each connection may be served: decided once, when it is accepted. */
  private readonly admitted = new WeakMap<Socket, Promise<boolean>>();
  private tokenSeen = false;
  private readonly sameUserOnly: boolean;

  constructor(private readonly o: UiServerOptions) {
    this.token = o.token ?? randomBytes(24).toString('base64url');
    this.sameUserOnly = o.sameUserOnly ?? process.platform === 'linux';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  async listen(): Promise<string> {
    this.server = createServer(
      (req, res) => void this.handle(req, res).catch(() => fail(res, 500, 'internal error')),
    );
    // Looked up as soon as a connection is accepted, while its first request is still on the way.
    if (this.sameUserOnly) this.server.on('connection', (socket: Socket) => void this.verdict(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.o.port ?? 0, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    // Stop accepting first, then drop what is open: the other way round, a reconnecting EventSource could
    // slip in between and keep close() waiting for ever.
    const closed = new Promise<void>((r) => this.server!.close(() => r()));
    this.server.closeAllConnections();
    await closed;
  }

  /** The connection's verdict, looked up at its first use and kept for its lifetime. */
  private verdict(socket: Socket): Promise<boolean> {
    let v = this.admitted.get(socket);
    if (!v) {
      v = this.admit(socket);
      this.admitted.set(socket, v);
    }
    return v;
  }

  /**
   * Only sockets of this process's own user, or of root, are served. Root is let in: it can read this
   * process's memory and the user's files (the token among them) anyway, so refusing it would protect
   * nothing, and tools run with sudo (and tests run as root) may drive a user's window. A socket that no
   * process holds any more shows as uid 0 in the table; those rows are not taken (see peer-uid.ts), so
   * root's exception cannot be claimed by a client that wrote its request and closed. No answer (no row,
   * or no table) is a refusal.
   */
  private async admit(socket: Socket): Promise<boolean> {
    const { remoteAddress, remotePort, localAddress, localPort } = socket;
    if (!remoteAddress || !remotePort || !localAddress || !localPort) return false;
    const uid = await clientUid(
      { address: remoteAddress, port: remotePort },
      { address: localAddress, port: localPort },
    ).catch(() => undefined);
    return uid !== undefined && (uid === process.getuid?.() || uid === 0);
  }

  private tokenOk(req: IncomingMessage, url: URL, inQuery: boolean): boolean {
    const candidates = [
      inQuery ? url.searchParams.get('token') : undefined,
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
    ];
    const want = Buffer.from(this.token);
    return candidates.some(
      (c) =>
        c !== undefined &&
        c !== null &&
        Buffer.from(c).length === want.length &&
        timingSafeEqual(Buffer.from(c), want),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.sameUserOnly && !(await this.verdict(req.socket))) {
      res.setHeader('connection', 'close');
      return fail(res, 403, 'refused: this connection comes from another user of this computer');
    }
    const hosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!hosts.includes(req.headers.host ?? '')) return fail(res, 403, 'wrong Host');
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.map((h) => `http://${h}`).includes(origin))
      return fail(res, 403, 'wrong Origin');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    if (!this.tokenSeen && this.o.onToken && this.tokenOk(req, url, true)) {
      this.tokenSeen = true;
      this.o.onToken();
    }
    if (url.pathname.startsWith('/api/')) {
      const events = url.pathname === '/api/events' && req.method === 'GET';
      if (!this.tokenOk(req, url, events)) return fail(res, 401, 'missing or wrong token');
      if (events) return this.events(req, res);
    }
    const call = /^\/api\/call\/([A-Za-z]+)$/.exec(url.pathname);
    if (call && req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return fail(res, 415, 'JSON only');
      let arg: unknown;
      try {
        const text = await readBody(req);
        arg = text ? JSON.parse(text) : undefined;
      } catch (e) {
        // Refused in the words IPC would use for the same argument (the contract's limits).
        if (e instanceof BodyTooLarge) return fail(res, 413, bodyTooLargeRefusal(call[1]!));
        return fail(res, 400, (e as Error).message);
      }
      const result = await dispatch(this.o.handlers, call[1]!, (arg as { arg?: unknown } | undefined)?.arg);
      return sendJson(res, 200, result);
    }
    if (req.method !== 'GET') return fail(res, 405, 'method not allowed');
    return this.file(url, res);
  }

  private async file(url: URL, res: ServerResponse): Promise<void> {
    const rel = url.pathname === '/' ? 'index.html' : normalize(url.pathname).replace(/^[/\\]+/, '');
    if (rel.includes('..') || !TYPES[extname(rel)]) return fail(res, 404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(join(this.o.rendererDir, rel));
    } catch {
      return fail(res, 404, 'not found');
    }
    if (rel === 'index.html') {
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
    }
    res.writeHead(200, { 'content-type': TYPES[extname(rel)]!, 'content-length': body.length });
    res.end(body);
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    // The connection may be gone already (its uid was looked up first, and shutdown closed it meanwhile):
    // its 'close' has fired, and a ping started now would run, and keep the process alive, for ever.
    if (req.socket.destroyed) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const off = this.o.onEvent((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref(); // the listening server keeps the process up, not a stream's keep-alive
    req.socket.once('close', () => {
      off();
      clearInterval(ping);
    });
  }
}

/** The body, up to HTTP_BODY_MAX; past it, the rest is read and dropped, and BodyTooLarge thrown. */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > DRAIN_MAX) {
      req.socket.destroy();
      throw new BodyTooLarge();
    }
    if (size <= HTTP_BODY_MAX) chunks.push(c as Buffer);
    else chunks.length = 0;
  }
  if (size > HTTP_BODY_MAX) throw new BodyTooLarge();
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { ok: false, error: message });
}
