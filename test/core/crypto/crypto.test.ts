import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  identityFromSeed,
  newIdentity,
  nodeIdOf,
  signHex,
  toHex,
  verifyHex,
} from '../../../src/core/crypto/identity-keys.js';
import {
  nodeCurveKey,
  openSealed,
  SEAL_OVERHEAD,
  sealTo,
  sealWireguardKey,
} from '../../../src/core/crypto/sealed-box.js';
import { loadSodium } from '../../../src/core/crypto/sodium.js';
import {
  clampScalar,
  x25519KeyPair,
  x25519PublicKey,
  x25519Shared,
} from '../../../src/core/crypto/x25519.js';
import { bytesToKey, publicKeyOf } from '../../../src/core/wgconf/keys.js';

// zos pkg/crypto/crypto_test.go (made with PyNaCl)
const V = {
  seed: '12345678901234567890123456789012',
  edPublic: '2f8c6129d816cf51c374bc7f08c3e63ed156cf78aefb4a6550d97b87997977ee',
  curvePrivate: 'f0106660c3dda23f16daa9ac5b811b963077f5bc0af89f85804f0de8e424f050',
  curvePublic: 'f22aa4a9ec6ff1e591d83dc97d8cdfceea8f7cd7453281e07672d415b9637454',
  sealed:
    '0bfe9e3b9ce17fe6d570b165ea2a01034326b8c81d5f2c5384c8fe886552f074ec43017465598c4f5a857b495b445be46c3df48d14878bd0b1b907',
};

describe('zos vectors', () => {
  it('ed25519 key from the seed, and its curve25519 forms', async () => {
    const sodium = await loadSodium();
    const id = identityFromSeed(new TextEncoder().encode(V.seed));
    expect(toHex(id.publicKey)).toBe(V.edPublic);
    expect(toHex(nodeCurveKey(sodium, V.edPublic))).toBe(V.curvePublic);
    expect(toHex(sodium.crypto_sign_ed25519_sk_to_curve25519(id.secretKey))).toBe(V.curvePrivate);
  });

  it('the vector sealed box opens to "hello world"', async () => {
    const sodium = await loadSodium();
    const opened = openSealed(
      sodium,
      Buffer.from(V.sealed, 'hex'),
      Buffer.from(V.curvePublic, 'hex'),
      Buffer.from(V.curvePrivate, 'hex'),
    );
    expect(new TextDecoder().decode(opened)).toBe('hello world');
  });

  it('our sealed box opens with libsodium and the vector key, with 48 bytes of overhead', async () => {
    const sodium = await loadSodium();
    const sealed = sealTo(sodium, new TextEncoder().encode('hello world'), Buffer.from(V.curvePublic, 'hex'));
    expect(sealed.length).toBe(11 + SEAL_OVERHEAD);
    expect(
      new TextDecoder().decode(
        openSealed(sodium, sealed, Buffer.from(V.curvePublic, 'hex'), Buffer.from(V.curvePrivate, 'hex')),
      ),
    ).toBe('hello world');
    // A tampered byte does not open.
    sealed[40]! ^= 1;
    expect(() =>
      openSealed(sodium, sealed, Buffer.from(V.curvePublic, 'hex'), Buffer.from(V.curvePrivate, 'hex')),
    ).toThrow();
  });

  it('a node made in the test opens the sealed NR key and gets the base64 text of the key whose public key is planned', async () => {
    const sodium = await loadSodium();
    const node = newIdentity();
    const nr = x25519KeyPair();
    const sealedHex = sealWireguardKey(
      sodium,
      bytesToKey(nr.secretKey),
      nodeCurveKey(sodium, toHex(node.publicKey)),
    );
    const curveSecret = sodium.crypto_sign_ed25519_sk_to_curve25519(node.secretKey);
    const curvePublic = sodium.crypto_sign_ed25519_pk_to_curve25519(node.publicKey);
    const text = new TextDecoder().decode(
      openSealed(sodium, Buffer.from(sealedHex, 'hex'), curvePublic, curveSecret),
    );
    expect(text).toBe(bytesToKey(nr.secretKey));
    expect(publicKeyOf(text)).toBe(bytesToKey(nr.publicKey));
  });
});

describe('every X25519 implementation we use agrees', () => {
  it('Node crypto and tweetnacl give the same public keys and shared secrets', () => {
    for (let i = 0; i < 50; i++) {
      const a = x25519KeyPair();
      const b = nacl.box.keyPair();
      expect(a.publicKey).toEqual(nacl.scalarMult.base(a.secretKey));
      expect(x25519PublicKey(clampScalar(b.secretKey))).toEqual(b.publicKey);
      expect(x25519Shared(a.secretKey, b.publicKey)).toEqual(nacl.scalarMult(b.secretKey, a.publicKey));
    }
  });

  it('Node crypto keys are WireGuard keys: publicKeyOf (tweetnacl) agrees', () => {
    const a = x25519KeyPair();
    expect(publicKeyOf(bytesToKey(a.secretKey))).toBe(bytesToKey(a.publicKey));
  });

  it('libsodium agrees too', async () => {
    const sodium = await loadSodium();
    const a = x25519KeyPair();
    expect(sodium.crypto_scalarmult_base(a.secretKey)).toEqual(a.publicKey);
  });
});

describe('identities and signatures', () => {
  it('the signature verifies over exactly the text and fails for any one-byte change', () => {
    const id = newIdentity();
    const json = JSON.stringify({
      networks: [{ name: 'n', iprange: '10.1.0.0/16' }],
      expiration_reservation: 1,
    });
    const sig = signHex(id, json);
    expect(sig).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyHex(toHex(id.publicKey), json, sig)).toBe(true);
    for (let i = 0; i < json.length; i++) {
      const changed = json.slice(0, i) + String.fromCharCode(json.charCodeAt(i) ^ 1) + json.slice(i + 1);
      expect(verifyHex(toHex(id.publicKey), changed, sig)).toBe(false);
    }
    expect(verifyHex(toHex(newIdentity().publicKey), json, sig)).toBe(false);
  });

  it('node ids are base58 of the public key', () => {
    expect(nodeIdOf(new Uint8Array(32))).toBe('11111111111111111111111111111111');
  });
});
