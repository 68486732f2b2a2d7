/**
 * The app, the CLI and `ui` share one store. Processes writing at once must each build on the others'
 * writes: nothing lost, one keyring, every key opening with it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testKeyring } from '../../support/store.js';
import { openNodeStore } from '../../../src/core/store/open-node-store.js';
import { withFileLock } from '../../../src/core/store/file-lock.js';
import { TunnelStore } from '../../../src/core/tunnels/tunnel-store.js';
import { writeFileSync } from 'node:fs';

const worker = (dataDir: string, prefix: string, count: number) =>
  new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/import-worker.ts', dataDir, prefix, String(count)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('exit', (code) => resolve(code ?? -1));
  });

describe('one store, several processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oc-concurrency-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('4 processes × 100 imports at once, on a store none of them had made: 400 tunnels, one keyring, every key opens', async () => {
    const codes = await Promise.all(['a', 'b', 'c', 'd'].map((p) => worker(dir, p, 100)));
    expect(codes).toEqual([0, 0, 0, 0]);
    const store = openNodeStore(dir);
    const tunnels = new TunnelStore(store, testKeyring(store, 'shared passphrase'));
    const names = tunnels.list().map((t) => t.name);
    expect(names).toHaveLength(400);
    for (const p of ['a', 'b', 'c', 'd']) for (let i = 0; i < 100; i++) expect(names).toContain(`${p}-${i}`);
    for (const n of names) expect(await tunnels.wgQuickText(n)).toMatch(/^PrivateKey = /m);
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 120_000);

  it('a lock left by a process that died is taken over; a live one is waited for', () => {
    const lock = join(dir, 'x.lock');
    writeFileSync(lock, '999999999 0'); // no such pid
    expect(withFileLock(lock, () => 'ran')).toBe('ran');
    writeFileSync(lock, `${process.ppid} ${Date.now()}`); // alive: our parent
    expect(() => withFileLock(lock, () => 'ran', { timeoutMs: 100 })).toThrow(
      /locked by another overlay-connect process/,
    );
    rmSync(lock);
    expect(withFileLock(lock, () => withFileLock(lock, () => 'nested'))).toBe('nested');
  });
});
