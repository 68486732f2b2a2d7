/**
 * The `ui` token stays with its user (issue 19, item 5). `npm start`'s fallback runs for real as a
 * throwaway user, with a stand-in browser opener on PATH, while a second throwaway user reads every
 * /proc/*\/cmdline over and over: the token is on none of them, and the opener is handed a file (0600 in a
 * 0700 folder of the user's) that redirects Chromium to the window. Then TCP clients of three users call
 * the server: another user's is refused whatever token it carries; the owner's and root's are served.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientUid, parseProcNetTcp } from '../../src/web/peer-uid.js';
import { findExecutable } from '../../src/core/wgconf/check.js';
import { gate } from '../support/gate.js';
import { Privilege, waitFor } from '../support/privilege.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../support/ui-host.js';

function usersUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'Linux only (/proc, useradd, runuser)';
  if (process.getuid?.() !== 0) return 'not root (creating throwaway users needs root; CI runs as root)';
  for (const tool of ['useradd', 'userdel', 'runuser'])
    if (!findExecutable(tool, `${process.env.PATH}:/usr/sbin:/sbin`)) return `\`${tool}\` not found`;
  return undefined;
}

const URL_RE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;

// The stand-in browser opener: records what it was given and the file it points at, as the user it runs as.
const STAND_IN = `#!/bin/sh
rec="$OC_STANDIN_REC"
f=$(printf '%s' "$1" | sed 's|^file://||')
stat -c '%a %U' "$f" > "$rec/file-stat"
stat -c '%a %U' "$(dirname "$f")" > "$rec/dir-stat"
cp "$f" "$rec/launcher.html"
sleep 1
printf '%s\\n' "$@" > "$rec/argv.tmp"
mv "$rec/argv.tmp" "$rec/argv"
`;

// Run as the second user: every process's command line, read until stdin ends; no token is given to it.
const READER = `
const fs = require('fs');
const seen = new Set();
let loops = 0, done = false;
process.stdin.on('data', () => {});
process.stdin.on('end', () => (done = true));
(function loop() {
  if (done) return process.stdout.write(JSON.stringify({ loops, cmdlines: [...seen] }));
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(p)) continue;
    try {
      const c = fs.readFileSync('/proc/' + p + '/cmdline', 'latin1');
      if (c) seen.add(c.split('\\0').join(' '));
    } catch {}
  }
  if (++loops === 1) process.stderr.write('ready\\n');
  setImmediate(loop);
})();
`;

// A client of the server as some user: the address and token come in its environment, not its argv.
const CLIENT = `
fetch(process.env.OC_URL + 'api/call/listTunnels', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.OC_TOKEN },
  body: '{}',
}).then(
  async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() })),
  (e) => console.log(JSON.stringify({ error: String(e.cause ?? e) })),
);
`;

const skip = gate('the ui token off command lines, other users refused', usersUnavailable());
const noBrowser = !skip && gate('the redirect file opened in Chromium', chromiumMissing());

describe('the client socket of a connection, in /proc/net/tcp', () => {
  const header =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  // 127.0.0.1 as a little-endian machine prints it; ports 40000 (0x9C40, client) and 8000 (0x1F40).
  const le = endianness() === 'LE';
  const lo = le ? '0100007F' : '7F000001';
  const row = (local: string, remote: string, st: string, uid: number, inode: number) =>
    `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
  const client = { address: '127.0.0.1', port: 40000 };
  const server = { address: '127.0.0.1', port: 8000 };
  const tables =
    (tcp: string, tcp6 = header) =>
    async (p: string) =>
      p.endsWith('tcp6') ? tcp6 : tcp;

  it("finds the client end's uid; the server's own end and sockets no process holds do not answer", async () => {
    const text =
      header +
      row(`${lo}:1F40`, `${lo}:9C40`, '01', 0, 5001) + // the server's end (root, here): not the client
      row(`${lo}:9C40`, `${lo}:1F40`, '01', 1234, 5002);
    expect(parseProcNetTcp(text)).toHaveLength(2);
    expect(await clientUid(client, server, tables(text))).toBe(1234);
    // TIME_WAIT (or an orphan) shows uid 0 and inode 0: that names nobody, root least of all.
    const gone = header + row(`${lo}:9C40`, `${lo}:1F40`, '06', 0, 0);
    expect(await clientUid(client, server, tables(gone))).toBeUndefined();
    // An IPv6 socket connected to ::ffff:127.0.0.1 is in tcp6.
    const mapped = le ? '0000000000000000FFFF00000100007F' : '00000000000000000000FFFF7F000001';
    const six = header + row(`${mapped}:9C40`, `${mapped}:1F40`, '01', 4321, 77);
    expect(await clientUid(client, server, tables(header, six))).toBe(4321);
  });
});

describe.skipIf(skip)('`npm start` without Electron, as a user, watched by another user', () => {
  const tag = String(process.pid % 1e5);
  let priv: Privilege;
  let base: string;
  let home: string;
  let runtime: string;
  let rec: string;
  let owner: string;
  let other: string;
  let start: ChildProcess | undefined;
  let url = '';
  let token = '';
  let out = '';
  let watched: { loops: number; cmdlines: string[] };

  const runAs = (user: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync('runuser', ['-u', user, '--', ...args], {
      cwd: '/',
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'oc-token-'));
    chmodSync(base, 0o755);
    priv = new Privilege(`tok${tag}`);
    owner = priv.user(`ocown${tag}`);
    other = priv.user(`ocoth${tag}`);
    home = join(base, 'home');
    runtime = join(home, 'run');
    rec = join(base, 'rec');
    const bin = join(base, 'bin');
    for (const d of [home, runtime, rec]) {
      mkdirSync(d, { mode: 0o700 });
      chownSync(d, idOf(owner, '-u'), idOf(owner, '-g'));
    }
    mkdirSync(bin, { mode: 0o755 });
    writeFileSync(join(bin, 'xdg-open'), STAND_IN, { mode: 0o755 });

    const reader = spawn('runuser', ['-u', other, '--', process.execPath, '-e', READER], {
      cwd: '/',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let readerOut = '';
    let readerErr = '';
    reader.stdout.on('data', (d: Buffer) => (readerOut += d));
    reader.stderr.on('data', (d: Buffer) => (readerErr += d));
    await waitFor(() => readerErr.includes('ready'), 'the reader to run');

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      DISPLAY: ':99',
      WAYLAND_DISPLAY: '',
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_RUNTIME_DIR: runtime,
      OVERLAY_CONNECT_PASSPHRASE: 'token test',
      OVERLAY_CONNECT_HELPER: '',
      OC_STANDIN_REC: rec,
      // No Electron binary can be had: the fallback serves the window and opens the browser.
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: join(home, 'cache'),
    };
    delete env.BROWSER;
    start = spawn(
      'runuser',
      ['-u', owner, '--', 'env', `HOME=${home}`, process.execPath, 'scripts/start.mjs'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    start.stdout!.on('data', (d: Buffer) => (out += d));
    start.stderr!.on('data', (d: Buffer) => (out += d));
    await waitFor(() => URL_RE.test(out), `the address in the output: ${out}`, 60_000);
    url = URL_RE.exec(out)![1]!;
    token = new URL(url).searchParams.get('token')!;
    await waitFor(() => existsSync(join(rec, 'argv')), 'the stand-in opener', 30_000);
    // A little longer, for processes that would get the token after the opener (a browser it started).
    await new Promise((r) => setTimeout(r, 500));
    const ended = new Promise<void>((r) => reader.once('exit', () => r()));
    reader.stdin.end();
    await ended;
    watched = JSON.parse(readerOut) as typeof watched;
  }, 120_000);

  afterAll(async () => {
    if (start && start.exitCode === null) {
      const ended = new Promise<void>((r) => start!.once('exit', () => r()));
      start.kill('SIGTERM');
      await ended;
    }
    priv?.destroy();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('no command line of any process holds the token, while the opener ran', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(watched.loops).toBeGreaterThan(10);
    // The reader saw the opener itself: it was looking while the token was being handed over.
    expect(watched.cmdlines.some((c) => c.includes(join(base, 'bin', 'xdg-open')))).toBe(true);
    expect(watched.cmdlines.filter((c) => c.includes(token))).toEqual([]);
  });

  it('the opener got a file:// path, 0600 in a 0700 folder of the user, in the runtime folder', () => {
    const argv = readFileSync(join(rec, 'argv'), 'utf8').trim().split('\n');
    expect(argv).toHaveLength(1);
    expect(argv[0]).not.toContain(token);
    expect(argv[0]).toMatch(/^file:\/\//);
    const path = fileURLToPath(argv[0]!);
    expect(dirname(dirname(path))).toBe(runtime);
    expect(readFileSync(join(rec, 'file-stat'), 'utf8').trim()).toBe(`600 ${owner}`);
    expect(readFileSync(join(rec, 'dir-stat'), 'utf8').trim()).toBe(`700 ${owner}`);
    const html = readFileSync(join(rec, 'launcher.html'), 'utf8');
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`);
    expect(html).toContain(`location.replace(${JSON.stringify(url)})`);
  });

  it.skipIf(noBrowser)(
    'the file takes Chromium to the window, which keeps the token; then the file is gone',
    async () => {
      const argv = readFileSync(join(rec, 'argv'), 'utf8').trim();
      const folder = dirname(fileURLToPath(argv));
      expect(existsSync(folder)).toBe(true); // nothing came through it yet
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        await page.goto(argv);
        // The page took the token out of its address: it came with it, through the redirect.
        await expect.poll(() => page.url(), { timeout: 20_000 }).toBe(new URL('/', url).href);
        await page.locator('#tunnels').waitFor();
        expect(await page.locator('#error').isHidden()).toBe(true);
      } finally {
        await browser.close();
      }
      await waitFor(() => !existsSync(folder), 'the redirect file to be removed');
    },
  );

  it("another user's TCP client is refused, token or not; the owner's and root's are served", async () => {
    const env = { OC_URL: new URL('/', url).href, OC_TOKEN: token };
    const as = (user: string) => {
      const r = runAs(user, [process.execPath, '-e', CLIENT], env);
      return JSON.parse(r.stdout) as { status: number; body: { ok: boolean; error?: string } };
    };
    expect(as(other)).toEqual({
      status: 403,
      body: { ok: false, error: 'refused: this connection comes from another user of this computer' },
    });
    // Not even the page's public files.
    const page = runAs(
      other,
      [process.execPath, '-e', 'fetch(process.env.OC_URL).then((r) => console.log(r.status))'],
      env,
    );
    expect(page.stdout.trim()).toBe('403');
    expect(as(owner)).toMatchObject({ status: 200, body: { ok: true } });
    const root = await fetch(`${env.OC_URL}api/call/listTunnels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(root.status).toBe(200);
  });

  it('stopping it removes the redirect folder, also when no browser came through it', async () => {
    // A second `ui --open` as root, without a runtime folder: the file goes into the temp folder.
    const tmp = mkdtempSync(join(base, 'tmp-'));
    const rec2 = mkdtempSync(join(base, 'rec-'));
    const ui = spawn(
      process.execPath,
      ['bin/overlay-connect.js', 'ui', '--open', '--data-dir', join(base, 'root-data')],
      {
        env: {
          ...process.env,
          PATH: `${join(base, 'bin')}:${process.env.PATH}`,
          XDG_RUNTIME_DIR: '',
          TMPDIR: tmp,
          OVERLAY_CONNECT_PASSPHRASE: 'token test',
          OVERLAY_CONNECT_HELPER: '',
          OC_STANDIN_REC: rec2,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out2 = '';
    ui.stdout.on('data', (d: Buffer) => (out2 += d));
    ui.stderr.on('data', (d: Buffer) => (out2 += d));
    try {
      await waitFor(() => existsSync(join(rec2, 'argv')), `the stand-in opener: ${out2}`, 30_000);
      const path = fileURLToPath(readFileSync(join(rec2, 'argv'), 'utf8').trim());
      expect(dirname(dirname(path))).toBe(tmp);
      expect(existsSync(path)).toBe(true);
    } finally {
      const ended = new Promise<void>((r) => ui.once('exit', () => r()));
      ui.kill('SIGTERM');
      await ended;
    }
    expect(readdirSync(tmp)).toEqual([]);
  });
});

function idOf(user: string, which: '-u' | '-g'): number {
  return Number(spawnSync('id', [which, user], { encoding: 'utf8' }).stdout.trim());
}
