/** Boots the real Electron host (src/electron/main.ts) on the model of Electron, as Electron would. */
import { join } from 'node:path';
import { vi } from 'vitest';
import type { fake as FakeControl } from './fake-electron.js';

export type Fake = typeof FakeControl;

/** Polls for up to 15 s: CI runs this on two busy cores. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 750 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** The module runs, then the app becomes ready. Fresh per boot: vi.resetModules() gives main.ts a new module
 * graph, and the model returned is the one it sees. */
export async function bootHost(dir: string, options: { backend?: string } = {}): Promise<Fake> {
  vi.resetModules();
  const fake = (await import('./fake-electron.js')).fake;
  fake.reset({ userData: join(dir, 'userData'), backend: options.backend });
  await import('../../src/electron/main.js');
  fake.ready();
  await until(() => fake.tray !== undefined && fake.window !== undefined, 'the tray and the window');
  return fake;
}

/** The sender and frame of the host's own window: the only ones its IPC answers. */
export const ownWindow = (fake: Fake) => ({
  sender: fake.window!.webContents,
  senderFrame: fake.window!.webContents.mainFrame,
});
