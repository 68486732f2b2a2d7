/**
 * The privileged helper: the only code of overlay-connect that runs as root. It listens on a Unix socket
 * that only root and the members of one group can open, re-validates every config with the project's own
 * parser, applies the root-owned policy, writes the file wg-quick reads into a root-owned 0700 folder and
 * runs wg-quick as an argument vector (no shell). It acts only on interfaces it brought up; their records
 * live under /run, so tunnels outlive the helper and a restarted helper adopts them.
 *
 * It knows who asks: the kernel's record of each connection's uid (peer.ts). A tunnel belongs to the uid
 * that brought it up; only that uid (or root) sees it, takes it down or brings it up again, and every
 * action is logged with the uid. Connections, subscriptions and tunnels are limited per uid, so one member
 * cannot lock the others out.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { KeyedMutex } from '../core/tunnels/keyed-mutex.js';
import { InterfaceInUseError, RouteConflictError, type LinkState } from '../core/tunnels/tunnel-driver.js';
import { TunnelOperationError, type WgQuickDriver } from '../core/tunnels/wg-quick-driver.js';
import { checkConfigText } from '../core/wgconf/parser.js';
import { writeForWgQuick } from '../core/wgconf/writer.js';
import { peerOf, type Peer } from './peer.js';
import { readPolicy } from './policy.js';
import { rootOnlyProblem } from './root-paths.js';
import {
  encode,
  MAX_REQUEST_BYTES,
  parseRequest,
  PROTOCOL_VERSION,
  ProtocolError,
  type LinksEvent,
  type Reply,
  type Request,
  type UpResult,
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

/** Connections in all, and per uid: one member's connections cannot fill the helper. */
export const MAX_CLIENTS = 256;
export const MAX_CONNECTIONS_PER_UID = 16;
/** Subscriptions per uid (each costs a re-read every watchMs while it lasts). */
export const MAX_SUBSCRIPTIONS_PER_UID = 4;
/** A client that does not read its replies is dropped before it can make the helper buffer without end. */
const MAX_UNREAD_BYTES = 1 << 20;

export class HelperServer {
  private server?: Server;
  private readonly clients = new Map<Socket, Peer>();
  private readonly subscribers = new Set<Socket>();
  private readonly lastEvents = new Map<Socket, string>();
  private readonly mutex = new KeyedMutex();
  private watchTimer?: NodeJS.Timeout;

  constructor(private readonly o: HelperServerOptions) {}

