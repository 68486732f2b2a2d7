import { Keyring } from '../../src/core/store/keyring.js';
import { openNodeStore } from '../../src/core/store/open-node-store.js';
import { passphraseSlot } from '../../src/core/store/passphrase-slot.js';
import type { ScryptParams } from '../../src/core/store/key-slots.js';
import type { StateStore } from '../../src/core/store/state-store.js';
import { TunnelStore } from '../../src/core/tunnels/tunnel-store.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';

/** Cheap scrypt cost for tests only; the product uses N = 2^17 and refuses less from the file. */
export const TEST_MIN_N = 1 << 10;
export const testParams = (): ScryptParams => ({
  salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
  N: TEST_MIN_N,
  r: 8,
  p: 1,
});

/** A passphrase slot method at the tests' cheap cost. */
export const testSlot = (passphrase: string, newParams: () => ScryptParams = testParams) =>
  passphraseSlot(async () => passphrase, { newParams, minN: TEST_MIN_N });

export const testKeyring = (store: StateStore, passphrase: string, newParams?: () => ScryptParams) =>
  new Keyring(store, [testSlot(passphrase, newParams)], { minN: TEST_MIN_N });

export function openTestStore(dir: string, passphrase = 'correct horse') {
  const store = openNodeStore(dir);
  const keyring = testKeyring(store, passphrase);
  return { store, keyring, tunnels: new TunnelStore(store, keyring) };
}

export function sampleConfig(extra = '') {
  const me = generateKeyPair();
  const peer = generateKeyPair();
  const text = `[Interface]\nPrivateKey = ${me.privateKey}\nAddress = 10.7.0.2/24\n${extra}\n[Peer]\nPublicKey = ${peer.publicKey}\nAllowedIPs = 10.7.0.0/24\nEndpoint = 198.51.100.9:51820\n`;
  return { text, me, peer };
}
