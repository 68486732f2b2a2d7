/**
 * The real Electron host (src/electron/main.ts) driven through a model of Electron (test/support/
 * fake-electron.ts) with Electron's documented semantics: the lifecycle, the window, the tray, dialogs and
 * IPC. The services behind it are the real ones over a real store in a temporary folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import type { fake as FakeControl } from '../support/fake-electron.js';

// Fresh per boot: vi.resetModules() gives main.ts a new module graph, and the model must be the one it sees.
let fake: typeof FakeControl;

let dir: string;
let home: string;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** Starts the host as Electron would: the module runs, then the app becomes ready. */
async function boot(): Promise<void> {
  vi.resetModules();
  fake = (await import('../support/fake-electron.js')).fake;
  fake.reset({ userData: join(dir, 'userData') });
  await import('../../src/electron/main.js');
  fake.ready();
  await until(() => fake.tray !== undefined && fake.window !== undefined, 'the tray and the window');
}

const ownWindow = () => ({ sender: fake.window!.webContents, senderFrame: fake.window!.webContents.mainFrame });

describe('login items', () => {
  it('macOS and Windows use Electron\'s login item; Linux an autostart entry with the command quoted', async () => {
    const { setStartAtLogin, startsAtLogin, desktopEntry } = await import('../../src/electron/login-item.js');
    const calls: unknown[] = [];
    const app = { getLoginItemSettings: () => ({ openAtLogin: calls.length > 0 }), setLoginItemSettings: (s: unknown) => void calls.push(s) };
    for (const platform of ['darwin', 'win32'] as const) {
      calls.length = 0;
      setStartAtLogin(app, true, ['/x'], platform, '/nonexistent/never-written');
      expect(calls).toEqual([{ openAtLogin: true, args: ['--hidden'] }]);
      expect(startsAtLogin(app, platform, '/nonexistent')).toBe(true);
    }
    expect(desktopEntry(['/opt/my app/overlay-connect', 'a"b$c%d', '--hidden'])).toContain('Exec="/opt/my app/overlay-connect" "a\\"b\\$c%%d" "--hidden"\n');
  });
});

describe('the Electron host', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oc-host-'));
    home = join(dir, 'home');
    vi.stubEnv('HOME', home);
    vi.stubEnv('XDG_CONFIG_HOME', '');
    vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
  });
  afterEach(() => {
    fake?.app.emit('will-quit', { preventDefault() {} });
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('quits from the tray when no tunnel is up, also after the window was opened', async () => {
    await boot();
    expect(fake.window!.visible).toBe(true);
    fake.clickTray('Quit');
    await until(() => fake.state.quitted, 'the quit');
    expect(fake.state.messageBoxes).toEqual([]);
  });

  it('closing the window hides it to the tray; a second instance shows and focuses it', async () => {
    await boot();
    const win = fake.window!;
    expect(win.close()).toBe(false);
    expect(win.visible).toBe(false);
    expect(win.destroyed).toBe(false);
    fake.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(win.focused).toBe(true);
    expect(fake.state.quitted).toBe(false);
  });

  it('refuses IPC from a foreign sender or frame, and answers its own window', async () => {
    await boot();
    const channel = channelOf('listTunnels');
    expect(await fake.invoke(channel, undefined, ownWindow())).toEqual({ ok: true, value: [] });
    const other = { sender: { mainFrame: {} }, senderFrame: {} };
    expect(await fake.invoke(channel, undefined, other)).toEqual({ ok: false, error: 'Refused: unknown sender' });
    const subframe = { sender: fake.window!.webContents, senderFrame: { url: fake.window!.url } };
    expect(await fake.invoke(channel, undefined, subframe)).toEqual({ ok: false, error: 'Refused: unknown sender' });
  });

  it('imports a UTF-16 export from the tray\'s dialog', async () => {
    await boot();
    const { privateKey } = generateKeyPair();
    const peer = generateKeyPair();
    const text = `[Interface]\r\nPrivateKey = ${privateKey}\r\nAddress = 10.44.0.2/24\r\n\r\n[Peer]\r\nPublicKey = ${peer.publicKey}\r\nAllowedIPs = 10.44.0.0/24\r\n`;
    const file = join(dir, 'office.conf');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    fake.state.openDialogAnswers.push([file]);
    fake.clickTray('Import config…');
    const stored = () => existsSync(join(dir, 'userData', 'state.json')) && readFileSync(join(dir, 'userData', 'state.json'), 'utf8').includes('"office"');
    await until(() => fake.state.errorBoxes.length > 0 || stored(), 'the import');
    // The app's store is the CLI's file: one folder, one state.json.
    expect(readdirSync(join(dir, 'userData')).filter((f) => f.endsWith('.json'))).toEqual(['state.json']);
    expect(fake.state.errorBoxes).toEqual([]);
    const list = (await fake.invoke(channelOf('listTunnels'), undefined, ownWindow())) as { ok: boolean; value: Array<{ name: string; publicKey: string }> };
    expect(list.value.map((t) => t.name)).toEqual(['office']);
  });

  it('Start at login on Linux writes an XDG autostart entry that starts hidden, and removes it', async () => {
    await boot();
    const entry = join(home, '.config', 'autostart', 'overlay-connect.desktop');
    fake.clickTray('Start at login');
    await until(() => existsSync(entry), 'the autostart entry');
    const text = readFileSync(entry, 'utf8');
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\nName=overlay-connect\n/);
    expect(text).toMatch(/\nExec=.* "--hidden"\n/);
    expect(fake.tray!.menu.find((i) => i.label === 'Start at login')!.checked).toBe(true);
    fake.clickTray('Start at login');
    await until(() => !existsSync(entry), 'the entry to go');
    expect(fake.tray!.menu.find((i) => i.label === 'Start at login')!.checked).toBe(false);
  });
});
