/**
 * Key slots: one data key, slots that wrap it, entries bound to their ids, scrypt bounds read from the
 * file, and the migration of a store made before slots (its format is written here by hand, with
 * tweetnacl, as the old code wrote it).
 */
import { scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../../src/core/store/keyring.js';
import { openNodeStore } from '../../../src/core/store/open-node-store.js';
import { passphraseSlot } from '../../../src/core/store/passphrase-slot.js';
import type { KeyringRecord } from '../../../src/core/store/key-slots.js';
import { TunnelStore } from '../../../src/core/tunnels/tunnel-store.js';
import { generateKeyPair } from '../../../src/core/wgconf/keys.js';
import { openTestStore, sampleConfig, testKeyring, testSlot, TEST_MIN_N } from '../../support/store.js';
import { useTempDir } from '../../support/tmp.js';

const raw = (dir: string) => readFileSync(join(dir, 'state.json'), 'utf8');

describe('key slots', () => {
  const tmp = useTempDir();

  it('a new store: one passphrase slot at N = 2^17, entries sealed as v2 and bound to their ids', async () => {
    const dir = join(tmp.path, 'new');
    const store = openNodeStore(dir);
    const keyring = new Keyring(store, [passphraseSlot(async () => 'real cost')]);
    const tunnels = new TunnelStore(store, keyring);
    const a = sampleConfig();
    const b = sampleConfig();
    await tunnels.importText(a.text, { name: 'a' });
    await tunnels.importText(b.text, { name: 'b' });
    const rec = JSON.parse(raw(dir)).keyring as KeyringRecord;
    expect(rec.version).toBe(2);
    expect(rec.slots).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
        kind: 'passphrase',
        kdf: { salt: expect.any(String), N: 1 << 17, r: 8, p: 1 },
        wrapped: expect.any(String),
        createdAt: expect.any(String),
      },
    ]);
    // Swapped between entries, a ciphertext no longer opens: it is bound to its entry's id.
    store.update((d) => {
      [d.secrets['tunnel:a'], d.secrets['tunnel:b']] = [d.secrets['tunnel:b']!, d.secrets['tunnel:a']!];
    });
    const fresh = new TunnelStore(store, new Keyring(store, [passphraseSlot(async () => 'real cost')]));
    await expect(fresh.exportText('a')).rejects.toThrow(/"tunnel:a" .* does not open: the file was altered/);
    await expect(fresh.exportText('b')).rejects.toThrow(/"tunnel:b" .* does not open/);
  });

  it('adding and removing slots leaves every entry as it was; either passphrase opens; never the last', async () => {
    const dir = join(tmp.path, 'slots');
    const { store, keyring, tunnels } = openTestStore(dir, 'first');
    const { text, me } = sampleConfig();
    await tunnels.importText(text, { name: 'x' });
    const entries = JSON.parse(raw(dir)).secrets;
    const added = await keyring.addSlot(testSlot('second'));
    expect(keyring.slots().map((s) => s.id)).toEqual([expect.any(String), added.id]);
    expect(JSON.parse(raw(dir)).secrets).toEqual(entries);
    for (const pass of ['first', 'second']) {
      const t = new TunnelStore(store, testKeyring(store, pass));
      expect(await t.exportText('x')).toContain(`PrivateKey = ${me.privateKey}`);
    }
    // The second slot's passphrase is asked once, not once per slot tried.
    let asked = 0;
    const counting = passphraseSlot(async () => (asked++, 'second'), { minN: TEST_MIN_N });
    await new Keyring(store, [counting], { minN: TEST_MIN_N }).unlock();
    expect(asked).toBe(1);
    const firstId = keyring.slots()[0]!.id;
    await keyring.removeSlot(firstId);
    expect(JSON.parse(raw(dir)).secrets).toEqual(entries);
    await expect(new TunnelStore(store, testKeyring(store, 'first')).exportText('x')).rejects.toThrow(
      /Wrong passphrase/,
    );
    await expect(keyring.removeSlot(added.id)).rejects.toThrow(/only slot/);
    await expect(keyring.removeSlot('00000000')).rejects.toThrow(/no slot "00000000"/);
  });

  it.each([
    ['N below 2^17', { N: 1 << 16 }, /N must be a power of two from 2\^17 to 2\^20/],
    ['N above 2^20', { N: 1 << 30 }, /N must be a power of two/],
    ['N not a power of two', { N: 3 << 17 }, /N must be a power of two/],
    ['more than 256 MiB', { N: 1 << 20, r: 8 }, /more than 256 MiB/],
    ['p too large', { p: 1000 }, /p must be 1 to 4/],
    ['a short salt', { salt: 'AAAA' }, /salt/],
  ])('refuses scrypt parameters read from the file: %s', async (_what, change, message) => {
    const dir = join(tmp.path, `bounds-${_what.replace(/\W/g, '')}`);
    const store = openNodeStore(dir);
    const keyring = new Keyring(store, [passphraseSlot(async () => 'p')]);
    await keyring.seal('x', 'y');
    store.update((d) => {
      const slot = (d.keyring as KeyringRecord).slots[0]!;
      if (slot.kind === 'passphrase') Object.assign(slot.kdf, change);
    });
    const before = raw(dir);
    await expect(new Keyring(store, [passphraseSlot(async () => 'p')]).unlock()).rejects.toThrow(message);
    expect(raw(dir)).toBe(before);
  });

  it('migrates a store made before slots: every secret re-sealed, preshared keys out of the clear, one write', async () => {
    const dir = join(tmp.path, 'legacy');
    const store = openNodeStore(dir);
    const params = { salt: Buffer.alloc(16, 7).toString('base64'), N: TEST_MIN_N, r: 8, p: 1 };
    const key = new Uint8Array(scryptSync('old pass', Buffer.from(params.salt, 'base64'), 32, params));
    const box = (text: string) => {
      const nonce = nacl.randomBytes(24);
      return Buffer.concat([nonce, nacl.secretbox(new TextEncoder().encode(text), nonce, key)]).toString(
        'base64',
      );
    };
    const me = generateKeyPair();
    const peer = generateKeyPair();
    const psk = generateKeyPair().privateKey;
    const seed = 'ab'.repeat(32);
    store.update((d) => {
      d.keyring = {
        cipherId: 'passphrase/scrypt/secretbox',
        params,
        check: box('overlay-connect keyring v1'),
      };
      d.secrets['tunnel:old'] = box(me.privateKey);
      d.secrets['identity:seed'] = box(seed);
      d.tunnels.old = {
        name: 'old',
        interface: 'old',
        publicKey: me.publicKey,
        config: {
          interface: { addresses: ['10.1.0.2/24'], dns: [], scripts: [] },
          peers: [{ publicKey: peer.publicKey, presharedKey: psk, allowedIPs: ['10.1.0.0/24'] }],
        },
        allowScripts: false,
        source: 'import',
        createdAt: '2026-01-01T00:00:00.000Z',
      };
    });
    const before = raw(dir);
    await expect(openTestStore(dir, 'wrong').tunnels.exportText('old')).rejects.toThrow(/Wrong passphrase/);
    expect(raw(dir)).toBe(before);

    const { tunnels, keyring } = openTestStore(dir, 'old pass');
    const exported = await tunnels.exportText('old');
    expect(exported).toContain(`PrivateKey = ${me.privateKey}`);
    expect(exported).toContain(`PresharedKey = ${psk}`);
    expect(await keyring.open('identity:seed', JSON.parse(raw(dir)).secrets['identity:seed'])).toBe(seed);
    const after = JSON.parse(raw(dir));
    expect(after.keyring).toMatchObject({ version: 2, slots: [{ kind: 'passphrase' }] });
    expect(Object.values(after.secrets).every((s) => String(s).startsWith('v2:'))).toBe(true);
    expect(raw(dir)).not.toContain(psk);
    expect(raw(dir)).not.toContain(me.privateKey);
    // The old passphrase opens the migrated store.
    expect(await openTestStore(dir, 'old pass').tunnels.exportText('old')).toBe(exported);
  });

  it('seals preshared keys with the tunnel: never in state.json, in `show`, or in the editor', async () => {
    const dir = join(tmp.path, 'psk');
    const { tunnels } = openTestStore(dir);
    const psk = generateKeyPair().privateKey;
    const { text } = sampleConfig();
    await tunnels.importText(text.replace('AllowedIPs', `PresharedKey = ${psk}\nAllowedIPs`), { name: 'p' });
    expect(raw(dir)).not.toContain(psk);
    expect(JSON.stringify(tunnels.get('p'))).not.toContain(psk);
    expect(tunnels.editableText('p')).not.toContain(psk);
    expect(await tunnels.wgQuickText('p')).toContain(`PresharedKey = ${psk}`);
    // Renamed, the entry is sealed again under the new name and still opens.
    await tunnels.rename('p', 'q');
    expect(await tunnels.exportText('q')).toContain(`PresharedKey = ${psk}`);
    expect(Object.keys(JSON.parse(raw(dir)).secrets)).toEqual(['tunnel:q']);
  });
});
