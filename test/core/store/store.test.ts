import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/core/store/file-lock.js';
import { KeyringLockedError } from '../../../src/core/store/keyring.js';
import { StoreDamagedError } from '../../../src/core/store/open-node-store.js';
import { writePrivateFile } from '../../../src/core/store/private-files.js';
import { parseConfig } from '../../../src/core/wgconf/parser.js';
import { openTestStore, sampleConfig } from '../../support/store.js';
import { useTempDir } from '../../support/tmp.js';

const mode = (p: string) => statSync(p).mode & 0o777;
/** The crash test's count: 500 as the store's promise says; KILL_RUNS=N for a quicker look. */
const KILL_RUNS = Number(process.env.KILL_RUNS ?? 500);
/** What a store's folder holds besides temp files: the state and its lock file (which is never removed). */
const KEPT = ['state.json', 'state.json.lock'];

describe('secure store', () => {
  const tmp = useTempDir();

  it('round-trips a tunnel through a fresh process view of the file', async () => {
    const dir = join(tmp.path, 'a');
    const { text, me } = sampleConfig('DNS = 10.7.0.1');
    await openTestStore(dir).tunnels.importText(text, { name: 'office' });
    const again = openTestStore(dir);
    expect(again.tunnels.list().map((t) => [t.name, t.interface, t.publicKey])).toEqual([
      ['office', 'office', me.publicKey],
    ]);
    expect(parseConfig(await again.tunnels.exportText('office'))).toEqual(parseConfig(text));
  });

  it('keeps private keys only as ciphertext', async () => {
    const dir = join(tmp.path, 'b');
    const { text, me } = sampleConfig();
    await openTestStore(dir).tunnels.importText(text, { name: 'x' });
    const raw = readFileSync(join(dir, 'state.json'), 'utf8');
    expect(raw).not.toContain(me.privateKey);
    expect(raw).not.toContain(Buffer.from(me.privateKey, 'base64').toString('hex'));
    expect(JSON.parse(raw).secrets['tunnel:x']).toMatch(/^v2:[A-Za-z0-9+/]+=*$/);
  });

  it('writes the file 0600 in a 0700 folder, and tightens a folder that was too open', async () => {
    const dir = join(tmp.path, 'c');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await openTestStore(dir).tunnels.importText(sampleConfig().text, { name: 'x' });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'state.json'))).toBe(0o600);
    const out = join(tmp.path, 'export.conf');
    writePrivateFile(out, 'secret');
    expect(mode(out)).toBe(0o600);
    expect(readdirSync(tmp.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a wrong passphrase without touching the store', async () => {
    const dir = join(tmp.path, 'd');
    await openTestStore(dir).tunnels.importText(sampleConfig().text, { name: 'x' });
    const before = readFileSync(join(dir, 'state.json'));
    const wrong = openTestStore(dir, 'not it');
    await expect(wrong.tunnels.exportText('x')).rejects.toThrow(KeyringLockedError);
    await expect(wrong.tunnels.importText(sampleConfig().text, { name: 'y' })).rejects.toThrow(
      /Wrong passphrase/,
    );
    expect(readFileSync(join(dir, 'state.json'))).toEqual(before);
  });

  it('refuses keys sealed by a keyring it cannot open, instead of re-sealing them', async () => {
    const dir = join(tmp.path, 'e');
    const { store, tunnels } = openTestStore(dir);
    await tunnels.importText(sampleConfig().text, { name: 'x' });
    // A store from before slots, made by the app under basic_text: the CLI has no way to open it.
    store.update((d) => {
      d.keyring = { cipherId: 'electron-safeStorage/basic_text', params: {}, check: 'AAAA' };
    });
    const before = readFileSync(join(dir, 'state.json'));
    await expect(openTestStore(dir).tunnels.exportText('x')).rejects.toThrow(
      /sealed with "electron-safeStorage\/basic_text", which this program cannot open/,
    );
    expect(readFileSync(join(dir, 'state.json'))).toEqual(before);
  });

  it.each([
    ['not JSON', '{"tunnels": {'],
    ['a schema violation', '{"tunnels": "oops", "secrets": {}, "settings": {}}'],
  ])('backs up and reports a store that is %s, never wiping it', (_what, content) => {
    const dir = join(tmp.path, 'f' + content.length);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'state.json'), content, { mode: 0o600 });
    let error: unknown;
    try {
      openTestStore(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreDamagedError);
    const damaged = error as StoreDamagedError;
    expect(damaged.message).toMatch(/cannot be read .* It was not changed; a copy is at/);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe(content);
    expect(readFileSync(damaged.backupPath, 'utf8')).toBe(content);
  });

  it(`loses no committed record and leaves no temp file when writers are killed with SIGKILL (${KILL_RUNS} runs)`, async () => {
    // The writer is bundled once so that each run starts in tens of milliseconds, not seconds.
    const writer = join(process.cwd(), 'test-results', `store-writer-${process.pid}.mjs`);
    await build({
      entryPoints: ['test/support/store-writer.ts'],
      outfile: writer,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    let killedMidWrite = 0;
    let leftBehind = 0; // runs killed with a temp file on disk: really mid-write
    // Two lanes, each with its own store, so that both cores work (the test runner uses one).
    const lane = async (first: number) => {
      let dir = '';
      const committed: string[] = [];
      for (let run = first; run < KILL_RUNS; run += 2) {
        if (run % 50 === first) {
          // A fresh store now and then keeps the file (written whole each time) small.
          if (dir) await everyKeyOpens(dir, committed);
          dir = join(tmp.path, `kill${run}`);
          committed.length = 0;
        }
        const child = spawn(process.execPath, [writer, dir, `r${run}`], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let buffered = '';
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        // A third of the runs die anywhere (starting, opening, making the keyring); the rest a few ms after
        // a commit, while the next write is under way.
        const anywhere = run % 3 === 0;
        const kill = () => child.kill('SIGKILL');
        if (anywhere) setTimeout(kill, 20 + Math.random() * 150);
        await new Promise<void>((resolve) => {
          child.stdout.on('data', (chunk: Buffer) => {
            buffered += chunk.toString();
            if (!anywhere && !child.killed && buffered.includes('\n')) setTimeout(kill, Math.random() * 8);
          });
          child.on('exit', () => resolve());
        });
        for (const m of buffered.matchAll(/committed (\S+)\n/g)) committed.push(m[1]!);
        if (!anywhere) killedMidWrite++;
        expect(stderr, `run ${run}`).toBe('');
        if (existsSync(dir) && readdirSync(dir).some((f) => !KEPT.includes(f))) leftBehind++;
        // The lock file stays (it is never removed), but the kernel released the killed writer's lock: this
        // process takes it at once.
        if (existsSync(join(dir, 'state.json.lock')))
          expect(
            withFileLock(join(dir, 'state.json.lock'), () => 'free', { timeoutMs: 0 }),
            `run ${run}`,
          ).toBe('free');
        // The store opens; opening removed what the killed writer left (its temp file).
        const { tunnels } = openTestStore(dir);
        const names = new Set(tunnels.list().map((t) => t.name));
        expect(
          committed.filter((n) => !names.has(n)),
          `run ${run}: committed records lost`,
        ).toEqual([]);
        expect(
          readdirSync(dir).filter((f) => !KEPT.includes(f)),
          `run ${run}`,
        ).toEqual([]);
      }
      await everyKeyOpens(dir, committed);
    };
    try {
      await Promise.all([lane(0), lane(1)]);
      expect(killedMidWrite).toBeGreaterThan(KILL_RUNS / 2);
      expect(leftBehind).toBeGreaterThan(0);
      console.log(`SIGKILL runs: ${KILL_RUNS}; killed with a temp file on disk: ${leftBehind}`);
    } finally {
      rmSync(writer, { force: true });
    }
  }, 600_000);
});

/** Every record there is whole: its sealed key opens (with the one keyring every writer shared). */
async function everyKeyOpens(dir: string, committed: string[]): Promise<void> {
  const { tunnels } = openTestStore(dir);
  const names = tunnels.list().map((t) => t.name);
  expect(names.length).toBeGreaterThanOrEqual(committed.length);
  for (const name of names) expect(await tunnels.exportText(name)).toMatch(/PrivateKey = /);
}
