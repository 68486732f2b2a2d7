/**
 * Our RMB pieces against @threefold/rmb_direct_client 2.9.2's (loaded by file, as an oracle only): the
 * same envelope bytes, the same challenge, signatures and tokens each side verifies, and payloads each
 * side decrypts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import { decryptPayload, encryptPayload, NONCE_LENGTH } from '../../../src/grid3/rmb/e2e.js';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../../../src/grid3/rmb/envelope.js';
import { parseRelayToken, relayToken, verifyRelayToken } from '../../../src/grid3/rmb/jwt.js';
import { envelopeChallenge, signEnvelope, verifyEnvelope } from '../../../src/grid3/rmb/signature.js';
import { MNEMONIC_A, MNEMONIC_B } from './keys.js';
import {
  type KeyringPairLike,
  loadedWithoutNetwork,
  type PbEnvelope,
  polkadotKeyring,
  rdc,
} from './rmb-direct-client.js';

const { Keyring, waitReady } = polkadotKeyring();
const T = rdc.types;
let a: Grid3Account;
let b: Grid3Account;
let pairA: KeyringPairLike;
beforeAll(async () => {
  await waitReady();
  a = await Grid3Account.fromMnemonic(MNEMONIC_A);
  b = await Grid3Account.fromMnemonic(MNEMONIC_B);
  pairA = new Keyring({ type: 'sr25519' }).addFromMnemonic(MNEMONIC_A);
});

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const bytes = (s: string) => new Uint8Array(Buffer.from(s));

/** The same envelope built both ways. */
function cases(): Array<[string, Envelope, PbEnvelope]> {
  const sig = new Uint8Array(65).fill(7);
  return [
    [
      'request, all fields',
      {
        uid: '5b0e6f4c-1c5e-4a8e-9a55-2f1b0d3c4e5f',
        tags: 'fail-fast',
        timestamp: 1764627600,
        expiration: 1200,
        source: { twin: 17, connection: 'overlay-connect' },
        destination: { twin: 4242 },
        message: { kind: 'request', command: 'zos.deployment.get' },
        signature: sig,
        schema: 'application/json',
        federation: 'relay.dev.grid.tf',
        payload: { kind: 'plain', data: bytes('{"contract_id":12}') },
        relays: ['relay.dev.grid.tf', 'relay.02.dev.grid.tf'],
      },
      new T.Envelope({
        uid: '5b0e6f4c-1c5e-4a8e-9a55-2f1b0d3c4e5f',
        tags: 'fail-fast',
        timestamp: 1764627600,
        expiration: 1200,
        source: new T.Address({ twin: 17, connection: 'overlay-connect' }),
        destination: new T.Address({ twin: 4242 }),
        request: new T.Request({ command: 'zos.deployment.get' }),
        signature: sig,
        schema: 'application/json',
        federation: 'relay.dev.grid.tf',
        plain: bytes('{"contract_id":12}'),
        relays: ['relay.dev.grid.tf', 'relay.02.dev.grid.tf'],
      }),
    ],
    [
      'error reply (oneof member after signature in number order)',
      {
        uid: 'u-1',
        timestamp: 1764627601,
        expiration: 300,
        source: { twin: 4242 },
        destination: { twin: 17, connection: '' },
        message: { kind: 'error', code: 3, message: 'no such deployment' },
        signature: sig,
        schema: 'application/json',
      },
      new T.Envelope({
        uid: 'u-1',
        timestamp: 1764627601,
        expiration: 300,
        source: new T.Address({ twin: 4242 }),
        destination: new T.Address({ twin: 17, connection: '' }),
        error: new T.Error({ code: 3, message: 'no such deployment' }),
        signature: sig,
        schema: 'application/json',
      }),
    ],
    [
      'response with cipher',
      {
        uid: 'u-2',
        timestamp: 1764627602,
        expiration: 60,
        source: { twin: 4242 },
        destination: { twin: 17 },
        message: { kind: 'response' },
        signature: sig,
        payload: { kind: 'cipher', data: new Uint8Array([0, 1, 2, 250, 255]) },
      },
      new T.Envelope({
        uid: 'u-2',
        timestamp: 1764627602,
        expiration: 60,
        source: new T.Address({ twin: 4242 }),
        destination: new T.Address({ twin: 17 }),
        response: new T.Response(),
        signature: sig,
        cipher: new Uint8Array([0, 1, 2, 250, 255]),
      }),
    ],
    [
      'ping with an empty destination, as rmb_direct_client pings',
      {
        uid: 'p',
        timestamp: 1764627603,
        expiration: 40,
        source: { twin: 17 },
        destination: { twin: 0 },
        message: { kind: 'ping' },
      },
      new T.Envelope({
        uid: 'p',
        timestamp: 1764627603,
        expiration: 40,
        source: new T.Address({ twin: 17 }),
        destination: new T.Address(),
        ping: new T.Ping(),
      }),
    ],
    [
      'pong',
      {
        uid: 'p',
        timestamp: 1764627603,
        expiration: 40,
        destination: { twin: 17 },
        message: { kind: 'pong' },
        payload: { kind: 'plain', data: bytes('hello world') },
      },
      new T.Envelope({
        uid: 'p',
        timestamp: 1764627603,
        expiration: 40,
        destination: new T.Address({ twin: 17 }),
        pong: new T.Pong(),
        plain: bytes('hello world'),
      }),
    ],
  ];
}

