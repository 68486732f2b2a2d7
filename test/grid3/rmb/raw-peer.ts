/**
 * A bare RMB peer for tests: a websocket to the relay with our token, sending and receiving envelopes as
 * they are, so a test can misbehave (stay silent, sign with the wrong key, lie about its source).
 */
import WebSocket from 'ws';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../../../src/grid3/rmb/envelope.js';
import { relayToken } from '../../../src/grid3/rmb/jwt.js';
import type { RmbSigner } from '../../../src/grid3/rmb/signature.js';

export interface RawPeer {
  ws: WebSocket;
  received: Envelope[];
  next(timeoutMs?: number): Promise<Envelope>;
  send(e: Envelope | Uint8Array): void;
  close(): Promise<void>;
}

export function tokenUrl(relayUrl: string, signer: RmbSigner, twin: number, sid?: string): string {
  return `${relayUrl}?${relayToken(signer, twin, sid)}`;
}

/** Resolves with the HTTP status when the relay refuses the upgrade, or the open socket. */
export function dial(
  url: string,
  onMessage?: (data: WebSocket.RawData) => void,
): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    // Before 'open': what the relay held for us can arrive in the same read as the upgrade.
    if (onMessage) ws.on('message', onMessage);
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => resolve({ ws }));
    ws.once('error', (err) => reject(err));
  });
}

export async function rawPeer(
  relayUrl: string,
  signer: RmbSigner,
  twin: number,
  sid?: string,
): Promise<RawPeer> {
  const received: Envelope[] = [];
  const waiters: Array<(e: Envelope) => void> = [];
  const { ws, status } = await dial(tokenUrl(relayUrl, signer, twin, sid), (data) => {
    const e = decodeEnvelope(new Uint8Array(data as Buffer));
    const w = waiters.shift();
    if (w) w(e);
    else received.push(e);
  });
  if (!ws) throw new Error(`relay refused: ${status}`);
  return {
    ws,
    received,
    next: (timeoutMs = 3000) =>
      new Promise<Envelope>((resolve, reject) => {
        const queued = received.shift();
        if (queued) return resolve(queued);
        const t = setTimeout(() => {
          const i = waiters.indexOf(done);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error('no envelope'));
        }, timeoutMs);
        const done = (e: Envelope) => {
          clearTimeout(t);
          resolve(e);
        };
        waiters.push(done);
      }),
    send: (e) => ws.send(e instanceof Uint8Array ? e : encodeEnvelope(e)),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
