import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  EnvelopeError,
} from '../../../src/grid3/rmb/envelope.js';
import { envelopeChallenge } from '../../../src/grid3/rmb/signature.js';

const str = (max: number) => fc.string({ maxLength: max });
const address = fc.record({ twin: fc.nat(0xffffffff), connection: str(20) }, { requiredKeys: ['twin'] });
const message = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), command: str(30) }),
  fc.record({ kind: fc.constant('response' as const) }),
  fc.record({ kind: fc.constant('error' as const), code: fc.nat(0xffffffff), message: str(40) }),
  fc.record({ kind: fc.constant('ping' as const) }),
  fc.record({ kind: fc.constant('pong' as const) }),
);
const envelope: fc.Arbitrary<Envelope> = fc.record(
  {
    uid: str(40),
    tags: str(20),
    timestamp: fc.nat(2 ** 40),
    expiration: fc.nat(2 ** 20),
    source: address,
    destination: address,
    message,
    signature: fc.uint8Array({ maxLength: 65 }),
    schema: str(20),
    federation: str(20),
    payload: fc.record({
      kind: fc.constantFrom('plain' as const, 'cipher' as const),
      data: fc.uint8Array({ maxLength: 64 }),
    }),
    relays: fc.array(str(10), { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ['uid', 'timestamp', 'expiration'] },
);

describe('envelope codec', () => {
  it('round-trips any valid envelope, with the same challenge', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const back = decodeEnvelope(encodeEnvelope(e));
        expect(back).toEqual(e);
        expect(envelopeChallenge(back)).toEqual(envelopeChallenge(e));
      }),
      { numRuns: 300 },
    );
  });

  it('turns any byte string into an envelope or an EnvelopeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeEnvelope(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(EnvelopeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an empty connection apart from none: they are different relay sessions', () => {
    const e = decodeEnvelope(
      encodeEnvelope({ uid: 'u', timestamp: 1, expiration: 1, source: { twin: 5, connection: '' } }),
    );
    expect(e.source).toEqual({ twin: 5, connection: '' });
    expect(
      decodeEnvelope(encodeEnvelope({ uid: 'u', timestamp: 1, expiration: 1, source: { twin: 5 } })).source,
    ).toEqual({ twin: 5 });
  });
});

describe('envelope text', () => {
  it('refuses a lone surrogate, which has no UTF-8 form to sign', () => {
    expect(() => encodeEnvelope({ uid: 'a\ud800b', timestamp: 1, expiration: 1 })).toThrow(EnvelopeError);
    expect(encodeEnvelope({ uid: 'a\ud83d\ude00b', timestamp: 1, expiration: 1 }).length).toBeGreaterThan(0);
  });
});
