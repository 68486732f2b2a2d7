/**
 * The privileged helper: the only code of overlay-connect that runs as root. It listens on a Unix socket
 * that only root and the members of one group can open, re-validates every config with the project's own
 * parser, applies the root-owned policy, writes the file wg-quick reads into a root-owned 0700 folder and
 * runs wg-quick as an argument vector (no shell). It acts only on interfaces it brought up; their records
 * live under /run, so tunnels outlive the helper and a restarted helper adopts them.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyedMutex } from '../core/tunnels/keyed-mutex.js';
import type { LinkState } from '../core/tunnels/tunnel-driver.js';
import { TunnelOperationError, type WgQuickDriver } from '../core/tunnels/wg-quick-driver.js';
import { checkConfigText } from '../core/wgconf/parser.js';
import { writeForWgQuick } from '../core/wgconf/writer.js';
import { readPolicy } from './policy.js';
import {
  encode,
  MAX_REQUEST_BYTES,
  parseRequest,
  PROTOCOL_VERSION,
  ProtocolError,
  type LinksEvent,
  type Reply,
  type Request,
  type VersionInfo,
} from './protocol.js';

export interface HelperServerOptions {
  socketPath: string;
  /** Group allowed to connect (mode 0660, root:gid); undefined leaves the socket to root alone. */
  gid?: number;
  /** Every tunnel is brought up in this namespace (tests, and setups that keep WireGuard apart). */
  netns: string | null;
  policyPath: string;
  driver: WgQuickDriver;
  version: string;
  log: (line: string) => void;
  /** A connection that sends no complete request for this long is closed (subscribers excepted). */
  idleMs?: number;
  /** How often subscribers' state is re-read while any are connected. */
  watchMs?: number;
}

const MAX_CLIENTS = 64;
/** A client that does not read its replies is dropped before it can make the helper buffer without end. */
const MAX_UNREAD_BYTES = 1 << 20;

export class HelperServer {
  private server?: Server;
  private readonly clients = new Set<Socket>();
  private readonly subscribers = new Set<Socket>();
  private readonly mutex = new KeyedMutex();
  private watchTimer?: NodeJS.Timeout;
  private lastEvent = '';

  constructor(private readonly o: HelperServerOptions) {}

