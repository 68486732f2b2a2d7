/**
 * "Start at login" and notifications under each platform's profile of the model of Electron: Windows
 * matches a login item by its path and args (the tick shows only when asked with both), macOS ignores args
 * (an app started at login is told by `wasOpenedAtLogin`), a Linux AppImage's autostart entry names the
 * .AppImage file (its mount under /tmp is gone after a reboot), and notifications carry the app's icon.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { ownWindow, runHost, until, type Fake } from '../support/electron-host.js';
import type { FakeNativeImage } from '../support/fake-electron.js';

let dir: string;
let fake: Fake | undefined;

/** The host under a platform profile; tunnels go to a driver that fails every up (nothing real runs). */
async function boot(platform: NodeJS.Platform, options: { openedAtLogin?: boolean } = {}): Promise<Fake> {
  vi.resetModules();
  vi.doMock('../../src/app/choose-driver.js', () => ({
    chooseDriver: async () => ({
      via: 'helper',
      driver: {
        handshakeKnown: false,
        up: async () => {
          throw new Error('no tunnels here');
        },
        down: async () => undefined,
        links: async () => new Map(),
      },
    }),
  }));
  const f = (fake = (await import('../support/fake-electron.js')).fake);
  f.reset({ userData: join(dir, 'userData'), platform, openedAtLogin: options.openedAtLogin });
  await runHost({ source: true });
  f.ready();
  await until(() => f.tray !== undefined, 'the tray');
  return f;
}
const tick = (f: Fake) => f.tray!.menu.find((i) => i.label === 'Start at login')!.checked;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-login-'));
  vi.stubEnv('HOME', join(dir, 'home'));
  vi.stubEnv('XDG_CONFIG_HOME', '');
  vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
  vi.stubEnv('APPIMAGE', '');
});
afterEach(() => {
  fake?.app.emit('will-quit', { preventDefault() {} });
  fake?.restorePlatform();
  fake = undefined;
  vi.doUnmock('../../src/app/choose-driver.js');
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('Windows', () => {
  it('registers the whole command (the app path too, in development) and ticks the item it registered', async () => {
    const f = await boot('win32');
    expect(tick(f)).toBe(false);
    f.clickTray('Start at login');
    await until(() => f.state.loginItem.openAtLogin, 'the login item');
    // Not packaged: electron.exe alone would start Electron's default app, not this one.
    expect(f.state.loginItem).toEqual({
      openAtLogin: true,
      path: process.execPath,
      args: [f.app.getAppPath(), '--hidden'],
    });
    await until(() => tick(f) === true, 'the tick');
    f.clickTray('Start at login');
    await until(() => !f.state.loginItem.openAtLogin, 'the item removed');
    expect(tick(f)).toBe(false);
  });
});

describe('macOS', () => {
  it('started at login (args are dropped there): the window stays hidden, the tray is up', async () => {
    const f = await boot('darwin', { openedAtLogin: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(f.window?.visible ?? false).toBe(false);
    f.activate(); // the Dock icon still shows it
    await until(() => f.window?.visible === true, 'the window');
  });

  it('started by the user: the window opens', async () => {
    const f = await boot('darwin');
    await until(() => f.window?.visible === true, 'the window');
  });

  it('Start at login registers the item and ticks it', async () => {
    const f = await boot('darwin');
    f.clickTray('Start at login');
    await until(() => tick(f) === true, 'the tick');
    expect(f.state.loginItem.openAtLogin).toBe(true);
  });
});

describe('Linux AppImage', () => {
  it('the autostart entry starts the .AppImage file, not the executable in its temporary mount', async () => {
    const appImage = join(dir, 'Apps', 'overlay connect.AppImage');
    vi.stubEnv('APPIMAGE', appImage);
    const f = await boot('linux');
    f.clickTray('Start at login');
    const entry = join(dir, 'home', '.config', 'autostart', 'overlay-connect.desktop');
    await until(() => existsSync(entry), 'the autostart entry');
    const exec = /\nExec=(.*)\n/.exec(readFileSync(entry, 'utf8'))![1]!;
    expect(exec).toBe(`"${appImage}" "--hidden"`);
    expect(exec).not.toContain(process.execPath);
    await until(() => tick(f) === true, 'the tick');
  });
});

describe.each(['linux', 'win32', 'darwin'] as const)('notifications on %s', (platform) => {
  it("carry the app's icon (an image that is not empty)", async () => {
    const f = await boot(platform);
    const { privateKey } = generateKeyPair();
    const text = `[Interface]\nPrivateKey = ${privateKey}\nAddress = 10.49.0.2/24\n\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nAllowedIPs = 10.49.0.0/24\n`;
    await until(() => f.window !== undefined, 'the window');
    expect(await f.invoke(channelOf('importConfig'), { name: 'n', text }, ownWindow(f))).toMatchObject({
      ok: true,
    });
    await until(() => f.tray!.menu.some((i) => i.label === 'n'), 'the tunnel in the menu');
    f.clickTray('n'); // the driver refuses: said in a notification
    await until(() => f.state.notifications.length > 0, 'a notification');
    for (const n of f.state.notifications) {
      const icon = n.icon as FakeNativeImage | undefined;
      expect(icon, n.title).toBeDefined();
      expect(icon!.isEmpty(), `${n.title}: ${icon!.path}`).toBe(false);
    }
  });
});
