/** Editing a stored tunnel as the window does: secrets never shown, kept unless replaced; scripts re-blocked. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/core/wgconf/keys.js';
import { openTestStore, sampleConfig } from '../../support/store.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'oc-edit-'));
  dirs.push(d);
  return openTestStore(d);
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('editing a tunnel', () => {
  it('shows no secret, keeps the sealed key and preshared key when the edit leaves them out', async () => {
    const { tunnels } = fresh();
    const psk = generateKeyPair().privateKey;
    const { text, me, peer } = sampleConfig();
    await tunnels.importText(text.replace('AllowedIPs', `PresharedKey = ${psk}\nAllowedIPs`), { name: 'e' });
    const editable = tunnels.editableText('e');
    expect(editable).not.toContain(me.privateKey);
    expect(editable).not.toContain(psk);
    expect(editable).not.toMatch(/^\s*(PrivateKey|PresharedKey)\s*=/m);
    expect(editable).toContain(`PublicKey = ${peer.publicKey}`);

    const edited = editable.replace('Endpoint = 198.51.100.9:51820', 'Endpoint = 198.51.100.10:51821');
    await tunnels.replaceConfig('e', edited);
    const exported = await tunnels.exportText('e');
    expect(exported).toContain(`PrivateKey = ${me.privateKey}`);
    expect(exported).toContain(`PresharedKey = ${psk}`);
    expect(exported).toContain('Endpoint = 198.51.100.10:51821');
    expect(tunnels.get('e').publicKey).toBe(me.publicKey);
  });

  it('reports errors by line of the edited text, and changes nothing then', async () => {
    const { tunnels, store } = fresh();
    await tunnels.importText(sampleConfig().text, { name: 'e' });
    const before = readFileSync(store.path, 'utf8');
    const bad = tunnels.editableText('e').replace('[Peer]', '[Peer]\nMTU = 9');
    const line = bad.split('\n').indexOf('MTU = 9') + 1;
    expect(tunnels.checkEdit(bad).errors).toEqual([{ line, message: expect.stringMatching(/MTU/) }]);
    await expect(tunnels.replaceConfig('e', bad)).rejects.toThrow(`line ${line}:`);
    expect(readFileSync(store.path, 'utf8')).toBe(before);
  });

  it('replaces the key when the edit writes one, and its public key follows', async () => {
    const { tunnels } = fresh();
    await tunnels.importText(sampleConfig().text, { name: 'e' });
    const next = generateKeyPair();
    const text = tunnels
      .editableText('e')
      .replace('[Interface]\n', `[Interface]\nPrivateKey = ${next.privateKey}\n`);
    await tunnels.replaceConfig('e', text);
    expect(tunnels.get('e').publicKey).toBe(next.publicKey);
    expect(await tunnels.exportText('e')).toContain(`PrivateKey = ${next.privateKey}`);
  });

  it('keeps allowed scripts only while they stay exactly as they were', async () => {
    const { tunnels } = fresh();
    const { text } = sampleConfig('PostUp = logger up\n');
    await tunnels.importText(text, { name: 's', allowScripts: true });
    const same = tunnels.editableText('s').replace('Address = 10.7.0.2/24', 'Address = 10.7.0.3/24');
    expect((await tunnels.replaceConfig('s', same)).scriptsBlocked).toBe(false);
    expect(tunnels.get('s').allowScripts).toBe(true);
    const changed = tunnels.editableText('s').replace('logger up', 'logger changed');
    expect((await tunnels.replaceConfig('s', changed)).scriptsBlocked).toBe(true);
    expect(tunnels.get('s').allowScripts).toBe(false);
    // Allowing again names the hooks that were shown; a stale list is refused.
    expect(() => tunnels.setAllowScripts('s', true, [{ key: 'PostUp', command: 'logger up' }])).toThrow(
      /changed meanwhile/,
    );
    tunnels.setAllowScripts('s', true, tunnels.get('s').config.interface.scripts);
    expect(tunnels.get('s').allowScripts).toBe(true);
  });
});
