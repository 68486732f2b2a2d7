/**
 * The real Electron host (src/electron/main.ts) driven through a model of Electron (test/support/
 * fake-electron.ts) with Electron's documented semantics: the lifecycle, the window, the tray, dialogs and
 * IPC. The services behind it are the real ones over a real store in a temporary folder.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import { linuxAdapter } from '../../src/core/tunnels/platform-adapters.js';
import { findTools } from '../../src/core/tunnels/tool-paths.js';
import { WgQuickDriver } from '../../src/core/tunnels/wg-quick-driver.js';
import { HelperServer } from '../../src/helper/server.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { Netns, netnsUnavailable } from '../support/netns.js';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { bootHost, ownWindow as ownWindowOf, until, type Fake } from '../support/electron-host.js';
import { gate } from '../support/gate.js';
import { rootOnlyTempDir } from '../support/root-dir.js';

let fake: Fake;
let dir: string;
let home: string;

/** `source`: the host from src/electron/ (a test that replaces one of its modules); else the built bundle. */
async function boot(o: { source?: boolean } = {}): Promise<void> {
  fake = await bootHost(dir, o);
}

const ownWindow = () => ownWindowOf(fake);

describe('the renderer scheme', () => {
  it("serves the renderer folder's files and nothing outside it", async () => {
    const { serveRenderer } = await import('../../src/electron/app-protocol.js');
    const dir = join(process.cwd(), 'dist', 'renderer');
    const get = async (url: string, method = 'GET') => {
      const r = await serveRenderer(dir, new Request(url, { method }));
      return [r.status, r.headers.get('content-type')];
    };
    expect(await get('overlay://app/index.html')).toEqual([200, 'text/html; charset=utf-8']);
    expect(await get('overlay://app/renderer.js')).toEqual([200, 'text/javascript; charset=utf-8']);
    for (const bad of [
      'overlay://app/../cli.js',
      'overlay://app/%2e%2e/cli.js',
      'overlay://app/..%2fcli.js',
      'overlay://other/index.html',
      'overlay://app/nope.html',
      'overlay://app/%E0%A4%A',
    ]) {
      expect((await get(bad))[0], bad).toBe(404);
    }
    expect((await get('overlay://app/index.html', 'POST'))[0]).toBe(404);
  });
});

