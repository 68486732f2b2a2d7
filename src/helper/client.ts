/**
 * Talks to the privileged helper. `HelperDriver` is the tunnel driver the app, the CLI and `ui` use when
 * the helper is reachable: they never become root, and handshakes are read for them.
 */
import { createConnection, type Socket } from 'node:net';
import { UserError } from '../core/errors.js';
import {
  InterfaceInUseError,
  RouteConflictError,
  type LinksOptions,
  type LinkState,
  type TunnelDriver,
  type UpRequest,
} from '../core/tunnels/tunnel-driver.js';
import { TunnelOperationError } from '../core/tunnels/wg-quick-driver.js';
import {
  PROTOCOL_VERSION,
  type LinksEvent,
  type Reply,
  type UpResult,
  type VersionInfo,
} from './protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** How long a reply may take: a query is answered at once by a working helper; up and down run wg-quick
 * (routes, DNS, a userspace wireguard-go starting), which can take seconds. */
export const REQUEST_TIMEOUT_MS = { query: 10_000, upDown: 60_000 } as const;

/** The helper accepted the request but did not answer in time. */
export class HelperTimeoutError extends UserError {
  readonly code = 'ETIMEDOUT';
  constructor(op: string, ms: number) {
    super(`The overlay-connect helper did not answer "${op}" within ${ms / 1000} s`);
  }
}

export class HelperClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(e: LinksEvent) => void>();
  private buffer = '';
  private closedError?: Error;

  private constructor(
    private readonly socket: Socket,
    readonly path: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new UserError('The overlay-connect helper closed the connection')));
    socket.unref();
  }

  /** Connects, or rejects with the reason (ENOENT: not running; EACCES: not in the group). */
  static connect(path: string, timeoutMs = 3000): Promise<HelperClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`No answer from the helper at ${path}`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new HelperClient(socket, path));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Sends one request; it fails with HelperTimeoutError when no reply comes within `timeoutMs` (by
   * default REQUEST_TIMEOUT_MS: longer for up and down). A late reply is then dropped. */
  request(
    op: 'up',
    fields: { iface: string; config: string; conflicts?: string[] },
    timeoutMs?: number,
  ): Promise<unknown>;
  request(op: 'down', fields: { iface: string }, timeoutMs?: number): Promise<unknown>;
  request(op: 'status' | 'version' | 'subscribe', fields?: object, timeoutMs?: number): Promise<unknown>;
  request(op: string, fields: object = {}, timeoutMs?: number): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    const ms =
      timeoutMs ?? (op === 'up' || op === 'down' ? REQUEST_TIMEOUT_MS.upDown : REQUEST_TIMEOUT_MS.query);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (this.pending.size === 0 && this.eventListeners.size === 0) this.socket.unref();
        reject(new HelperTimeoutError(op, ms));
      }, ms);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.ref(); // keep the process alive while a reply is owed
      this.socket.write(JSON.stringify({ v: PROTOCOL_VERSION, id, op, ...fields }) + '\n');
    });
  }

  async version(timeoutMs?: number): Promise<VersionInfo> {
    return (await this.request('version', {}, timeoutMs)) as VersionInfo;
  }

  /** State-change events; the first call subscribes. */
  async onLinks(listener: (e: LinksEvent) => void): Promise<void> {
    this.eventListeners.add(listener);
    if (this.eventListeners.size === 1) {
      await this.request('subscribe');
      this.socket.ref();
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let message: Reply | LinksEvent;
      try {
        message = JSON.parse(line) as Reply | LinksEvent;
      } catch {
        this.fail(new UserError('The helper sent something that is not JSON'));
        return;
      }
      if ('event' in message) {
        for (const l of this.eventListeners) l(message);
        continue;
      }
      const p = message.id === null ? undefined : this.pending.get(message.id);
      if (!p) continue;
      clearTimeout(p.timer);
      this.pending.delete(message.id!);
      if (message.ok) p.resolve(message.result);
      else p.reject(replyError(message));
    }
    if (this.pending.size === 0 && this.eventListeners.size === 0) this.socket.unref();
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.closedError);
    }
    this.pending.clear();
  }
}

/** The helper's refusal as the error the tunnel service knows. */
function replyError(reply: Extract<Reply, { ok: false }>): Error {
  switch (reply.code) {
    case 'failed':
      return new TunnelOperationError(reply.error);
    case 'conflict':
      return reply.iface ? new RouteConflictError(reply.iface) : new UserError(reply.error);
    case 'in-use': {
      const iface = /^(\S+) is in use/.exec(reply.error)?.[1];
      return iface ? new InterfaceInUseError(iface) : new UserError(reply.error);
    }
    default:
      return new UserError(reply.error);
  }
}

export class HelperDriver implements TunnelDriver {
  readonly handshakeKnown = true;

  constructor(private readonly client: HelperClient) {}

  async up(req: UpRequest): Promise<Map<string, LinkState>> {
    if (req.netns !== null)
      throw new UserError(
        '--netns cannot be used through the helper: the helper decides the namespace (`helper run --netns`)',
      );
    // One round trip: the overlap check goes along, and the reply carries the links right after.
    const result = (await this.client.request('up', {
      iface: req.iface,
      config: req.config,
      ...(req.conflicts?.length ? { conflicts: req.conflicts } : {}),
    })) as UpResult;
    return new Map(result.links.map((l) => [l.iface, l]));
  }

  async down(iface: string): Promise<void> {
    await this.client.request('down', { iface });
  }

  async links(_options?: LinksOptions): Promise<Map<string, LinkState>> {
    const { links } = (await this.client.request('status')) as { links: LinkState[] };
    return new Map(links.map((l) => [l.iface, l]));
  }
}
