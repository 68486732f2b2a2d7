/**
 * `npm start` as a newcomer runs it on a machine like these: no display, no Electron binary. It must say why
 * in one line and serve a working window instead of ending in a stack trace.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function startUntilAddress(env: Record<string, string | undefined>): Promise<{ out: string; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`no address within 60 s: ${out}`));
    }, 60_000);
    const take = (d: Buffer) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        void fetch(m[1]!).then(async (res) => {
          const html = await res.text();
          child.kill('SIGTERM');
          if (res.status !== 200 || !html.includes('<title>'))
            reject(new Error(`the window did not load: ${res.status}`));
          else resolve({ out, url: m[1]! });
        }, reject);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
  });
}

describe('npm start', () => {
  it('without a display: one line saying why, then the address of a working window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-start-'));
    try {
      const { out } = await startUntilAddress({
        DISPLAY: '',
        WAYLAND_DISPLAY: '',
        OVERLAY_CONNECT_PASSPHRASE: 'start test',
        XDG_CONFIG_HOME: dir,
        HOME: dir,
        OVERLAY_CONNECT_HELPER: '',
      });
      expect(out.split('\n')[0]).toBe(
        'No display here (neither DISPLAY nor WAYLAND_DISPLAY is set): serving the window at a local address instead.',
      );
      expect(out).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('with a display but no Electron binary to be had: says so in one line, then serves the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-start-'));
    try {
      // The binary cannot be fetched here (no route to its host); a mirror on a closed local port makes the
      // failure immediate on any machine.
      const { out } = await startUntilAddress({
        DISPLAY: ':99',
        BROWSER: 'none',
        OVERLAY_CONNECT_PASSPHRASE: 'start test',
        XDG_CONFIG_HOME: dir,
        HOME: dir,
        OVERLAY_CONNECT_HELPER: '',
        ELECTRON_MIRROR: 'http://127.0.0.1:9/',
        electron_config_cache: dir,
      });
      const lines = out.split('\n');
      expect(lines[0]).toBe('Fetching the Electron binary (first run)…');
      expect(lines[1]).toMatch(
        /^The Electron binary could not be fetched \(.*\): serving the window at a local address instead\.$/,
      );
      expect(out).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

/** An Electron package whose binary is there: its cli.js only says it was started. */
function fakeElectron(dir: string, sandboxMode: number): { electronDir: string; sandbox: string } {
  const electronDir = join(dir, 'electron');
  mkdirSync(join(electronDir, 'dist'), { recursive: true });
  writeFileSync(join(electronDir, 'path.txt'), 'electron');
  writeFileSync(join(electronDir, 'cli.js'), "console.log('electron started');\n");
  const sandbox = join(electronDir, 'dist', 'chrome-sandbox');
  writeFileSync(sandbox, '#!/bin/sh\n');
  chmodSync(sandbox, sandboxMode);
  return { electronDir, sandbox };
}

function startOnce(env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    // Electron (here a stand-in) ends by itself; anything else (the served window) is stopped after 20 s.
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

// Ubuntu >= 23.10: AppArmor restricts unprivileged user namespaces, and Electron aborts unless its setuid
// sandbox helper is root's with mode 4755 (electron/electron#42510). Probed here through test-only paths.
describe.runIf(process.platform === 'linux')('npm start where user namespaces are restricted', () => {
  const base = (dir: string, electronDir: string, sandbox: string, restricted: string) => {
    const sysctl = join(dir, 'apparmor_restrict_unprivileged_userns');
    writeFileSync(sysctl, `${restricted}\n`);
    return {
      DISPLAY: ':99',
      BROWSER: 'none',
      OVERLAY_CONNECT_PASSPHRASE: 'start test',
      XDG_CONFIG_HOME: dir,
      HOME: dir,
      OVERLAY_CONNECT_HELPER: '',
      OVERLAY_CONNECT_TEST_ELECTRON_DIR: electronDir,
      OVERLAY_CONNECT_TEST_USERNS_SYSCTL: sysctl,
      OVERLAY_CONNECT_TEST_CHROME_SANDBOX: sandbox,
    };
  };

  it('a sandbox helper that is not setuid root: the fix in one line, then the window served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-start-'));
    try {
      const { electronDir, sandbox } = fakeElectron(dir, 0o755);
      const { out } = await startUntilAddress(base(dir, electronDir, sandbox, '1'));
      expect(out.split('\n')[0]).toBe(
        `Electron's sandbox cannot start here (AppArmor restricts unprivileged user namespaces, and ${sandbox} is not setuid root): serving the window at a local address instead. For the desktop app: sudo chown root:root ${sandbox} && sudo chmod 4755 ${sandbox}`,
      );
      expect(out).not.toContain('electron started');
      expect(out).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('starts Electron when the helper is setuid root, or when nothing is restricted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-start-'));
    try {
      const bad = fakeElectron(join(dir, 'bad'), 0o755);
      expect(await startOnce(base(dir, bad.electronDir, bad.sandbox, '0'))).toBe('electron started\n');
      // Only root can make a root-owned setuid file (the suite runs as root here).
      if (process.getuid?.() === 0) {
        const good = fakeElectron(join(dir, 'good'), 0o4755);
        expect(statSync(good.sandbox).mode & 0o7777).toBe(0o4755);
        expect(await startOnce(base(dir, good.electronDir, good.sandbox, '1'))).toBe('electron started\n');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