describe('loading rmb_direct_client for these tests', () => {
  it('opened no network connection and resolved no name', () => {
    expect(loadedWithoutNetwork()).toEqual([]);
  });
});

describe('envelope encoding against rmb_direct_client (google-protobuf)', () => {
  it.each(cases())('%s: identical bytes, and each decodes the other', (_name, ours, theirs) => {
    const mine = encodeEnvelope(ours);
    expect(hex(mine)).toBe(hex(theirs.serializeBinary()));
    expect(decodeEnvelope(theirs.serializeBinary())).toEqual(ours);
    const back = T.Envelope.deserializeBinary(mine);
    expect(back.uid).toBe(theirs.uid);
    expect(hex(back.serializeBinary())).toBe(hex(mine));
  });

  it('refuses untrusted input that is not one unambiguous, bounded envelope', () => {
    const good = encodeEnvelope(cases()[0]![1]);
    expect(() => decodeEnvelope(good, good.length - 1)).toThrow(/larger/);
    expect(() => decodeEnvelope(new Uint8Array([0x0a, 0xff]))).toThrow(/not an RMB envelope/);
    // request (7) and ping (15) both set
    const two = new Uint8Array([...good, 0x7a, 0x00]);
    expect(() => decodeEnvelope(two)).toThrow(/two members/);
    // plain (13) and cipher (14)
    expect(() => decodeEnvelope(new Uint8Array([0x6a, 0x01, 0x61, 0x72, 0x01, 0x62]))).toThrow(/two members/);
    // a timestamp past 2^53
    expect(() =>
      decodeEnvelope(new Uint8Array([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
    ).toThrow(/time/);
    // a uid longer than any real one
    expect(() => encodeEnvelope({ uid: 'x'.repeat(300), timestamp: 0, expiration: 0 })).toThrow(/uid/);
  });
});

describe('challenge and signatures against rmb_direct_client', () => {
  it.each(cases().filter(([n]) => !n.startsWith('pong')))(
    '%s: the same MD5 challenge',
    (_n, ours, theirs) => {
      // ClientEnvelope always sets schema application/json
      const withSchema: Envelope = { ...ours, schema: 'application/json' };
      const ce = new rdc.ClientEnvelope(undefined, theirs, '', undefined, new Map());
      expect(hex(envelopeChallenge(withSchema))).toBe(hex(ce.challenge()));
    },
  );

  it('its signature verifies with ours, and ours with its verify()', async () => {
    const [, ours, theirs] = cases()[0]!;
    const ce = new rdc.ClientEnvelope(pairA, theirs, '', undefined, new Map());
    const sig = ce.signEnvelope();
    expect(String.fromCharCode(sig[0]!)).toBe('s');
    const mine: Envelope = { ...ours, schema: 'application/json', signature: sig };
    expect(verifyEnvelope(mine, a.address)).toBe(true);
    expect(verifyEnvelope(mine, b.address)).toBe(false);
    expect(verifyEnvelope({ ...mine, uid: 'other' }, a.address)).toBe(false);

    const signed = signEnvelope({ ...ours, schema: 'application/json' }, a);
    const twins = new Map([
      [
        17,
        {
          twin: { id: 17, accountId: a.address, pk: a.rmbPublicKeyHex, relay: 'r' },
          timestamp: Math.round(Date.now() / 1000),
        },
      ],
    ]);
    const check = new rdc.ClientEnvelope(
      undefined,
      T.Envelope.deserializeBinary(encodeEnvelope(signed)),
      '',
      undefined,
      twins,
    );
    expect(await check.verify()).toBe(true);
    const forged = signEnvelope({ ...ours, schema: 'application/json' }, b);
    const check2 = new rdc.ClientEnvelope(
      undefined,
      T.Envelope.deserializeBinary(encodeEnvelope(forged)),
      '',
      undefined,
      twins,
    );
    expect(await check2.verify()).toBe(false);
  });
});

describe('relay token against rmb_direct_client newJWT', () => {
  it('same header and claims for the same twin, session and time; signatures verify both ways', () => {
    const newJWT = rdc.Client.prototype.newJWT as (this: unknown, s: string) => string;
    const theirs = newJWT.call({ twin: { id: 17 }, signer: pairA }, 'overlay-connect');
    const { iat } = parseRelayToken(theirs);
    const ours = relayToken(a, 17, 'overlay-connect', iat);
    const [h1, c1, s1] = theirs.split('.');
    const [h2, c2, s2] = ours.split('.');
    expect(`${h2}.${c2}`).toBe(`${h1}.${c1}`);
    expect(JSON.parse(Buffer.from(c2!, 'base64url').toString())).toEqual({
      sub: 17,
      iat,
      exp: iat + 1000,
      sid: 'overlay-connect',
    });
    expect(s1).not.toBe(s2); // sr25519 signatures are randomised
    expect(verifyRelayToken(theirs, a.address)).toBe(true);
    expect(verifyRelayToken(ours, a.address)).toBe(true);
    expect(verifyRelayToken(ours, b.address)).toBe(false);
    const sig = Buffer.from(s2!, 'base64url');
    expect(sig[0]).toBe(0x73);
    expect(pairA.verify(Buffer.from(`${h2}.${c2}`), sig.subarray(1), pairA.publicKey)).toBe(true);
    // tampered claims
    const other = Buffer.from(
      JSON.stringify({ sub: 18, iat, exp: iat + 1000, sid: 'overlay-connect' }),
    ).toString('base64url');
    expect(verifyRelayToken(`${h2}.${other}.${s2}`, a.address)).toBe(false);
  });

  it('refuses expired or malformed tokens', () => {
    const t = relayToken(a, 17, undefined, 1000, 10);
    expect(() => parseRelayToken(t, 2000)).toThrow(/expired/);
    expect(parseRelayToken(t, 1005)).toEqual({ sub: 17, iat: 1000, exp: 1010 });
    for (const bad of [
      '',
      'a.b',
      'a.b.c.d',
      `x.${Buffer.from('{"sub":0,"iat":1,"exp":9999999999}').toString('base64url')}.y`,
    ])
      expect(() => parseRelayToken(bad, 1005)).toThrow();
  });
});

describe('end-to-end payloads against rmb_direct_client', () => {
  it('ours decrypts theirs and theirs decrypts ours', async () => {
    const data = JSON.stringify({ hello: 'zos', n: [1, 2, 3] });
    const ce = new rdc.ClientEnvelope(pairA, new T.Envelope({}), '', undefined, new Map());
    const theirs = await ce.encrypt(data, MNEMONIC_A, b.rmbPublicKeyHex);
    expect(Buffer.from(decryptPayload(b, a.rmbPublicKey, theirs)).toString()).toBe(data);

    const ours = encryptPayload(b, a.rmbPublicKey, bytes(data));
    const recv = new rdc.ClientEnvelope(
      undefined,
      new T.Envelope({ cipher: ours }),
      '',
      undefined,
      new Map(),
    );
    recv.twin = { id: 18, pk: Buffer.from(b.rmbPublicKey).toString('hex'), accountId: b.address, relay: '' };
    expect(Buffer.from(await recv.decrypt(MNEMONIC_A)).toString()).toBe(data);

    expect(() => decryptPayload(a, a.rmbPublicKey, ours)).toThrow(/authenticate/);
    const altered = new Uint8Array(ours);
    altered[NONCE_LENGTH] = altered[NONCE_LENGTH]! ^ 1;
    expect(() => decryptPayload(a, b.rmbPublicKey, altered)).toThrow(/authenticate/);
  });

  it('draws nonces from the CSPRNG, where rmb_direct_client uses Math.random()*10 (bytes 0..9 only)', async () => {
    const ce = new rdc.ClientEnvelope(pairA, new T.Envelope({}), '', undefined, new Map());
    const theirs = await Promise.all(
      Array.from({ length: 20 }, () => ce.encrypt('x', MNEMONIC_A, b.rmbPublicKeyHex)),
    );
    expect(theirs.every((c) => [...c.subarray(0, NONCE_LENGTH)].every((x) => x < 10))).toBe(true);
    const ours = Array.from({ length: 20 }, () =>
      encryptPayload(a, b.rmbPublicKey, bytes('x')).subarray(0, NONCE_LENGTH),
    );
    expect(new Set(ours.map(hex)).size).toBe(20);
    expect(ours.some((n) => [...n].some((x) => x >= 10))).toBe(true);
  });
});
