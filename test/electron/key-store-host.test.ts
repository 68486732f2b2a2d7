/**
 * One store for the app and the CLI, through the real Electron host on the model of Electron (its
 * safeStorage really encrypts, with a key that outlives the app, as an OS keyring does) and the real CLI:
 * a store made by either is opened by the other, and Electron's `basic_text` is refused unless accepted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf, type CallName, type KeyStoreView } from '../../src/contract/api.js';
import { cli } from '../support/cli.js';
import { bootHost, ownWindow, type Fake } from '../support/electron-host.js';
import { sampleConfig } from '../support/store.js';

let dir: string;
let fake: Fake | undefined;

async function call<T>(name: CallName, arg?: unknown): Promise<{ ok: boolean; value?: T; error?: string }> {
  return (await fake!.invoke(channelOf(name), arg, ownWindow(fake!))) as never;
}

const data = () => ['--data-dir', join(dir, 'userData')];
const state = () => readFileSync(join(dir, 'userData', 'state.json'), 'utf8');

describe('one key store for the app and the CLI', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oc-keys-'));
    vi.stubEnv('HOME', join(dir, 'home'));
    vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
  });
  afterEach(() => {
    fake?.app.emit('will-quit', { preventDefault() {} });
    fake = undefined;
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a store made by the CLI opens in the app after one passphrase; the app then opens it alone', async () => {
    const { text, me } = sampleConfig();
    writeFileSync(join(dir, 'a.conf'), text, { mode: 0o600 });
    const pass = { OVERLAY_CONNECT_PASSPHRASE: 'cli passphrase' };
    expect(cli(['tunnel', 'import', join(dir, 'a.conf'), '--name', 'a', ...data()], pass).code).toBe(0);

    fake = await bootHost(dir);
    expect(fake.state.errorBoxes).toEqual([]); // asked in the window, not in an error box
    const locked = (await call<KeyStoreView>('keyStore')).value!;
    expect(locked).toMatchObject({ unlocked: false, passphraseHere: true, problem: null });
    expect(locked.slots.map((s) => s.kind)).toEqual(['passphrase']);
    expect((await call('connect', { name: 'a' })).error).toMatch(/locked: enter its passphrase under Keys/);
    expect((await call('unlockStore', { passphrase: 'not it' })).error).toMatch(/^Wrong passphrase/);

    const open = (await call<KeyStoreView>('unlockStore', { passphrase: 'cli passphrase' })).value!;
    expect(open.unlocked).toBe(true);
    expect(open.slots.map((s) => s.label)).toEqual([
      expect.stringMatching(/^passphrase \(scrypt N=2\^17/),
      'system keyring (gnome_libsecret)',
    ]);

    // Restarted, the app opens it through its own slot without asking.
    fake.app.emit('will-quit', { preventDefault() {} });
    fake = await bootHost(dir);
    expect((await call<KeyStoreView>('keyStore')).value!.unlocked).toBe(true);
    // And the CLI still opens it with its passphrase; the key is the same, and nowhere in the clear.
    expect(cli(['tunnel', 'export', 'a', ...data()], pass).stdout).toContain(`PrivateKey = ${me.privateKey}`);
    expect(state()).not.toContain(me.privateKey);
  });

  it('a store made by the app gets a passphrase slot in the window, and then the CLI opens it', async () => {
    fake = await bootHost(dir);
    const { text, me } = sampleConfig();
    expect((await call('importConfig', { name: 'b', text })).ok).toBe(true);
    expect((await call<KeyStoreView>('keyStore')).value!.slots.map((s) => s.kind)).toEqual(['system']);

    const refused = cli(['tunnel', 'export', 'b', ...data()], { OVERLAY_CONNECT_PASSPHRASE: 'p2' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /open with: system keyring \(gnome_libsecret\); none of these can be used here/,
    );
    expect(refused.stderr).toMatch(/Add a passphrase slot from the desktop app/);

    const before = JSON.parse(state()).secrets;
    const added = (await call<KeyStoreView>('addPassphraseSlot', { passphrase: 'p2' })).value!;
    expect(added.slots.map((s) => s.kind)).toEqual(['system', 'passphrase']);
    expect(JSON.parse(state()).secrets).toEqual(before); // a slot never re-encrypts the entries

    const ok = cli(['tunnel', 'export', 'b', ...data()], { OVERLAY_CONNECT_PASSPHRASE: 'p2' });
    expect(ok.stdout).toContain(`PrivateKey = ${me.privateKey}`);
    const slots = JSON.parse(cli(['keys', 'slots', '--json', ...data()]).stdout);
    expect(slots.map((s: { kind: string }) => s.kind)).toEqual(['system', 'passphrase']);

    // The last slot can never go; another can.
    const systemId = slots[0].id;
    expect((await call<KeyStoreView>('removeKeySlot', { id: systemId })).value!.slots).toHaveLength(1);
    const lastId = slots[1].id;
    expect((await call('removeKeySlot', { id: lastId })).error).toMatch(/only slot/);
  });

  it("refuses Electron's basic_text and says what to install; a passphrase protects the keys instead", async () => {
    fake = await bootHost(dir, { backend: 'basic_text' });
    const view = (await call<KeyStoreView>('keyStore')).value!;
    expect(view.unlocked).toBe(false);
    expect(view.problem).toMatch(/basic_text.*gnome-keyring.*--allow-insecure-keyring/s);
    expect(fake.state.errorBoxes).toEqual([]);
    const made = (await call<KeyStoreView>('unlockStore', { passphrase: 'only this' })).value!;
    expect(made.slots.map((s) => s.kind)).toEqual(['passphrase']); // no basic_text slot was made
    expect(JSON.parse(state()).keyring.slots).toHaveLength(1);
    // Refused: Electron is never told to accept its plain-text password.
    expect(fake.state.plainTextEncryption).toBe(false);
  });

  it('accepts basic_text only when asked to, and then warns in the window', async () => {
    vi.stubEnv('OVERLAY_CONNECT_ALLOW_INSECURE_KEYRING', '1');
    fake = await bootHost(dir, { backend: 'basic_text' });
    const view = (await call<KeyStoreView>('keyStore')).value!;
    expect(view).toMatchObject({ unlocked: true, problem: null });
    expect(view.warning).toMatch(/only by a password built into Electron.*--allow-insecure-keyring/s);
    expect(view.slots.map((s) => s.label)).toEqual(['system keyring (basic_text)']);
    // Electron counts basic_text as available only after setUsePlainTextEncryption(true): the opt-in says so.
    expect(fake.state.plainTextEncryption).toBe(true);
  });

  it('with --allow-insecure-keyring, a basic_text store made by the app opens again after a restart', async () => {
    vi.stubEnv('OVERLAY_CONNECT_ALLOW_INSECURE_KEYRING', '1');
    fake = await bootHost(dir, { backend: 'basic_text' });
    const { text } = sampleConfig();
    expect((await call('importConfig', { name: 'c', text })).ok).toBe(true);
    fake.app.emit('will-quit', { preventDefault() {} });
    fake = await bootHost(dir, { backend: 'basic_text' });
    expect((await call<KeyStoreView>('keyStore')).value).toMatchObject({ unlocked: true, problem: null });
    expect((await call('exportConfig', { name: 'c' })).error ?? '').not.toMatch(/locked/);
  });
});
