/**
 * Node 20 deadlocks in its JWK export of X25519 keys (a GC inside `ExportJWKEdKey` runs a `KeyGenJob`
 * destructor that waits on the mutex the export holds). A deadlock blocks the event loop, so it is run in a
 * child process: 200 000 key pairs and sealed boxes through the product's own code, killed at a hard limit
 * that a healthy run stays far inside. Before the fix this loop hung within a few thousand iterations.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const COUNT = 200_000;
const LIMIT_MS = 240_000;

describe('X25519 key generation cannot deadlock', () => {
  it(
    `${COUNT} key pairs generated and sealed to in one process, under a hard limit`,
    async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/support/x25519-loop.ts', String(COUNT)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const started = Date.now();
      const result = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ code: null, timedOut: true });
        }, LIMIT_MS);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, timedOut: false });
        });
      });
      expect(result.timedOut, `still running after ${LIMIT_MS / 1000} s: a deadlock (${out})`).toBe(false);
      expect(result.code, out).toBe(0);
      expect(JSON.parse(out)).toEqual({ count: COUNT, sealedBytes: COUNT * (44 + 48) });
      console.log(`${COUNT} X25519 key pairs and seals in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    LIMIT_MS + 10_000,
  );
});
