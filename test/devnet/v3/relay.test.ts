/** The devnet relay stand-in, spoken to in raw envelopes over websockets on 127.0.0.1. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import { startRelay, type RelayHandle } from '../../../src/devnet/v3/relay.js';
import { encodeEnvelope, type Envelope } from '../../../src/grid3/rmb/envelope.js';
import { relayToken } from '../../../src/grid3/rmb/jwt.js';
import { signEnvelope } from '../../../src/grid3/rmb/signature.js';
import { MNEMONIC_A, MNEMONIC_B, MNEMONIC_C } from '../../grid3/rmb/keys.js';
import { dial, rawPeer, type RawPeer } from '../../grid3/rmb/raw-peer.js';

let a: Grid3Account;
let b: Grid3Account;
let c: Grid3Account;
let relay: RelayHandle;
const accounts = new Map<number, string>();
const open: RawPeer[] = [];

beforeAll(async () => {
  [a, b, c] = (await Promise.all(
    [MNEMONIC_A, MNEMONIC_B, MNEMONIC_C].map((m) => Grid3Account.fromMnemonic(m)),
  )) as [Grid3Account, Grid3Account, Grid3Account];
  accounts.set(17, a.address).set(4242, b.address).set(99, c.address).set(500, c.address);
  relay = await startRelay({ port: 0, twins: (id) => accounts.get(id) });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await relay.close();
});

async function peer(signer: Grid3Account, twin: number, sid?: string) {
  const p = await rawPeer(relay.url, signer, twin, sid);
  open.push(p);
  return p;
}
const now = () => Math.floor(Date.now() / 1000);
const req = (from: Envelope['source'], to: Envelope['destination'], uid = 'u1'): Envelope => ({
  uid,
  timestamp: now(),
  expiration: 30,
  source: from,
  destination: to,
  message: { kind: 'request', command: 'zos.system.version' },
});

describe('devnet relay: login', () => {
  it('listens on loopback only', () => {
    expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('accepts a token signed by the twin account, and refuses others with 401 before upgrading', async () => {
    const ok = await dial(`${relay.url}?${relayToken(a, 17, 'x')}`);
    expect(ok.ws).toBeDefined();
    ok.ws!.close();
    const refused = [
      relay.url,
      `${relay.url}?${relayToken(c, 17, 'x')}`, // signed by another account
      `${relay.url}?${relayToken(a, 777, undefined)}`, // unknown twin
      `${relay.url}?${relayToken(a, 17, undefined, now() - 5000, 10)}`, // expired
      `${relay.url}?not.a.jwt`,
    ];
    for (const url of refused) expect((await dial(url)).status).toBe(401);
  });
});

describe('devnet relay: routing', () => {
  it('routes by twin and session, unchanged, without checking envelope signatures', async () => {
    const dflt = await peer(a, 17);
    const s1 = await peer(a, 17, 's1');
    const s2 = await peer(a, 17, 's2');
    const node = await peer(b, 4242);
    expect(relay.sessions().sort()).toEqual(['17', '17:s1', '17:s2', '4242'].sort());
    const unsigned = req({ twin: 4242 }, { twin: 17, connection: 's2' });
    const bytes = encodeEnvelope(unsigned);
    node.send(bytes);
    expect(await s2.next()).toEqual(unsigned);
    node.send(req({ twin: 4242 }, { twin: 17 }, 'u2'));
    expect((await dflt.next()).uid).toBe('u2');
    await expect(s1.next(300)).rejects.toThrow();
    expect(s2.received).toEqual([]);
  });

  it('refuses an envelope whose source is not the session, with an error back to the sender', async () => {
    const s1 = await peer(a, 17, 's1');
    const node = await peer(b, 4242);
    for (const source of [{ twin: 4242 }, { twin: 17 }, { twin: 17, connection: 's2' }, undefined]) {
      s1.send(signEnvelope(req(source, { twin: 4242 }), a));
      const back = await s1.next();
      expect(back.message).toEqual({ kind: 'error', code: 0, message: 'message wrong source' });
      expect(back.uid).toBe('u1');
      expect(back.source).toBeUndefined();
      expect(back.destination).toEqual({ twin: 17, connection: 's1' });
    }
    await expect(node.next(300)).rejects.toThrow();
  });

  it('answers an envelope ping with a pong as rmb-rs does', async () => {
    const p = await peer(a, 17, 'p');
    p.send({
      uid: 'ping-1',
      timestamp: now(),
      expiration: 40,
      source: { twin: 17, connection: 'p' },
      destination: { twin: 0 },
      message: { kind: 'ping' },
    });
    const pong = await p.next();
    expect(pong).toMatchObject({
      uid: 'ping-1',
      message: { kind: 'pong' },
      source: { twin: 0 },
      destination: { twin: 17, connection: 'p' },
    });
    expect(Buffer.from(pong.payload!.data).toString()).toBe('hello world');
  });

  it('holds envelopes for a known twin that is offline until it connects; refuses unknown twins', async () => {
    const user = await peer(a, 17);
    user.send(req({ twin: 17 }, { twin: 500 }, 'held'));
    user.send({ ...req({ twin: 17 }, { twin: 500 }, 'expired'), timestamp: now() - 100 });
    user.send(req({ twin: 17 }, { twin: 888 }, 'nobody'));
    const err = await user.next();
    expect(err).toMatchObject({
      uid: 'nobody',
      message: { kind: 'error', message: 'unknown twin destination' },
    });
    const late = await peer(c, 500);
    expect((await late.next()).uid).toBe('held');
    await expect(late.next(300)).rejects.toThrow();
  });

  it('replaces a session logged in twice and closes on text frames or garbage', async () => {
    const first = await peer(a, 17, 'dup');
    const closed = new Promise<number>((r) => first.ws.once('close', (code) => r(code)));
    await peer(a, 17, 'dup');
    expect(await closed).toBe(4000);
    const t = await peer(a, 17, 'text');
    const closedText = new Promise<number>((r) => t.ws.once('close', (code) => r(code)));
    t.ws.send('hello');
    expect(await closedText).toBe(1003);
    const g = await peer(a, 17, 'garbage');
    const closedG = new Promise<number>((r) => g.ws.once('close', (code) => r(code)));
    g.send(new Uint8Array([0x0a, 0xff, 0xff]));
    expect(await closedG).toBe(1007);
  });

  it('closes cleanly with clients still connected', async () => {
    const r2 = await startRelay({ twins: (id) => accounts.get(id) });
    const p = await rawPeer(r2.url, a, 17);
    const closed = new Promise<void>((r) => p.ws.once('close', () => r()));
    await r2.close();
    await closed;
    expect((await dial(r2.url).catch((e: Error) => e)) instanceof Error).toBe(true);
  });
});