  async listen(): Promise<void> {
    if (process.env.LISTEN_FDS === '1' && process.env.LISTEN_PID === String(process.pid))
      return this.listenOn({ fd: 3 }, 'the socket systemd opened');
    const { socketPath } = this.o;
    const dir = dirname(socketPath);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755);
    }
    if (existsSync(socketPath)) {
      if (await answers(socketPath)) throw new Error(`Another helper is already listening on ${socketPath}`);
      if (!lstatSync(socketPath).isSocket()) throw new Error(`${socketPath} exists and is not a socket`);
      rmSync(socketPath);
    }
    // The socket is created 0660 at bind time (umask), so it is never open to others, even for an instant.
    const oldUmask = process.umask(0o117);
    try {
      await this.listenOn(socketPath, socketPath);
    } finally {
      process.umask(oldUmask);
    }
    // Root in real use (startHelper insists); a test of the protocol may run it as anyone.
    if (process.getuid?.() === 0) chownSync(socketPath, 0, this.o.gid ?? 0);
    chmodSync(socketPath, this.o.gid === undefined ? 0o600 : 0o660);
  }

  private async listenOn(target: string | { fd: number }, label: string): Promise<void> {
    const server = createServer({ allowHalfOpen: false }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(target, () => resolve());
    });
    this.server = server;
    const adopted = await this.o.driver.links({ skipHandshakes: true });
    this.o.log(`listening on ${label}${adopted.size ? `; adopted ${[...adopted.keys()].join(', ')}` : ''}`);
  }

  async close(): Promise<void> {
    if (this.watchTimer) clearInterval(this.watchTimer);
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (!process.env.LISTEN_FDS) rmSync(this.o.socketPath, { force: true });
  }

  private accept(socket: Socket): void {
    if (this.clients.size >= MAX_CLIENTS) {
      socket.end(
        encode({
          v: 1,
          id: null,
          ok: false,
          code: 'busy',
          error: 'Too many clients connected to the helper',
        }),
      );
      return;
    }
    this.clients.add(socket);
    let buffer = '';
    let busy = false;
    const idle = () => socket.setTimeout(this.subscribers.has(socket) ? 0 : (this.o.idleMs ?? 10_000));
    idle();
    socket.setEncoding('utf8');
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.clients.delete(socket);
      this.unsubscribe(socket);
    });
    // Requests of one connection are answered one at a time and in order; the socket is paused meanwhile,
    // so a burst waits in the kernel instead of in our memory.
    const drain = async () => {
      if (busy) return;
      busy = true;
      socket.pause();
      try {
        for (let nl = buffer.indexOf('\n'); nl >= 0 && !socket.destroyed; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() === '') continue;
          this.send(socket, await this.answer(socket, line));
          idle();
        }
      } finally {
        busy = false;
        if (!socket.destroyed) socket.resume();
      }
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // What follows the last newline is a request still coming in: it may not outgrow the limit.
      if (Buffer.byteLength(buffer.slice(buffer.lastIndexOf('\n') + 1)) > MAX_REQUEST_BYTES) {
        socket.end(
          encode({
            v: 1,
            id: null,
            ok: false,
            code: 'too-large',
            error: `A request may be at most ${MAX_REQUEST_BYTES} bytes`,
          }),
        );
        socket.destroy();
        return;
      }
      void drain();
    });
  }

  private send(socket: Socket, message: Reply | LinksEvent): void {
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_UNREAD_BYTES) return void socket.destroy();
    socket.write(encode(message));
  }

  private async answer(socket: Socket, line: string): Promise<Reply> {
    let request: Request;
    try {
      if (Buffer.byteLength(line) > MAX_REQUEST_BYTES)
        throw new ProtocolError('too-large', `A request may be at most ${MAX_REQUEST_BYTES} bytes`);
      request = parseRequest(line);
    } catch (e) {
      const p = e as ProtocolError;
      return { v: 1, id: p.id ?? null, ok: false, code: p.code ?? 'bad-request', error: p.message };
    }
    try {
      return { v: 1, id: request.id, ok: true, result: await this.perform(socket, request) };
    } catch (e) {
      const code =
        e instanceof ProtocolError ? e.code : e instanceof TunnelOperationError ? 'failed' : 'refused';
      const message = (e as Error).message;
      if (request.op === 'up' || request.op === 'down')
        this.o.log(`${request.op} ${request.iface}: ${message}`);
      return { v: 1, id: request.id, ok: false, code, error: message };
    }
  }

  private async perform(socket: Socket, r: Request): Promise<unknown> {
    switch (r.op) {
      case 'version':
        return {
          version: this.o.version,
          protocol: PROTOCOL_VERSION,
          netns: this.o.netns,
        } satisfies VersionInfo;
      case 'status':
        return { links: [...(await this.o.driver.links()).values()] };
      case 'subscribe':
        this.subscribers.add(socket);
        socket.setTimeout(0);
        this.watch();
        return { links: [...(await this.o.driver.links({ skipHandshakes: true })).values()] };
      case 'up':
        return this.mutex.run(r.iface, async () => {
          await this.o.driver.up({ iface: r.iface, config: this.vet(r.config), netns: this.o.netns });
          this.o.log(`up ${r.iface}`);
          void this.notify();
          return { iface: r.iface };
        });
      case 'down':
        return this.mutex.run(r.iface, async () => {
          if (!(await this.o.driver.links({ skipHandshakes: true })).has(r.iface)) {
            throw new ProtocolError(
              'refused',
              `${r.iface} was not brought up by this helper: it is left alone`,
            );
          }
          await this.o.driver.down(r.iface);
          this.o.log(`down ${r.iface}`);
          void this.notify();
          return { iface: r.iface };
        });
    }
  }

  /** The client's text is parsed again here and written anew: what wg-quick reads is only what our own
   * parser accepted, without SaveConfig, and with script hooks only where the root-owned policy allows. */
  private vet(text: string): string {
    const report = checkConfigText(text);
    if (!report.config) {
      const [first] = report.errors;
      throw new ProtocolError(
        'invalid-config',
        `The config is not valid: line ${first!.line}: ${first!.message}`,
      );
    }
    if (report.scripts.length) {
      const policy = readPolicy(this.o.policyPath);
      if (policy.problem) this.o.log(policy.problem);
      if (!policy.allowScripts) {
        const keys = [...new Set(report.scripts.map((s) => s.key))].join(', ');
        throw new ProtocolError(
          'refused',
          `The config has script hooks (${keys}), and this helper runs none: ${this.o.policyPath} does not allow scripts`,
        );
      }
    }
    return writeForWgQuick(report.config, report.scripts.length > 0);
  }

  private unsubscribe(socket: Socket): void {
    this.subscribers.delete(socket);
    if (this.subscribers.size === 0 && this.watchTimer) {
      clearInterval(this.watchTimer);
      this.watchTimer = undefined;
    }
  }

  /** While anyone subscribes, the state is re-read now and then, so changes made behind the helper's back
   * (an interface deleted by hand) are pushed too. Nobody subscribed: nothing runs. */
  private watch(): void {
    if (this.watchTimer) return;
    this.watchTimer = setInterval(() => void this.notify(), this.o.watchMs ?? 2000);
    this.watchTimer.unref();
  }

  private async notify(): Promise<void> {
    if (this.subscribers.size === 0) return;
    const links: LinkState[] = [...(await this.o.driver.links()).values()];
    const event: LinksEvent = { v: 1, event: 'links', links };
    const text = JSON.stringify(links);
    if (text === this.lastEvent) return;
    this.lastEvent = text;
    for (const s of this.subscribers) this.send(s, event);
  }
}

/** Whether something answers on the socket (a live helper), as opposed to a file left by a dead one. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
