import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account, verifySr25519 } from '../../../src/core/grid3/account.js';
import { MNEMONIC_A, MNEMONIC_B } from '../../grid3/rmb/keys.js';
import { polkadotKeyring, rdc } from '../../grid3/rmb/rmb-direct-client.js';

const { Keyring, waitReady } = polkadotKeyring();
let a: Grid3Account;
let b: Grid3Account;
beforeAll(async () => {
  await waitReady();
  a = await Grid3Account.fromMnemonic(MNEMONIC_A);
  b = await Grid3Account.fromMnemonic(MNEMONIC_B);
});

describe('Grid3Account against @polkadot/keyring addFromMnemonic (what grid_client uses)', () => {
  it('has the same sr25519 public key and SS58 (42) address', () => {
    for (const [m, acc] of [
      [MNEMONIC_A, a],
      [MNEMONIC_B, b],
    ] as const) {
      const pair = new Keyring({ type: 'sr25519' }).addFromMnemonic(m);
      expect(acc.address).toBe(pair.address);
      expect(Buffer.from(acc.publicKey).toString('hex')).toBe(Buffer.from(pair.publicKey).toString('hex'));
    }
    // the Substrate dev phrase's well-known sr25519 account (no derivation path)
    expect(a.address).toBe('5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV');
  });

  it('signs so that keyring verifies, and verifies what keyring signs (context "substrate")', () => {
    const pair = new Keyring({ type: 'sr25519' }).addFromMnemonic(MNEMONIC_A);
    const msg = new TextEncoder().encode('overlay-connect');
    const ours = a.sign(msg);
    expect(ours.length).toBe(64);
    expect(pair.verify(msg, ours, pair.publicKey)).toBe(true);
    expect(a.verify(msg, pair.sign(msg))).toBe(true);
    expect(verifySr25519(msg, ours, a.address)).toBe(true);
    expect(verifySr25519(msg, ours, b.address)).toBe(false);
    expect(verifySr25519(new TextEncoder().encode('other'), ours, a.address)).toBe(false);
    expect(verifySr25519(msg, ours.subarray(1), a.address)).toBe(false);
    expect(verifySr25519(msg, ours, 'not an address')).toBe(false);
  });

  it("has rmb_direct_client's secp256k1 pk and shared key", () => {
    expect(a.rmbPublicKeyHex).toBe(rdc.util.generatePublicKey(MNEMONIC_A));
    expect(a.rmbPublicKey.length).toBe(33);
    const theirs = Buffer.from(rdc.sign.createShared(b.rmbPublicKey, MNEMONIC_A)).toString('hex');
    expect(Buffer.from(a.rmbSharedKey(b.rmbPublicKey)).toString('hex')).toBe(theirs);
    expect(Buffer.from(b.rmbSharedKey(a.rmbPublicKey)).toString('hex')).toBe(theirs);
  });

  it('never shows a secret when stringified or inspected', () => {
    const shown =
      JSON.stringify(a) + inspect(a, { showHidden: true, depth: 5 }) + String(a) + Object.keys(a).join();
    for (const word of MNEMONIC_A.split(' ')) expect(shown).not.toContain(word);
    expect(shown).toContain(a.address);
  });

  it('refuses what is not a BIP39 mnemonic, without echoing it', async () => {
    for (const bad of [
      '',
      '//Alice',
      'bottom drive obey lake curtain smoke basket hold race lonely fit fit',
      '0x' + '11'.repeat(32),
    ]) {
      const err = await Grid3Account.fromMnemonic(bad).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      if (bad) expect((err as Error).message).not.toContain(bad);
    }
  });
});
