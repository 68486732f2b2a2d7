/**
 * The host answers its window from the first moment one can exist: a second instance started while the
 * first is still starting (probing the helper, unlocking the keys) opens a window whose calls wait for the
 * services instead of failing with Electron's "No handler registered".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import { ownWindow, runHost, until, type Fake } from '../support/electron-host.js';

let dir: string;
let fake: Fake | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-start-'));
  vi.stubEnv('HOME', join(dir, 'home'));
  vi.stubEnv('XDG_CONFIG_HOME', '');
  vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
});
afterEach(() => {
  fake?.app.emit('will-quit', { preventDefault() {} });
  fake = undefined;
  vi.doUnmock('../../src/app/choose-driver.js');
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the start of the host', () => {
  it('a window opened by a second instance mid-start gets answers once the services are up', async () => {
    // The helper probe takes as long as the test says.
    let probed!: () => void;
    const probe = new Promise<void>((r) => (probed = r));
    let probing = false;
    vi.doMock('../../src/app/choose-driver.js', () => ({
      chooseDriver: async () => {
        probing = true;
        await probe;
        return {
          via: 'helper',
          driver: {
            handshakeKnown: false,
            up: async () => undefined,
            down: async () => undefined,
            links: async () => new Map(),
          },
        };
      },
    }));
    vi.resetModules();
    const f = (fake = (await import('../support/fake-electron.js')).fake);
    f.reset({ userData: join(dir, 'userData') });
    await runHost({ source: true });
    f.ready();
    await until(() => probing, 'the helper probe');

    f.secondInstance();
    await until(() => f.window !== undefined, 'the window of the second instance');
    // Still starting: the tray is up and says so, with a way to the window and Quit.
    expect(f.tray!.menu.map((i) => i.label)).toEqual(['Starting…', undefined, 'Open', undefined, 'Quit']);
    expect(f.tray!.menu[0]!.enabled).toBe(false);
    const answer = f.invoke(channelOf('listTunnels'), undefined, ownWindow(f));
    let settled = false;
    void answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false); // it waits for the services, it does not fail

    probed();
    expect(await answer).toEqual({ ok: true, value: [] });
    await until(() => f.tray!.menu[0]!.label === 'No tunnels yet', 'the tray of a started app');
    expect(f.state.trays).toHaveLength(1); // the same tray, redrawn
    expect(f.state.windows).toHaveLength(1); // the start shows that window, it opens no other
    expect(f.window!.visible).toBe(true);
    // Each channel has its one handler (Electron throws on a second): none was registered again at start.
    const { ipcMain } = await import('../support/fake-electron.js');
    expect(() => ipcMain.handle(channelOf('listTunnels'), () => undefined)).toThrow(
      /second handler for 'overlay:listTunnels'/,
    );
  });

  it('refuses a foreign sender at once, even while starting', async () => {
    let probed!: () => void;
    const probe = new Promise<void>((r) => (probed = r));
    vi.doMock('../../src/app/choose-driver.js', () => ({
      chooseDriver: async () => {
        await probe;
        throw new Error('no driver');
      },
    }));
    vi.resetModules();
    const f = (fake = (await import('../support/fake-electron.js')).fake);
    f.reset({ userData: join(dir, 'userData') });
    await runHost({ source: true });
    f.ready();
    const other = { sender: { mainFrame: {} }, senderFrame: {} };
    expect(await f.invoke(channelOf('listTunnels'), undefined, other)).toEqual({
      ok: false,
      error: 'Refused: unknown sender',
    });
    // A start that fails says so to a window that waited, and the app ends.
    f.secondInstance();
    await until(() => f.window !== undefined, 'the window');
    const answer = f.invoke(channelOf('listTunnels'), undefined, ownWindow(f));
    probed();
    expect(await answer).toEqual({ ok: false, error: expect.stringMatching(/no driver/) });
    await until(() => f.state.exitCode === 1, 'the exit');
    expect(f.state.errorBoxes).toEqual([['overlay-connect cannot start', 'no driver']]);
  });
});
