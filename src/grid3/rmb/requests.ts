/**
 * The asking side of an RMB peer: each request gets a fresh uid per attempt and a timer; when the timer
 * runs out the request is sent again under a new uid (grid_client: 20 s per attempt, one retry), and a late
 * reply to an earlier attempt still settles the call. A reply is accepted only from the twin (and session)
 * the request went to, signed by that twin's account.
 */
import { randomUUID } from 'node:crypto';
import type { RelayConnection } from './connection.js';
import { parseTwinPk } from './e2e.js';
import type { Envelope, RmbAddress } from './envelope.js';
import { RmbError, RmbRemoteError, RmbTimeoutError } from './errors.js';
import { verifyEnvelope } from './signature.js';
import type { TwinDirectory } from './twins.js';
import {
  decodeJson,
  encodeJson,
  MAX_ERROR_TEXT,
  openPayload,
  type RmbIdentity,
  signedEnvelope,
} from './wire.js';

export interface RequestSettings {
  identity: RmbIdentity;
  twins: TwinDirectory;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
}

interface Call {
  command: string;
  dst: RmbAddress;
  uids: Set<string>;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
}

export class RmbRequests {
  readonly #conn: RelayConnection;
  readonly #o: RequestSettings;
  #calls = new Map<string, Call>();

  constructor(conn: RelayConnection, o: RequestSettings) {
    this.#conn = conn;
    this.#o = o;
  }

  async request(
    destination: number | RmbAddress,
    command: string,
    payload?: unknown,
    opts: { timeoutMs?: number; retries?: number } = {},
  ): Promise<unknown> {
    if (this.#conn.closed) throw new RmbError('RMB client is closed');
    const dst: RmbAddress = typeof destination === 'number' ? { twin: destination } : { ...destination };
    const twin = await this.#o.twins.get(dst.twin);
    if (!twin) throw new RmbError(`twin ${dst.twin} is unknown`);
    if (this.#conn.closed) throw new RmbError('RMB client is closed');
    const timeoutMs = opts.timeoutMs ?? this.#o.timeoutMs;
    const attempts = 1 + Math.max(0, opts.retries ?? this.#o.retries);
    const body = encodeJson(payload);
    const pk = parseTwinPk(twin.pk);
    const build = (uid: string): Uint8Array =>
      signedEnvelope(
        this.#o.identity,
        {
          uid,
          expiration: Math.max(1, Math.ceil(timeoutMs / 1000)),
          source: this.#conn.address,
          destination: dst,
          message: { kind: 'request', command },
        },
        pk,
        body,
      );

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
          if (this.#conn.closed) return;
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
        this.#conn.send(build(uid)).catch(() => undefined);
      };
      send();
    });
  }

  /** Fails every call still waiting (the client closing). */
  rejectAll(err: Error): void {
    for (const call of new Set(this.#calls.values())) call.reject(err);
  }

  /** A response or error envelope from the relay: settles the call it answers, if it does. */
  async onReply(e: Envelope): Promise<void> {
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
      call.resolve(decodeJson(openPayload(this.#o.identity, e, twin.pk)));
    } catch (err) {
      call.reject(
        new RmbError(`the reply from twin ${call.dst.twin} to ${call.command}: ${(err as Error).message}`),
      );
    }
  }

  #settle(call: Call): void {
    clearTimeout(call.timer);
    for (const uid of call.uids) this.#calls.delete(uid);
  }
}
