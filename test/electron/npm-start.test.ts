/**
 * `npm start` as a newcomer runs it on a machine like these: no display, no Electron binary. It must say why
 * in one line and serve a working window instead of ending in a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
