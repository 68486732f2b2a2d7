/** Starts `overlay-connect ui` as a user would and hands back its printed URL. */
import type { Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumMissing = () =>
  existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium)`;
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function startUi(
  args: string[],
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['bin/overlay-connect.js', 'ui', ...args], {
    env: { ...process.env, OVERLAY_CONNECT_PASSPHRASE: 'test passphrase' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ui did not start: ${out}`)), 20_000);
    const take = (d: Buffer) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('exit', () => reject(new Error(`ui exited: ${out}`)));
  });
  return {
    url,
    child,
    stop: () => stopChild(child, 'ui'),
  };
}

/**
 * Ends a child the test started: SIGTERM, then SIGKILL after `graceMs` (saying so: a child that ignores
 * SIGTERM is a bug to see). Resolves at once for a child that has already exited, by a code or by a
 * signal (its 'exit' event will not come again).
 */
export function stopChild(child: ChildProcess, what: string, graceMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      console.warn(`${what} (pid ${child.pid}) did not end ${graceMs / 1000} s after SIGTERM: SIGKILL`);
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Awaits one clean-up step, failing with its name if it takes longer than `ms` (a hook timeout names none). */
export async function step<T>(what: string, work: Promise<T> | T, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes a page's `prompt`, `alert` and `confirm` throw, as Electron's renderer does
 * (electron/electron#472): a window that relied on them would work in Chromium and fail in the app.
 * Call before the page loads.
 */
export async function electronDialogs(page: Page): Promise<void> {
  await page.addInitScript(() => {
    for (const name of ['prompt', 'alert', 'confirm'] as const)
      window[name] = () => {
        throw new Error(`${name}() is not supported`);
      };
  });
}
