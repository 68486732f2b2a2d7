/**
 * The real Electron host on the model of Electron under each platform's profile (`process.platform` is
 * the profile's while the host runs): the menu bar, the window's bounds, macOS's `activate` and Windows's
 * app user model id.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { ownWindow, runHost, until, type Fake } from '../support/electron-host.js';

let dir: string;
let fake: Fake | undefined;

/** bootHost with a platform profile; the tunnels go to a driver that fails every up (nothing real runs). */
async function boot(platform: NodeJS.Platform): Promise<Fake> {
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
  const f = (fake = (await import('../support/fake-electron.js')).fake); // restored after, even on failure
  f.reset({ userData: join(dir, 'userData'), platform });
  await runHost({ source: true });
  f.ready();
  await until(() => f.tray !== undefined && f.window !== undefined, 'the tray and the window');
  return f;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-platform-'));
  vi.stubEnv('HOME', join(dir, 'home'));
  vi.stubEnv('XDG_CONFIG_HOME', '');
  vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
});
afterEach(() => {
  fake?.app.emit('will-quit', { preventDefault() {} });
  fake?.restorePlatform();
  fake = undefined;
  vi.doUnmock('../../src/app/choose-driver.js');
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['linux', 'win32', 'darwin'] as const)('on %s', (platform) => {
  it(
    platform === 'darwin' ? 'keeps the app menu (Edit, Quit)' : 'shows no menu bar in the window',
    async () => {
      const f = await boot(platform);
      expect(process.platform).toBe(platform);
      expect(f.window!.menuBar()).toBe('none');
      // macOS keeps Electron's default app menu: its Edit roles are what make copy and paste work there.
      expect(f.state.applicationMenu).toBe(platform === 'darwin' ? undefined : null);
    },
  );

  it('remembers the window where it was when the app quit, and reopens it there', async () => {
    let f = await boot(platform);
    f.window!.bounds = { x: 120, y: 80, width: 1000, height: 720 };
    f.clickTray('Quit');
    await until(() => f.state.quitted, 'the quit');
    expect(JSON.parse(readFileSync(join(dir, 'userData', 'window.json'), 'utf8'))).toEqual({
      x: 120,
      y: 80,
      width: 1000,
      height: 720,
    });
    f = await boot(platform);
    expect(f.window!.getBounds()).toEqual({ x: 120, y: 80, width: 1000, height: 720 });
  });
});

describe('macOS', () => {
  it('shows the window again when the app is activated (Dock icon, re-open)', async () => {
    const f = await boot('darwin');
    const win = f.window!;
    expect(win.close()).toBe(false); // hidden to the tray
    expect(win.visible).toBe(false);
    f.activate();
    expect(win.visible).toBe(true);
    expect(win.focused).toBe(true);
  });
});

describe('Windows', () => {
  it("shows notifications under the app's own user model id (the installer's appId)", async () => {
    const f = await boot('win32');
    const { privateKey } = generateKeyPair();
    const text = `[Interface]\nPrivateKey = ${privateKey}\nAddress = 10.48.0.2/24\n\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nAllowedIPs = 10.48.0.0/24\n`;
    expect(await f.invoke(channelOf('importConfig'), { name: 'w', text }, ownWindow(f))).toMatchObject({
      ok: true,
    });
    await until(() => f.tray!.menu.some((i) => i.label === 'w'), 'the tunnel in the menu');
    f.clickTray('w');
    await until(() => f.state.notifications.length > 0, 'a notification');
    expect(f.state.notifications.map((n) => n.appUserModelId)).toEqual(
      f.state.notifications.map(() => 'tf.overlay-connect.app'),
    );
  });
});