describe('login items', () => {
  it("macOS and Windows use Electron's login item; Linux an autostart entry with the command quoted", async () => {
    const { setStartAtLogin, startsAtLogin, desktopEntry } = await import('../../src/electron/login-item.js');
    const calls: unknown[] = [];
    const asked: unknown[] = [];
    const app = {
      getLoginItemSettings: (o?: unknown) => (asked.push(o), { openAtLogin: calls.length > 0 }),
      setLoginItemSettings: (s: unknown) => void calls.push(s),
    };
    // Windows: the executable and its args (an argument with a space quoted: they are joined as they are),
    // and asked back with the same; macOS: no path or args (Windows-only options).
    const expected = {
      win32: { openAtLogin: true, path: '/x', args: ['"/my app"', '--hidden'] },
      darwin: { openAtLogin: true },
    };
    for (const platform of ['darwin', 'win32'] as const) {
      calls.length = 0;
      asked.length = 0;
      setStartAtLogin(app, true, ['/x', '/my app'], platform, '/nonexistent/never-written');
      expect(calls).toEqual([expected[platform]]);
      expect(startsAtLogin(app, ['/x', '/my app'], platform, '/nonexistent')).toBe(true);
      const { openAtLogin: _, ...options } = expected[platform];
      expect(asked).toEqual([platform === 'win32' ? options : undefined]);
    }
    expect(desktopEntry(['/opt/my app/overlay-connect', 'a"b$c%d', '--hidden'])).toContain(
      'Exec="/opt/my app/overlay-connect" "a\\"b\\$c%%d" "--hidden"\n',
    );
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

  it('says what is missing and how to install it when the WireGuard tools are not there', async () => {
    // This machine has them: the host is given a tool finder that finds nothing.
    vi.doMock('../../src/core/tunnels/tool-paths.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../src/core/tunnels/tool-paths.js')>()),
      findTools: () => ({}),
    }));
    try {
      await boot({ source: true }); // vi.doMock reaches the source's modules
      await until(() => fake.state.messageBoxes.length > 0, 'the warning');
      expect(fake.state.messageBoxes[0]).toMatchObject({
        message: expect.stringMatching(/^Missing: wg-quick, wg/),
        detail: 'Install them with: sudo apt-get install --no-install-recommends wireguard-tools pkexec',
      });
    } finally {
      vi.doUnmock('../../src/core/tunnels/tool-paths.js');
    }
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

  it('serves the renderer over its own privileged scheme, and opens no window or link the page asks for', async () => {
    await boot();
    expect(fake.state.privilegedSchemes).toEqual([
      { scheme: 'overlay', privileges: { standard: true, secure: true } },
    ]);
    expect(fake.state.protocols.has('overlay')).toBe(true);
    expect(fake.window!.url).toBe('overlay://app/index.html');
    for (const url of ['https://example.org/', 'http://127.0.0.1:1/', 'file:///etc/passwd']) {
      expect(fake.window!.webContents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.state.opened).toEqual([]);
  });

  it('refuses IPC from a foreign sender or frame, and answers its own window', async () => {
    await boot();
    const channel = channelOf('listTunnels');
    expect(await fake.invoke(channel, undefined, ownWindow())).toEqual({ ok: true, value: [] });
    const other = { sender: { mainFrame: {} }, senderFrame: {} };
    expect(await fake.invoke(channel, undefined, other)).toEqual({
      ok: false,
      error: 'Refused: unknown sender',
    });
    const subframe = { sender: fake.window!.webContents, senderFrame: { url: fake.window!.url } };
    expect(await fake.invoke(channel, undefined, subframe)).toEqual({
      ok: false,
      error: 'Refused: unknown sender',
    });
  });

  it("imports a UTF-16 export from the tray's dialog", async () => {
    await boot();
    const { privateKey } = generateKeyPair();
    const peer = generateKeyPair();
    const text = `[Interface]\r\nPrivateKey = ${privateKey}\r\nAddress = 10.44.0.2/24\r\n\r\n[Peer]\r\nPublicKey = ${peer.publicKey}\r\nAllowedIPs = 10.44.0.0/24\r\n`;
    const file = join(dir, 'office.conf');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    fake.state.openDialogAnswers.push([file]);
    fake.clickTray('Import config…');
    const stored = () =>
      existsSync(join(dir, 'userData', 'state.json')) &&
      readFileSync(join(dir, 'userData', 'state.json'), 'utf8').includes('"office"');
    await until(() => fake.state.errorBoxes.length > 0 || stored(), 'the import');
    // The app's store is the CLI's file: one folder, one state.json.
    expect(readdirSync(join(dir, 'userData')).filter((f) => f.endsWith('.json'))).toEqual(['state.json']);
    expect(fake.state.errorBoxes).toEqual([]);
    const list = (await fake.invoke(channelOf('listTunnels'), undefined, ownWindow())) as {
      ok: boolean;
      value: Array<{ name: string; publicKey: string }>;
    };
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

  it('a Start at login that cannot be set says so and shows the tick as it really is', async () => {
    await boot();
    // The autostart folder cannot be made: a file holds its name.
    mkdirSync(join(home, '.config'), { recursive: true });
    writeFileSync(join(home, '.config', 'autostart'), '');
    const tick = () => fake.tray!.menu.find((i) => i.label === 'Start at login')!.checked;
    expect(tick()).toBe(false);
    fake.clickTray('Start at login'); // Electron ticks it before the click handler runs
    await until(() => fake.state.notifications.length > 0, 'the failure said');
    expect(fake.state.notifications[0]!.title).toBe('Start at login');
    expect(tick()).toBe(false);
  });

  it('leaves the tray alone while only the byte counters change, and redraws it when a state does', async () => {
    // A driver whose one interface moves bytes at every look.
    const ifaces = new Set<string>();
    let bytes = 0;
    const link = (iface: string) => ({
      iface,
      netns: null,
      present: true,
      starting: false,
      rxBytes: (bytes += 1000),
      txBytes: bytes,
      latestHandshake: null,
      endpoint: null,
      peerRxBytes: bytes,
      peerTxBytes: bytes,
      peers: null,
    });
    const driver = {
      handshakeKnown: false,
      up: async (req: { iface: string }) => void ifaces.add(req.iface),
      down: async (iface: string) => void ifaces.delete(iface),
      links: async () => new Map([...ifaces].map((i) => [i, link(i)])),
    };
    vi.doMock('../../src/app/choose-driver.js', () => ({
      chooseDriver: async () => ({ driver, via: 'helper' }),
    }));
    try {
      await boot({ source: true }); // vi.doMock reaches the source's modules
      const { privateKey } = generateKeyPair();
      const text = `[Interface]\nPrivateKey = ${privateKey}\nAddress = 10.47.0.2/24\n\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nAllowedIPs = 10.47.0.0/24\n`;
      await fake.invoke(channelOf('importConfig'), { name: 'busy', text }, ownWindow());
      expect(await fake.invoke(channelOf('connect'), { name: 'busy' }, ownWindow())).toMatchObject({
        ok: true,
      });
      await until(() => fake.tray!.tooltip.includes('connected: busy'), 'the tunnel up in the tray');
      const before = { ...fake.tray!.calls };
      const statuses: unknown[] = [];
      fake.window!.webContents.sent.length = 0;
      for (let i = 0; i < 5; i++) {
        // Each look reads new counters: the window is told, the tray is not redrawn.
        const list = (await fake.invoke(channelOf('listTunnels'), undefined, ownWindow())) as {
          value: Array<{ rxBytes: number }>;
        };
        statuses.push(list.value[0]!.rxBytes);
      }
      expect(new Set(statuses).size).toBe(5);
      expect(fake.window!.webContents.sent.length).toBeGreaterThanOrEqual(5);
      expect(fake.tray!.calls).toEqual(before);
      // A change the tray shows is drawn once.
      expect(await fake.invoke(channelOf('disconnect'), { name: 'busy' }, ownWindow())).toMatchObject({
        ok: true,
      });
      await until(() => fake.tray!.tooltip === 'overlay-connect — not connected', 'the tunnel down');
      expect(fake.tray!.calls.setContextMenu).toBeGreaterThan(before.setContextMenu);
    } finally {
      vi.doUnmock('../../src/app/choose-driver.js');
    }
  });

  it('a tunnel whose toggle fails shows its tick as it really is', async () => {
    // The real helper server, whose wg-quick runner refuses to run anything: the up fails for sure, and
    // nothing is brought up on this machine (as root without a helper, it would be, in the host's namespace).
    const hdir = rootOnlyTempDir('oc-host-refusing-');
    const tools = findTools();
    const server = new HelperServer({
      socketPath: join(hdir, 'h.sock'),
      netns: null,
      policyPath: join(hdir, 'policy.json'),
      driver: new WgQuickDriver({
        runDir: join(hdir, 'run'),
        tools,
        adapter: linuxAdapter(tools),
        kernelWireguard: () => true,
        runner: async () => ({ code: 1, stdout: '', stderr: 'refused: nothing runs in this test' }),
      }),
      version: 'test',
      log: () => undefined,
    });
    await server.listen();
    vi.stubEnv('OVERLAY_CONNECT_HELPER', join(hdir, 'h.sock'));
    onTestFinished(async () => {
      await server.close();
      rmSync(hdir, { recursive: true, force: true });
    });
    await boot();
    const { privateKey } = generateKeyPair();
    const text = `[Interface]\nPrivateKey = ${privateKey}\nAddress = 10.46.0.2/24\n\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nAllowedIPs = 10.46.0.0/24\n`;
    expect(await fake.invoke(channelOf('importConfig'), { name: 'nope', text }, ownWindow())).toMatchObject({
      ok: true,
    });
    await until(() => fake.tray!.menu.some((i) => i.label === 'nope'), 'the tunnel in the menu');
    fake.clickTray('nope');
    await until(() => fake.state.notifications.some((n) => n.title?.startsWith('nope')), 'the failure');
    await until(
      () => fake.tray!.menu.find((i) => i.label?.startsWith('nope'))!.checked === false,
      'the tick',
    );
  });
});

const noNetns = gate(
  'Electron host with a tunnel up (through the helper, in a namespace)',
  netnsUnavailable(),
);

describe.skipIf(noNetns)('the Electron host with a real tunnel (through the helper, in a namespace)', () => {
  let ns: Netns;
  let helper: HelperProcess;
  let hdir: string;
  const name = `eh${process.pid % 1e5}`;

  beforeAll(async () => {
    hdir = rootOnlyTempDir('oc-host-helper-');
    // One user-data folder for both tests: the second starts where the first left the tunnel.
    dir = mkdtempSync(join(tmpdir(), 'oc-host-'));
    ns = new Netns('ehost');
    helper = await startHelperProcess({
      socket: join(hdir, 'h.sock'),
      group: 'root',
      netns: ns.name,
      runDir: join(hdir, 'run'),
    });
  });
  afterAll(() => {
    helper?.stop();
    ns?.destroy();
    rmSync(hdir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    home = join(dir, 'home');
    vi.stubEnv('HOME', home);
    vi.stubEnv('OVERLAY_CONNECT_HELPER', join(hdir, 'h.sock'));
  });
  afterEach(() => {
    fake?.app.emit('will-quit', { preventDefault() {} });
    vi.unstubAllEnvs();
  });

  const up = () => ns.run('ip', ['link', 'show', 'dev', name]).status === 0;
  const state = async () =>
    (
      (await fake.invoke(channelOf('listTunnels'), undefined, ownWindow())) as {
        value: Array<{ name: string; state: string }>;
      }
    ).value.find((t) => t.name === name)?.state;

  async function bootWithTunnelUp(): Promise<void> {
    await boot();
    const peer = generateKeyPair();
    const r = await fake.invoke(
      channelOf('importConfig'),
      {
        name,
        text: `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\nAddress = 10.45.0.2/24\n\n[Peer]\nPublicKey = ${peer.publicKey}\nAllowedIPs = 10.45.0.0/24\n`,
      },
      ownWindow(),
    );
    expect(r).toMatchObject({ ok: true });
    await until(() => fake.tray!.menu.some((i) => i.label === name), 'the tunnel in the tray menu');
    fake.clickTray(name); // the tray's intent: connect
    await until(
      () => up() && fake.tray!.tooltip.includes(`connected: ${name}`),
      'the tunnel up, said by the tray',
    );
  }

  it('a tray click connects through the services; icon, tooltip, menu and a notification follow; quitting asks', async () => {
    await bootWithTunnelUp();
    expect((fake.tray!.image as { path: string }).path).toMatch(/active\.png$/);
    expect(fake.tray!.menu.find((i) => i.label === name)!.checked).toBe(true);
    expect(fake.state.notifications).toContainEqual(
      expect.objectContaining({ title: `${name} connected`, body: 'The tunnel is up.' }),
    );
    expect(await state()).toBe('up');

    // Cancel: nothing quits, the tunnel stays.
    fake.state.messageBoxAnswers.push(2);
    fake.clickTray('Quit');
    await until(() => fake.state.messageBoxes.length === 1, 'the question');
    expect(fake.state.messageBoxes[0]!.message).toBe('1 tunnel(s) are up');
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.state.quitted).toBe(false);
    expect(up()).toBe(true);

    // Leave them up: the app quits, the tunnel keeps running (the helper holds it).
    fake.state.messageBoxAnswers.push(0);
    fake.clickTray('Quit');
    await until(() => fake.state.quitted, 'the quit');
    expect(up()).toBe(true);
  }, 60_000);

  it('quitting with "Disconnect" takes the tunnel down first; a tray click disconnects too', async () => {
    await boot(); // the tunnel left up by the previous test is adopted
    await until(() => fake.tray!.tooltip.includes(`connected: ${name}`), 'the adopted tunnel');
    fake.clickTray(name); // intent: disconnect
    await until(() => !up() && fake.tray!.tooltip === 'overlay-connect — not connected', 'the tunnel down');
    expect(fake.state.notifications).toContainEqual(
      expect.objectContaining({ title: `${name} disconnected`, body: 'The tunnel is down.' }),
    );
    fake.clickTray(name);
    await until(() => up(), 'the tunnel up again');
    fake.state.messageBoxAnswers.push(1);
    fake.clickTray('Quit');
    await until(() => fake.state.quitted, 'the quit');
    expect(up()).toBe(false);
  }, 60_000);
});
