/**
 * Boots the real Electron host on the model of Electron, as Electron would: the **built** `dist/main.js`
 * (the file the package runs, whose preload, renderer and icon paths are the ones that must be right), or
 * with `source: true` `src/electron/main.ts`, for the tests that replace one of its modules (vi.doMock
 * reaches a module graph, not a bundle).
 */
import { join } from 'node:path';
import { vi } from 'vitest';
import type { fake as FakeControl } from './fake-electron.js';

export type Fake = typeof FakeControl;

/** The model last reset (it says so on globalThis): `until` fails at once on anything it recorded as a
 * problem. */
const current = () => (globalThis as { __ocFake?: Fake }).__ocFake;

/** Polls for up to 15 s: CI runs this on two busy cores. */
export async function until(check: () => boolean, what: string): Promise<void> {
  const problems = () => {
    const problems = current()?.state.problems ?? [];
    if (problems.length) throw new Error(`while waiting for ${what}: ${problems.join('; ')}`);
  };
  for (let i = 0; i < 750 && !check(); i++) {
    problems();
    await new Promise((r) => setTimeout(r, 20));
  }
  problems();
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** The model, fresh: vi.resetModules() gives the host a new module graph, and this is the model it sees. */
export async function freshModel(options: Parameters<Fake['reset']>[0]): Promise<Fake> {
  vi.resetModules();
  const fake = (await import('./fake-electron.js')).fake;
  fake.reset(options);
  return fake;
}

/** The built files, for a host run from source (src/electron/ has no preload, renderer or assets). */
const BUILT = {
  preload: join(process.cwd(), 'dist', 'preload.cjs'),
  renderer: join(process.cwd(), 'dist', 'renderer'),
  assets: join(process.cwd(), 'assets'),
};

/** Runs the host's module: Electron runs it before `ready`. */
export async function runHost(o: { source?: boolean } = {}): Promise<void> {
  if (o.source) {
    vi.doMock('../../src/electron/app-files.js', () => ({ appFiles: () => BUILT }));
    await import('../../src/electron/main.js');
  }
  // @ts-expect-error: the bundle has no types; test/support/global-setup.ts builds it before the run.
  else await import('../../dist/main.js');
}

/** The module runs, then the app becomes ready; resolves when the tray is there and the page has loaded. */
export async function bootHost(
  dir: string,
  options: { backend?: string; source?: boolean } = {},
): Promise<Fake> {
  const fake = await freshModel({ userData: join(dir, 'userData'), backend: options.backend });
  await runHost(options);
  fake.ready();
  await until(() => fake.tray !== undefined && fake.window?.loaded === true, 'the tray and the page');
  return fake;
}

/** The sender and frame of the host's own window: the only ones its IPC answers. */
export const ownWindow = (fake: Fake) => ({
  sender: fake.window!.webContents,
  senderFrame: fake.window!.webContents.mainFrame,
});
