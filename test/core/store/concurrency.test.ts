/**
 * The app, the CLI and `ui` share one store. Processes writing at once must each build on the others'
 * writes: nothing lost, one keyring, every key opening with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testKeyring } from '../../support/store.js';
import { openNodeStore } from '../../../src/core/store/open-node-store.js';
import { withFileLock } from '../../../src/core/store/file-lock.js';
import { TunnelStore } from '../../../src/core/tunnels/tunnel-store.js';

const worker = (dataDir: string, prefix: string, count: number) =>
  new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/import-worker.ts', dataDir, prefix, String(count)],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('exit', (code) => resolve(code ?? -1));
  });

const FILE_LOCK = resolvePath('src/core/store/file-lock.ts');

/** A child process running `script` (an ES module; `withFileLock` and `args` in scope), killed after 60 s
 * whatever happens so that nothing can hang. */
const lockChild = (script: string, ...args: string[]) =>
  spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { withFileLock } = await import(process.argv[1]); const args = process.argv.slice(2);\n${script}`,
      FILE_LOCK,
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], timeout: 60_000, killSignal: 'SIGKILL' },
  );

const exited = (child: ReturnType<typeof spawn>) =>
  new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));

/** Whether another process takes the lock at once (so nobody holds it). */
const takenAtOnce = async (lock: string) =>
  (await exited(lockChild(`withFileLock(args[0], () => undefined, { timeoutMs: 200 });`, lock))) === 0;

/** What a racing child prints once all its rounds are done. */
interface RaceResult {
  rounds: number;
  overlaps: number;
}

// Each round, inside the lock: create the marker exclusively, stay a few hundred µs, note who held it,
// remove the marker. A marker already there is another holder inside the lock at the same time. Between
// rounds a child pauses up to 2 ms so that the others get their turns. The children start together on "go".
const RACER = `
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
const [lock, marker, order, rounds] = [args[0], args[1], args[2], Number(args[3])];
const pause = new Int32Array(new SharedArrayBuffer(4));
process.stdout.write('ready\\n');
await new Promise((r) => process.stdin.once('data', r));
let overlaps = 0;
for (let i = 0; i < rounds; i++) {
  withFileLock(lock, () => {
    try {
      writeFileSync(marker, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      overlaps++;
    }
    const until = performance.now() + 0.3;
    while (performance.now() < until);
    appendFileSync(order, process.pid + '\\n');
    rmSync(marker, { force: true });
  });
  Atomics.wait(pause, 0, 0, Math.random() * 2);
}
process.stdout.write(JSON.stringify({ rounds, overlaps }) + '\\n');
process.exit(0);
`;

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
    // The lock file stays (it is never removed) but nobody holds it: another process takes it at once.
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual(['state.json.lock']);
    expect(await takenAtOnce(join(dir, 'state.json.lock'))).toBe(true);
  }, 120_000);

  it('a lock file left by an older build (any content) just works; a live holder is waited for; nesting runs', async () => {
    const lock = join(dir, 'x.lock');
    writeFileSync(lock, '999999999 0'); // an older build's lock file, or any content
    expect(withFileLock(lock, () => 'ran')).toBe('ran');
    expect(existsSync(lock)).toBe(true); // never removed
    const holder = lockChild(
      `withFileLock(args[0], () => { process.stdout.write('locked\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000); });`,
      lock,
    );
    await new Promise((r) => holder.stdout!.once('data', r));
    expect(() => withFileLock(lock, () => 'ran', { timeoutMs: 100 })).toThrow(
      /locked by another overlay-connect process/,
    );
    expect(await exited(holder)).toBe(0);
    expect(withFileLock(lock, () => withFileLock(lock, () => 'nested'))).toBe('nested');
    expect(await takenAtOnce(lock)).toBe(true); // released when the outer call returned
  });

  it('3 processes × 200 rounds racing for the lock: never two holders at once', async () => {
    const lock = join(dir, 'race.lock');
    const marker = join(dir, 'inside');
    const order = join(dir, 'order');
    const children = [0, 1, 2].map(() => lockChild(RACER, lock, marker, order, '200'));
    const outputs = children.map((c) => {
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d));
      return () => out;
    });
    // All three started and waiting, then all go at once.
    await Promise.all(children.map((c) => new Promise((resolve) => c.stdout!.once('data', resolve))));
    for (const c of children) c.stdin!.write('go\n');
    expect(await Promise.all(children.map(exited))).toEqual([0, 0, 0]);
    const results = outputs.map((o) => JSON.parse(o().trim().split('\n').pop()!) as RaceResult);
    const rounds = results.reduce((n, r) => n + r.rounds, 0);
    const overlaps = results.reduce((n, r) => n + r.overlaps, 0);
    // They really raced: the lock went from one process to another many times.
    const holders = readFileSync(order, 'utf8').trim().split('\n');
    const handovers = holders.filter((pid, i) => i > 0 && pid !== holders[i - 1]).length;
    console.log(`lock race: 3 processes, ${rounds} rounds, ${overlaps} overlaps, ${handovers} handovers`);
    expect(rounds).toBe(600);
    expect(overlaps).toBe(0);
    expect(holders).toHaveLength(600);
    expect(handovers).toBeGreaterThan(50);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('a holder killed with SIGKILL inside the lock leaves it free at once: no stale rules needed', async () => {
    const lock = join(dir, 'killed.lock');
    const holder = lockChild(
      `withFileLock(args[0], () => { process.stdout.write('locked\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); });`,
      lock,
    );
    await new Promise((r) => holder.stdout!.once('data', r));
    expect(() => withFileLock(lock, () => 'ran', { timeoutMs: 100 })).toThrow(/locked by another/);
    const gone = exited(holder);
    holder.kill('SIGKILL');
    await gone;
    const start = Date.now();
    expect(withFileLock(lock, () => 'ran', { timeoutMs: 1000 })).toBe('ran');
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
