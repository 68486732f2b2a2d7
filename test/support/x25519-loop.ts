/**
 * Run as its own process by x25519-no-deadlock.test.ts: generates COUNT X25519 key pairs and seals a
 * WireGuard key to each with the product's own code, then prints what it did. A native deadlock would
 * block this process for ever; the parent, whose event loop stays free, kills it at its limit.
 */
import { sealTo } from '../../src/core/crypto/sealed-box.js';
import { loadSodium } from '../../src/core/crypto/sodium.js';
import { x25519KeyPair } from '../../src/core/crypto/x25519.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';

const count = Number(process.argv[2]);
const sodium = await loadSodium();
const message = new TextEncoder().encode(generateKeyPair().privateKey);
let sealedBytes = 0;
for (let i = 0; i < count; i++) {
  const { publicKey } = x25519KeyPair();
  sealedBytes += sealTo(sodium, message, publicKey).length;
}
process.stdout.write(JSON.stringify({ count, sealedBytes }) + '\n');
