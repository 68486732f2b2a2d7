/**
 * The serving side of an RMB peer (what a node agent does for `zos.*` commands): a request is run only if
 * it is alive, signed by its source twin's account, not seen before (a replayed envelope is not run twice)
 * and within the bound on requests served at once; the reply goes back signed, and encrypted when the asker
 * has an RMB key.
 */
import type { RelayConnection } from './connection.js';
import { parseTwinPk } from './e2e.js';
import { type Envelope, isExpired, type RmbAddress } from './envelope.js';
import { RmbHandlerError } from './errors.js';
import { verifyEnvelope } from './signature.js';
import type { TwinDirectory } from './twins.js';
import {
  decodeJson,
  encodeJson,
  MAX_ERROR_TEXT,
  now,
  openPayload,
  type RmbIdentity,
  signedEnvelope,
} from './wire.js';

export interface RequestContext {
  source: RmbAddress;
  command: string;
}
export type RmbHandler = (payload: unknown, ctx: RequestContext) => unknown;

const MAX_SERVING = 64;
const MAX_REMEMBERED = 10_000;
// Requests whose clock is this far off still count as alive: the twins' clocks are not ours.
const SKEW_SECONDS = 60;

export interface ServingSettings {
  identity: RmbIdentity;
  twins: TwinDirectory;
}

export class RmbServing {
  readonly #conn: RelayConnection;
  readonly #o: ServingSettings;
  #handlers = new Map<string, RmbHandler>();
  #serving = 0;
  /** Requests already answered (`twin:uid` → expiry), so a replayed envelope is not run twice. */
  #served = new Map<string, number>();

  constructor(conn: RelayConnection, o: ServingSettings) {
    this.#conn = conn;
    this.#o = o;
  }

  /** Answer requests for these commands (added to any already served). Unknown commands get an error. */
  add(handlers: Record<string, RmbHandler>): void {
    for (const [k, h] of Object.entries(handlers)) this.#handlers.set(k, h);
  }

  /** A request envelope from the relay: run its handler and send the reply, or drop it. */
  async handle(e: Envelope): Promise<void> {
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
        const payload = decodeJson(openPayload(this.#o.identity, e, twin.pk));
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
      const out = signedEnvelope(
        this.#o.identity,
        {
          uid: e.uid,
          expiration: e.expiration || 300,
          source: this.#conn.address,
          destination: { ...src },
          message: reply,
        },
        parseTwinPk(twin.pk),
        body,
      );
      if (this.#conn.closed) return;
      await this.#conn.send(out);
    } finally {
      this.#serving -= 1;
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
}
