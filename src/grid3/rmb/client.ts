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
import { grid3CryptoReady } from '../../core/grid3/account.js';
import { RelayConnection } from './connection.js';
import { type Envelope, MAX_ENVELOPE_BYTES, type RmbAddress } from './envelope.js';
import { RmbError } from './errors.js';
import { RmbRequests } from './requests.js';
import { type RmbHandler, RmbServing } from './serving.js';
import type { TwinDirectory } from './twins.js';
import type { RmbIdentity } from './wire.js';

// The parts' public names are the client's: importers name them from here.
export { RmbError, RmbHandlerError, RmbRemoteError, RmbTimeoutError } from './errors.js';
export type { RequestContext, RmbHandler } from './serving.js';
export type { RmbIdentity } from './wire.js';

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

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_PING_MS = 20_000;

export class RmbClient {
  readonly #o: Required<Omit<RmbClientOptions, 'session'>> & { session?: string };
  readonly #conn: RelayConnection;
  readonly #requests: RmbRequests;
  readonly #serving: RmbServing;

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
    this.#conn = new RelayConnection(this.#o, (e) => this.#dispatch(e));
    this.#requests = new RmbRequests(this.#conn, this.#o);
    this.#serving = new RmbServing(this.#conn, this.#o);
  }

  static async connect(o: RmbClientOptions): Promise<RmbClient> {
    await grid3CryptoReady();
    const c = new RmbClient(o);
    await c.#conn.open();
    return c;
  }

  get address(): RmbAddress {
    return this.#conn.address;
  }

  /** Answer requests for these commands (added to any already served). Unknown commands get an error. */
  serve(handlers: Record<string, RmbHandler>): void {
    this.#serving.add(handlers);
  }

  request(
    destination: number | RmbAddress,
    command: string,
    payload?: unknown,
    opts: { timeoutMs?: number; retries?: number } = {},
  ): Promise<unknown> {
    return this.#requests.request(destination, command, payload, opts);
  }

  /** Round trip to the relay (its envelope pong). */
  ping(timeoutMs = this.#o.timeoutMs): Promise<void> {
    return this.#conn.ping(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#conn.closed) return;
    // Waiting calls fail first, as they did when the client owned the socket; then the socket goes.
    this.#requests.rejectAll(new RmbError('RMB client closed'));
    await this.#conn.close();
  }

  #dispatch(e: Envelope): void {
    switch (e.message?.kind) {
      case 'request':
        void this.#serving.handle(e).catch(() => undefined);
        return;
      case 'response':
      case 'error':
        void this.#requests.onReply(e).catch(() => undefined);
        return;
      default:
        return;
    }
  }
}
