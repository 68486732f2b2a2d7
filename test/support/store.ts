import { Keyring } from '../../src/core/store/keyring.js';
import { openNodeStore } from '../../src/core/store/open-node-store.js';
import { passphraseProvider } from '../../src/core/store/passphrase-provider.js';
import { TunnelStore } from '../../src/core/tunnels/tunnel-store.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';

/** Cheap scrypt cost for tests only; the product uses newScryptParams(). */
export const testParams = () => ({ salt: 'c2FsdHNhbHRzYWx0c2FsdA==', N: 1 << 10, r: 8, p: 1 });

export function openTestStore(dir: string, passphrase = 'correct horse') {
  const store = openNodeStore(dir);
  const keyring = new Keyring(
    store,
    passphraseProvider(async () => passphrase, testParams),
  );
  return { store, keyring, tunnels: new TunnelStore(store, keyring) };
}

export function sampleConfig(extra = '') {
  const me = generateKeyPair();
  const peer = generateKeyPair();
  const text = `[Interface]\nPrivateKey = ${me.privateKey}\nAddress = 10.7.0.2/24\n${extra}\n[Peer]\nPublicKey = ${peer.publicKey}\nAllowedIPs = 10.7.0.0/24\nEndpoint = 198.51.100.9:51820\n`;
  return { text, me, peer };
}
