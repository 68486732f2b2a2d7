import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../../../src/core/wgconf/check.js';
import { gate } from '../../support/gate.js';
import { generateKeyPair, isWgKey, keyProblem, publicKeyOf } from '../../../src/core/wgconf/keys.js';

const wg = findExecutable('wg');
const wgRun = (args: string[], input?: string) => execFileSync(wg!, args, { input, encoding: 'utf8' }).trim();

describe('key pairs', () => {
  it('generates clamped X25519 keys in WireGuard form', () => {
    const { privateKey, publicKey } = generateKeyPair();
    expect(isWgKey(privateKey) && isWgKey(publicKey)).toBe(true);
    const raw = Buffer.from(privateKey, 'base64');
    expect(raw[0]! & 7).toBe(0);
    expect(raw[31]! & 0xc0).toBe(0x40);
    expect(publicKeyOf(privateKey)).toBe(publicKey);
  });

  it('explains what is wrong with a key', () => {
    expect(keyProblem('PrivateKey', generateKeyPair().privateKey)).toBeUndefined();
    expect(keyProblem('PrivateKey', 'YOUR_PRIVATE_KEY')).toMatch(/placeholder/);
  });

  const noWg = gate(
    'key agreement with wg(8)',
    wg ? undefined : '`wg` not found (apt-get install wireguard-tools)',
  );
  it.skipIf(noWg)('agrees with wg genkey / wg pubkey both ways', () => {
    for (let i = 0; i < 20; i++) {
      const ours = generateKeyPair();
      expect(wgRun(['pubkey'], ours.privateKey)).toBe(ours.publicKey);
      const theirs = wgRun(['genkey']);
      expect(publicKeyOf(theirs)).toBe(wgRun(['pubkey'], theirs));
    }
  });
});
