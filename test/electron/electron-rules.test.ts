/**
 * The model of Electron holds the host to Electron's rules, and the built host (`dist/main.js`, the file the
 * package runs) keeps them: its page comes through its protocol handler as 200 text/html, its preload runs
 * sandboxed and is the page's only way out, its images are files, nothing is called before or after the
 * moment Electron allows it, and each platform's profile, GNOME's tray, a cancelled save dialog and a
 * keyring that is slow to answer are met.
 *
 * Each rule is first shown to catch the bug it is for (the host run from source, whose paths point at
 * files that do not exist, was what the suite booted before), then the built host is shown to keep it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { bootHost, freshModel, ownWindow, runHost, until, type Fake } from '../support/electron-host.js';
import type { FakeNativeImage } from '../support/fake-electron.js';
import { gate } from '../support/gate.js';

let dir: string;
let fake: Fake | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-rules-'));
  vi.stubEnv('HOME', join(dir, 'home'));
  vi.stubEnv('XDG_CONFIG_HOME', '');
  vi.stubEnv('XDG_CURRENT_DESKTOP', '');
  vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
});
afterEach(() => {
  fake?.app.emit('will-quit', { preventDefault() {} });
  fake?.restorePlatform();
  fake = undefined;
  vi.doUnmock('../../src/electron/app-files.js');
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const configText = (net: string) =>
  `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\nAddress = 10.${net}.0.2/24\n\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nAllowedIPs = 10.${net}.0.0/24\n`;

describe('the model catches what breaks the real app', () => {
  it('a host whose page is not where it looks (the source run as it is) fails to load it', async () => {
    const f = (fake = await freshModel({ userData: join(dir, 'userData') }));
    await import('../../src/electron/main.js'); // no built files given: src/electron/renderer does not exist
    f.ready();
    // Its tray image is not there (src/assets), and its page answers 404 (src/electron/renderer).
    await expect(until(() => f.window?.loaded === true, 'the page')).rejects.toThrow(/tray image is empty/);
    for (let i = 0; i < 250 && !f.state.errorBoxes.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(f.state.problems.join('\n')).toMatch(
      /loadURL\(overlay:\/\/app\/index\.html\): the page answered 404/,
    );
    expect(f.state.errorBoxes[0]?.[0]).toBe('overlay-connect cannot show its window');
  });

  it('refuses, as Electron does, what is called too early or too late', async () => {
    const f = (fake = await freshModel({ userData: join(dir, 'userData') }));
    const electron = await import('../support/fake-electron.js');
    expect(() => new electron.BrowserWindow({})).toThrow(/before the app is ready/);
    expect(() => new electron.Tray('x')).toThrow(/before the app is ready/);
    expect(() => electron.screen.getAllDisplays()).toThrow(/before the app is ready/);
    expect(() => electron.session.defaultSession).toThrow(/before the app is ready/);
    expect(electron.safeStorage.isEncryptionAvailable()).toBe(false);
    f.ready();
    expect(() => electron.app.enableSandbox()).toThrow(/before app is ready/);
    expect(() => electron.protocol.registerSchemesAsPrivileged([])).toThrow(/before app is ready/);
  });

  it('runs a preload as a sandboxed one: only electron, events, timers and url can be required', async () => {
    const f = (fake = await freshModel({ userData: join(dir, 'userData') }));
    const electron = await import('../support/fake-electron.js');
    f.ready();
    electron.protocol.handle(
      'overlay',
      async () => new Response('<p>hi</p>', { headers: { 'content-type': 'text/html' } }),
    );
    const preload = join(dir, 'bad-preload.cjs');
    writeFileSync(preload, "const fs = require('fs'); fs.readFileSync('/etc/passwd');");
    const win = new electron.BrowserWindow({ webPreferences: { preload, sandbox: true } });
    await expect(win.loadURL('overlay://app/index.html')).rejects.toThrow(/ERR_FAILED/);
    expect(f.state.problems.join()).toMatch(/module not found: fs/);
  });

  it('an empty image given to the tray, or a window icon that is not a file, is a problem', async () => {
    const f = (fake = await freshModel({ userData: join(dir, 'userData') }));
    const electron = await import('../support/fake-electron.js');
    f.ready();
    new electron.Tray(electron.nativeImage.createFromPath(join(dir, 'missing.png')));
    new electron.BrowserWindow({ icon: join(dir, 'missing-icon.png') });
    expect(f.state.problems).toEqual([
      `tray image is empty: ${join(dir, 'missing.png')}`,
      `window icon is not an image file: ${join(dir, 'missing-icon.png')}`,
    ]);
  });
});

describe('the built host keeps the rules', () => {
  it('loads its page through its scheme, and the page reaches the services only through the preload', async () => {
    const f = (fake = await bootHost(dir));
    expect(f.window!.url).toBe('overlay://app/index.html');
    expect(f.state.problems).toEqual([]);
    // The preload's API, as the page sees it: a call goes to ipcMain as this window and is answered.
    const api = f.window!.exposed.overlay as Record<string, (arg?: unknown) => Promise<unknown>> & {
      onEvent(l: (e: unknown) => void): () => void;
    };
    expect(Object.keys(f.window!.exposed)).toEqual(['overlay']);
    expect(await api.importConfig!({ name: 'viapreload', text: configText('48') })).toMatchObject({
      ok: true,
    });
    expect(await api.listTunnels!()).toMatchObject({
      ok: true,
      value: [expect.objectContaining({ name: 'viapreload', state: 'down' })],
    });
    // Events come back the same way.
    const events: unknown[] = [];
    api.onEvent((e) => events.push(e));
    await api.removeTunnel!({ name: 'viapreload' });
    await until(() => events.length > 0, 'an event through the preload');
    // The tray and the window show real images.
    const trayImage = f.tray!.image as FakeNativeImage;
    expect(trayImage.isEmpty()).toBe(false);
    expect(existsSync(f.window!.options.icon as string)).toBe(true);
  });

  it.each(['linux', 'win32', 'darwin'] as const)(
    'starts under the %s profile without calling an API that platform lacks',
    async (platform) => {
      const f = (fake = await freshModel({ userData: join(dir, 'userData'), platform }));
      await runHost();
      f.ready();
      await until(() => f.window?.loaded === true && f.tray?.menu.length !== 0, 'the started app');
      await until(() => f.tray!.menu[0]!.label === 'No tunnels yet', 'the tray of a started app');
      expect(f.state.problems).toEqual([]);
      expect((f.tray!.image as FakeNativeImage).isEmpty()).toBe(false);
      if (platform === 'darwin') expect((f.tray!.image as FakeNativeImage).template).toBe(true);
    },
  );

  it('on GNOME (no tray clicks, no tooltips) everything is in the menu, states included', async () => {
    const f = (fake = await freshModel({ userData: join(dir, 'userData'), desktop: 'gnome' }));
    await runHost();
    f.ready();
    await until(() => f.window?.loaded === true, 'the page');
    await f.invoke(channelOf('importConfig'), { name: 'gn', text: configText('49') }, ownWindow(f));
    await until(() => f.tray!.menu.some((i) => i.label === 'gn'), 'the tunnel in the menu');
    f.window!.close(); // hidden to the tray
    expect(f.clickTrayIcon()).toBe(false); // GNOME does not deliver it
    expect(f.tray!.tooltip).toBe(''); // nor shows a tooltip
    // The menu alone: the tunnel with its state (a tick), the window, Quit.
    expect(f.tray!.menu.find((i) => i.label === 'gn')).toMatchObject({ type: 'checkbox', checked: false });
    f.clickTray('Open');
    expect(f.window!.visible).toBe(true);
  });

  it('a cancelled save dialog exports nothing and says nothing; a chosen path gets a 0600 file', async () => {
    const f = (fake = await bootHost(dir));
    await f.invoke(channelOf('importConfig'), { name: 'ex', text: configText('50') }, ownWindow(f));
    f.state.saveDialogAnswers.push(null);
    expect(await f.invoke(channelOf('exportConfig'), { name: 'ex' }, ownWindow(f))).toEqual({
      ok: true,
      value: null,
    });
    expect(f.state.saveDialogs).toBe(1);
    expect(f.state.errorBoxes).toEqual([]);
    const target = join(dir, 'ex.conf');
    f.state.saveDialogAnswers.push(target);
    expect(await f.invoke(channelOf('exportConfig'), { name: 'ex' }, ownWindow(f))).toEqual({
      ok: true,
      value: { path: target },
    });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readFileSync(target, 'utf8')).toMatch(/^\[Interface\]\nPrivateKey = /);
  });

  it('while the keyring has not answered: a tray that says so, a window whose calls wait', async () => {
    // A first start makes the store with its system slot; the second finds it and must ask the keyring.
    (fake = await bootHost(dir)).app.emit('will-quit', { preventDefault() {} });
    const f = (fake = await freshModel({ userData: join(dir, 'userData') }));
    let answer!: () => void;
    f.state.keyringPrompt = new Promise<void>((r) => (answer = r));
    await runHost();
    f.ready();
    await until(() => f.tray?.menu[0]?.label === 'Waiting for the system keyring…', 'the waiting tray');
    expect(f.tray!.tooltip).toBe('overlay-connect — Waiting for the system keyring…');
    await until(() => f.window?.loaded === true, 'the window, open meanwhile');
    const call = f.invoke(channelOf('listTunnels'), undefined, ownWindow(f));
    let settled = false;
    void call.finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    answer();
    expect(await call).toEqual({ ok: true, value: [] });
    await until(() => f.tray!.menu[0]!.label === 'No tunnels yet', 'the tray of an unlocked app');
  });
});

const noBus = gate(
  'the GNOME tray notice over a real session bus',
  existsSync('/usr/bin/dbus-daemon')
    ? undefined
    : 'dbus-daemon is not installed (apt-get install dbus-daemon)',
);

describe.skipIf(noBus)('GNOME without the AppIndicator extension', () => {
  let bus: ChildProcess | undefined;
  afterEach(() => {
    if (bus?.exitCode === null) bus.kill('SIGTERM');
    bus = undefined;
  });

  it('says once what to install, and keeps the window open even when started hidden', async () => {
    // A real, private session bus on which nobody hosts tray items.
    bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const address = await new Promise<string>((resolve, reject) => {
      bus!.once('error', reject);
      bus!.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    });
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', address);
    vi.stubEnv('XDG_CURRENT_DESKTOP', 'ubuntu:GNOME');
    const argv = process.argv;
    process.argv = [...argv, '--hidden']; // as the autostart entry starts it
    try {
      const f = (fake = await freshModel({ userData: join(dir, 'userData'), platform: 'linux' }));
      await runHost();
      f.ready();
      await until(() => f.window?.loaded === true, 'the window, open despite --hidden');
      await until(() => f.state.messageBoxes.some((m) => /AppIndicator/.test(m.detail ?? '')), 'the notice');
      expect(f.state.messageBoxes.find((m) => /AppIndicator/.test(m.detail ?? ''))).toMatchObject({
        message: 'GNOME shows no tray icon for overlay-connect',
        detail: expect.stringContaining('sudo apt install gnome-shell-extension-appindicator'),
      });
      f.app.emit('will-quit', { preventDefault() {} });
      // Said once: the next start does not say it again.
      const g = (fake = await freshModel({ userData: join(dir, 'userData'), platform: 'linux' }));
      await runHost();
      g.ready();
      await until(() => g.window?.loaded === true, 'the window again');
      expect(g.state.messageBoxes.some((m) => /AppIndicator/.test(m.detail ?? ''))).toBe(false);
    } finally {
      process.argv = argv;
    }
  });
});
