/**
 * Our RMB client through our relay stand-in to a responder, over real websockets on 127.0.0.1; and
 * rmb_direct_client's own Client through the same relay to our responder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import {
  RmbClient,
  RmbError,
  RmbHandlerError,
  RmbRemoteError,
  RmbTimeoutError,
  type RmbClientOptions,
} from '../../../src/grid3/rmb/client.js';
import { decryptPayload, encryptPayload } from '../../../src/grid3/rmb/e2e.js';
import type { Envelope } from '../../../src/grid3/rmb/envelope.js';
import { signEnvelope, verifyEnvelope } from '../../../src/grid3/rmb/signature.js';
import { staticTwins, type TwinDirectory } from '../../../src/grid3/rmb/twins.js';
import { startRelay, type RelayHandle } from '../../../src/devnet/v3/relay.js';
import { MNEMONIC_A, MNEMONIC_B, MNEMONIC_C } from './keys.js';
import { rawPeer, type RawPeer } from './raw-peer.js';
import { rdc } from './rmb-direct-client.js';

const USER = 17;
const NODE = 4242;
const OTHER = 99;
let a: Grid3Account; // the user
let b: Grid3Account; // the node
let c: Grid3Account; // someone else
let twins: TwinDirectory;
let relay: RelayHandle;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  [a, b, c] = (await Promise.all(
    [MNEMONIC_A, MNEMONIC_B, MNEMONIC_C].map((m) => Grid3Account.fromMnemonic(m)),
  )) as [Grid3Account, Grid3Account, Grid3Account];
  twins = staticTwins([
    { id: USER, accountId: a.address, pk: a.rmbPublicKeyHex, relay: '127.0.0.1' },
    { id: NODE, accountId: b.address, pk: b.rmbPublicKey, relay: '127.0.0.1' },
    { id: OTHER, accountId: c.address, relay: '127.0.0.1' },
  ]);
  relay = await startRelay({ twins });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});
afterAll(async () => {
  await relay.close();
});

async function client(
  o: Partial<RmbClientOptions> & Pick<RmbClientOptions, 'twinId' | 'identity'>,
): Promise<RmbClient> {
  const cl = await RmbClient.connect({ relayUrl: relay.url, twins, pingIntervalMs: 0, ...o });
  open.push(cl);
  return cl;
}
async function peer(signer: Grid3Account, twin: number, sid?: string): Promise<RawPeer> {
  const p = await rawPeer(relay.url, signer, twin, sid);
  open.push(p);
  return p;
}
const json = (u: Uint8Array) => JSON.parse(Buffer.from(u).toString()) as unknown;
function reply(to: Envelope, signer: Grid3Account, body: unknown, pkOfAsker: Uint8Array): Envelope {
  return signEnvelope(
    {
      uid: to.uid,
      timestamp: Math.floor(Date.now() / 1000),
      expiration: 60,
      source: { twin: NODE },
      destination: to.source!,
      message: { kind: 'response' },
      schema: 'application/json',
      payload: { kind: 'cipher', data: encryptPayload(b, pkOfAsker, Buffer.from(JSON.stringify(body))) },
    },
    signer,
  );
}

describe('RmbClient ↔ relay ↔ responder', () => {
  it('sends a signed, encrypted request and gets the reply matched by uid', async () => {
    const node = await client({ twinId: NODE, identity: b });
    node.serve({
      'zos.echo': async (payload, ctx) => {
        await new Promise((r) => setTimeout(r, (payload as { i: number }).i * 20));
        return { payload, from: ctx.source };
      },
    });
    const user = await client({ twinId: USER, identity: a, session: 'overlay-connect' });
    const results = await Promise.all([5, 1, 3, 0, 2].map((i) => user.request(NODE, 'zos.echo', { i })));
    expect(results).toEqual(
      [5, 1, 3, 0, 2].map((i) => ({ payload: { i }, from: { twin: USER, connection: 'overlay-connect' } })),
    );
  });

  it('encrypts to the node pk on the wire, and the node can read and verify it', async () => {
    const node = await peer(b, NODE);
    const user = await client({ twinId: USER, identity: a });
    const pending = user.request(NODE, 'zos.network.list_wg_ports', { secret: 'wg-key' });
    const req = await node.next();
    expect(req.message).toEqual({ kind: 'request', command: 'zos.network.list_wg_ports' });
    expect(req.source).toEqual({ twin: USER });
    expect(req.payload?.kind).toBe('cipher');
    expect(Buffer.from(req.payload!.data).toString('latin1')).not.toContain('wg-key');
    expect(verifyEnvelope(req, a.address)).toBe(true);
    expect(json(decryptPayload(b, a.rmbPublicKey, req.payload!.data))).toEqual({ secret: 'wg-key' });
    node.send(reply(req, b, [3000, 3001], a.rmbPublicKey));
    expect(await pending).toEqual([3000, 3001]);
  });

  it('sends plain to a twin without pk', async () => {
    const other = await peer(c, OTHER);
    const user = await client({ twinId: USER, identity: a });
    void user.request(OTHER, 'x.y', { n: 1 }, { timeoutMs: 500, retries: 0 }).catch(() => undefined);
    const req = await other.next();
    expect(req.payload?.kind).toBe('plain');
    expect(json(req.payload!.data)).toEqual({ n: 1 });
  });

  it('retries once with a fresh uid, then times out naming the destination twin', async () => {
    const node = await peer(b, NODE);
    const user = await client({ twinId: USER, identity: a, timeoutMs: 300 });
    const err = await user.request(NODE, 'zos.deployment.get', { contract_id: 1 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RmbTimeoutError);
    expect((err as RmbTimeoutError).twin).toBe(NODE);
    expect((err as Error).message).toMatch(/twin 4242.*zos\.deployment\.get.*2 attempts/);
    const first = await node.next();
    const second = await node.next();
    expect(first.uid).not.toBe(second.uid);
    await expect(node.next(400)).rejects.toThrow(); // no third attempt
  });

  it('succeeds when only the retry is answered, and a late reply to the first attempt settles too', async () => {
    const node = await peer(b, NODE);
    const user = await client({ twinId: USER, identity: a, timeoutMs: 300 });
    const pending = user.request(NODE, 'zos.system.version', undefined);
    const first = await node.next();
    const second = await node.next();
    node.send(reply(second, b, 'v1', a.rmbPublicKey));
    expect(await pending).toBe('v1');
    const pending2 = user.request(NODE, 'zos.system.version', undefined);
    const again = await node.next();
    await node.next(); // its retry
    node.send(reply(again, b, 'late', a.rmbPublicKey));
    expect(await pending2).toBe('late');
    expect(first.uid).not.toBe(again.uid);
  });

  it('refuses a reply signed by another key', async () => {
    const node = await peer(b, NODE);
    const user = await client({ twinId: USER, identity: a });
    const pending = user.request(NODE, 'zos.deployment.get', {});
    const req = await node.next();
    node.send(reply(req, c, { forged: true }, a.rmbPublicKey));
    await expect(pending).rejects.toThrow(/twin 4242.*not signed by its account; refused/);
  });

  it('ignores a reply from a twin it did not ask', async () => {
    const node = await peer(b, NODE);
    const other = await peer(c, OTHER);
    const user = await client({ twinId: USER, identity: a, timeoutMs: 400, retries: 0 });
    const pending = user.request(NODE, 'zos.deployment.get', {});
    const req = await node.next();
    other.send({ ...reply(req, c, 'from 99', a.rmbPublicKey), source: { twin: OTHER } });
    await expect(pending).rejects.toBeInstanceOf(RmbTimeoutError);
  });

  it('passes remote errors and unknown commands back as RmbRemoteError', async () => {
    const node = await client({ twinId: NODE, identity: b });
    node.serve({
      'zos.fail': () => {
        throw new RmbHandlerError(7, 'not today');
      },
    });
    const user = await client({ twinId: USER, identity: a });
    const e1 = (await user.request(NODE, 'zos.fail', {}).catch((e: Error) => e)) as RmbRemoteError;
    expect(e1).toBeInstanceOf(RmbRemoteError);
    expect([e1.code, e1.remoteMessage, e1.fromRelay]).toEqual([7, 'not today', false]);
    const e2 = (await user.request(NODE, 'zos.nope').catch((e: Error) => e)) as RmbRemoteError;
    expect([e2.code, e2.remoteMessage]).toEqual([404, 'unknown command zos.nope']);
  });

  it('the responder drops requests not signed by the sender account', async () => {
    const node = await client({ twinId: NODE, identity: b });
    let called = 0;
    node.serve({ 'zos.echo': () => ++called });
    const liar = await peer(c, OTHER);
    // twin 99 signs as twin 99 but with twin 17's key: not its account
    liar.send(
      signEnvelope(
        {
          uid: 'u',
          timestamp: Math.floor(Date.now() / 1000),
          expiration: 30,
          source: { twin: OTHER },
          destination: { twin: NODE },
          message: { kind: 'request', command: 'zos.echo' },
        },
        a,
      ),
    );
    await expect(liar.next(400)).rejects.toThrow();
    expect(called).toBe(0);
  });

  it('the responder runs a replayed request once', async () => {
    const node = await client({ twinId: NODE, identity: b });
    let called = 0;
    node.serve({ 'zos.deployment.deploy': () => ++called });
    const user = await peer(a, USER);
    const signed = signEnvelope(
      {
        uid: 'replayed',
        timestamp: Math.floor(Date.now() / 1000),
        expiration: 30,
        source: { twin: USER },
        destination: { twin: NODE },
        message: { kind: 'request', command: 'zos.deployment.deploy' },
      },
      a,
    );
    user.send(signed);
    expect((await user.next()).message).toEqual({ kind: 'response' });
    user.send(signed);
    await expect(user.next(400)).rejects.toThrow();
    expect(called).toBe(1);
  });

  it('is refused by the relay with a token of another account', async () => {
    const err = await RmbClient.connect({ relayUrl: relay.url, twins, twinId: USER, identity: c }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(RmbError);
    expect((err as Error).message).toMatch(/401/);
    expect((err as Error).message).not.toMatch(/\?ey/); // the token is not in the message
  });

  it('gets the relay error for an unknown destination', async () => {
    const user = await client({
      twinId: USER,
      identity: a,
      twins: staticTwins([{ id: 5555, accountId: c.address }]),
    });
    const err = (await user.request(5555, 'zos.x', {}).catch((e: Error) => e)) as RmbRemoteError;
    expect(err.fromRelay).toBe(true);
    expect(err.message).toMatch(/relay refused zos\.x to twin 5555: unknown twin destination/);
  });

  it('pings the relay and closes without leaving timers or sockets', async () => {
    const before = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    const user = await RmbClient.connect({
      relayUrl: relay.url,
      twins,
      twinId: USER,
      identity: a,
      pingIntervalMs: 50,
    });
    await user.ping();
    await new Promise((r) => setTimeout(r, 150)); // a few automatic pings
    const pending = user.request(NODE, 'zos.x', {}).catch((e: Error) => e);
    await user.close();
    expect(((await pending) as Error).message).toMatch(/closed/);
    await new Promise((r) => setTimeout(r, 50));
    const after = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    expect(after).toBeLessThanOrEqual(before);
    expect(relay.sessions()).not.toContain(`${USER}`);
  });

  it('reconnects after the relay drops it', async () => {
    const node = await client({ twinId: NODE, identity: b });
    node.serve({ 'zos.echo': (p) => p });
    const user = await client({ twinId: USER, identity: a, reconnectDelayMs: 50, timeoutMs: 1000 });
    // a second login of the same session replaces the first, as the real relay does
    const thief = await peer(a, USER);
    await thief.close();
    expect(await user.request(NODE, 'zos.echo', 'back')).toBe('back');
  });
});

describe("rmb_direct_client's own Client through our relay", () => {
  it('sends a request our responder answers, and reads the encrypted, signed reply', async () => {
    const node = await client({ twinId: NODE, identity: b });
    node.serve({ 'zos.echo': (p, ctx) => ({ p, ctx }) });
    const rc = new rdc.Client('ws://127.0.0.1:9', relay.url, MNEMONIC_A, 'rdc', 'sr25519', 1);
    try {
      // Its connect() needs TFChain (twin lookup, then a `twins.update` write); the pieces under it do not.
      rc.tfclient = {
        connect: async () => undefined,
        disconnect: async () => undefined,
        twins: {
          get: async ({ id }) => ({
            ...(await twins.get(id)),
            pk: id === NODE ? b.rmbPublicKeyHex : a.rmbPublicKeyHex,
          }),
        },
      };
      await rc.createSigner();
      rc.twin = { id: USER, accountId: a.address, pk: a.rmbPublicKeyHex, relay: '127.0.0.1' };
      rc.updateSource();
      rc.createConnection();
      await rc.waitForOpenConnection();
      const uid = await rc.send('zos.echo', JSON.stringify({ hello: 'node' }), NODE, 1);
      expect(await rc.read(uid)).toEqual({
        p: { hello: 'node' },
        ctx: { source: { twin: USER, connection: 'rdc' }, command: 'zos.echo' },
      });
    } finally {
      rc.con?.close();
      rdc.Client.connections.clear();
    }
  });

  it('our client answers its request and its verify() accepts our signature (the reverse direction)', async () => {
    // twin USER serves, rmb_direct_client (as NODE) asks
    const server = await client({ twinId: USER, identity: a });
    server.serve({ 'zos.echo': (p) => ({ echoed: p }) });
    const rc = new rdc.Client('ws://127.0.0.1:9', relay.url, MNEMONIC_B, 'rdc2', 'sr25519', 1);
    try {
      rc.tfclient = {
        connect: async () => undefined,
        disconnect: async () => undefined,
        twins: {
          get: async ({ id }) => ({
            ...(await twins.get(id)),
            pk: id === NODE ? b.rmbPublicKeyHex : a.rmbPublicKeyHex,
          }),
        },
      };
      await rc.createSigner();
      rc.twin = { id: NODE, accountId: b.address, pk: b.rmbPublicKeyHex, relay: '127.0.0.1' };
      rc.updateSource();
      rc.createConnection();
      await rc.waitForOpenConnection();
      const uid = await rc.send('zos.echo', JSON.stringify([1, 2]), USER, 1);
      expect(await rc.read(uid)).toEqual({ echoed: [1, 2] });
    } finally {
      rc.con?.close();
      rdc.Client.connections.clear();
    }
  });
});