  async listen(): Promise<void> {
    if (process.env.LISTEN_FDS === '1' && process.env.LISTEN_PID === String(process.pid))
      return this.listenOn({ fd: 3 }, 'the socket systemd opened');
    const { socketPath } = this.o;
    const dir = dirname(socketPath);
    const root = process.getuid?.() === 0; // root in real use (startHelper insists); a protocol test may not be
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755);
    }
    // A folder anyone else can write (or that is not root's) lets them swap names under root's feet.
    const problem = root ? rootOnlyProblem(dir, 'dir') : undefined;
    if (problem)
      throw new UserError(`${problem}: the helper's socket must be in a folder only root can change`);
    if (existsSync(socketPath)) {
      if (await answers(socketPath)) throw new Error(`Another helper is already listening on ${socketPath}`);
      if (!lstatSync(socketPath).isSocket()) throw new Error(`${socketPath} exists and is not a socket`);
    }
    // Bound inside a fresh 0700 folder, given its group and mode there (no one else can reach that path), then
    // renamed into place: nothing is ever chowned by a path another process could have swapped. The umask
    // makes it 0660 from its first instant as well.
    const staging = mkdtempSync(join(dir, `.${basename(socketPath)}-`));
    const staged = join(staging, 'socket');
    const oldUmask = process.umask(0o117);
    try {
      await this.listenOn(staged, socketPath);
      if (root) chownSync(staged, 0, this.o.gid ?? 0);
      chmodSync(staged, this.o.gid === undefined ? 0o600 : 0o660);
      renameSync(staged, socketPath);
    } finally {
      process.umask(oldUmask);
      rmSync(staging, { recursive: true, force: true });
    }
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
    for (const c of this.clients.keys()) c.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (!process.env.LISTEN_FDS) rmSync(this.o.socketPath, { force: true });
  }

  private accept(socket: Socket): void {
    const peer = peerOf(socket);
    if (!peer) return void socket.destroy(); // who asks is unknown: nothing is answered
    const refuse = (error: string): void => {
      socket.end(encode({ v: 1, id: null, ok: false, code: 'limit', error }));
    };
    if (this.clients.size >= MAX_CLIENTS)
      return refuse(`The helper serves at most ${MAX_CLIENTS} connections at once`);
    if (this.countOf(peer.uid, this.clients.keys()) >= MAX_CONNECTIONS_PER_UID)
      return refuse(`The helper serves at most ${MAX_CONNECTIONS_PER_UID} connections per user at once`);
    this.clients.set(socket, peer);
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
    const uid = this.clients.get(socket)!.uid;
    try {
      return { v: 1, id: request.id, ok: true, result: await this.perform(socket, uid, request) };
    } catch (e) {
      const code =
        e instanceof ProtocolError
          ? e.code
          : e instanceof TunnelOperationError
            ? 'failed'
            : e instanceof InterfaceInUseError
              ? 'in-use'
              : e instanceof RouteConflictError
                ? 'conflict'
                : 'refused';
      const message = (e as Error).message;
      if (request.op === 'up' || request.op === 'down')
        this.o.log(`uid ${uid}: ${request.op} ${request.iface}: ${message}`);
      const iface = e instanceof RouteConflictError ? e.iface : undefined;
      return { v: 1, id: request.id, ok: false, code, error: message, ...(iface ? { iface } : {}) };
    }
  }

  private countOf(uid: number, sockets: Iterable<Socket>): number {
    let n = 0;
    for (const s of sockets) if (this.clients.get(s)?.uid === uid) n++;
    return n;
  }

  /** The links `uid` may see: its own (root sees all). */
  private async linksOf(uid: number, skipHandshakes = false): Promise<LinkState[]> {
    const all = [...(await this.o.driver.links({ skipHandshakes })).values()];
    return uid === 0 ? all : all.filter((l) => l.owner === uid);
  }

  private async perform(socket: Socket, uid: number, r: Request): Promise<unknown> {
    switch (r.op) {
      case 'version':
        return {
          version: this.o.version,
          protocol: PROTOCOL_VERSION,
          netns: this.o.netns,
        } satisfies VersionInfo;
      case 'status':
        return { links: await this.linksOf(uid) };
      case 'subscribe':
        if (!this.subscribers.has(socket)) {
          if (this.countOf(uid, this.subscribers) >= MAX_SUBSCRIPTIONS_PER_UID)
            throw new ProtocolError(
              'limit',
              `The helper takes at most ${MAX_SUBSCRIPTIONS_PER_UID} subscriptions per user at once`,
            );
          this.subscribers.add(socket);
        }
        socket.setTimeout(0);
        this.watch();
        return { links: await this.linksOf(uid, true) };
      case 'up':
        return this.mutex.run(r.iface, async () => {
          const config = this.vet(r.config);
          const { maxTunnelsPerUser } = readPolicy(this.o.policyPath);
          const links = await this.o.driver.links({ skipHandshakes: true });
          const mine = [...links.values()].filter((l) => l.owner === uid && l.iface !== r.iface);
          if (mine.length >= maxTunnelsPerUser)
            throw new ProtocolError(
              'limit',
              `The helper keeps at most ${maxTunnelsPerUser} tunnels up per user (maxTunnelsPerUser in ${this.o.policyPath})`,
            );
          await this.o.driver.up({
            iface: r.iface,
            config,
            netns: this.o.netns,
            owner: uid,
            conflicts: r.conflicts ?? [],
          });
          this.o.log(`uid ${uid}: up ${r.iface}`);
          void this.notify();
          return { iface: r.iface, links: await this.linksOf(uid, true) } satisfies UpResult;
        });
      case 'down':
        return this.mutex.run(r.iface, async () => {
          const link = (await this.o.driver.links({ skipHandshakes: true })).get(r.iface);
          if (!link || (uid !== 0 && link.owner !== uid)) {
            throw new ProtocolError(
              'refused',
              `${r.iface} is not a tunnel of yours brought up by this helper: it is left alone`,
            );
          }
          await this.o.driver.down(r.iface);
          this.o.log(`uid ${uid}: down ${r.iface}`);
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
    this.lastEvents.delete(socket);
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

  /** Each subscriber hears of its own uid's links only, and only when they changed. */
  private async notify(): Promise<void> {
    if (this.subscribers.size === 0) return;
    const all: LinkState[] = [...(await this.o.driver.links()).values()];
    for (const s of this.subscribers) {
      const uid = this.clients.get(s)?.uid;
      if (uid === undefined) continue;
      const links = uid === 0 ? all : all.filter((l) => l.owner === uid);
      const text = JSON.stringify(links);
      if (text === this.lastEvents.get(s)) continue;
      this.lastEvents.set(s, text);
      this.send(s, { v: 1, event: 'links', links } satisfies LinksEvent);
    }
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
