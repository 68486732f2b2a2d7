/**
 * A hang fails fast and names itself. This file has two roles: with OC_TEST_HANG=1 (the switch) its one
 * test blocks its worker's thread for good, as Node's JWK deadlock did, so no vitest timeout can fire; in
 * an ordinary run it starts that hanging run itself, under scripts/watchdog.mjs as .ci/run does, and checks
 * that the watchdog ends it within its limit, names this file, and prints the stuck worker's native stack.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/core/wgconf/check.js';
import { gate } from '../support/gate.js';

const HANG = process.env.OC_TEST_HANG === '1';
const LIMIT_S = 25;

if (HANG) {
  it('hangs (the watchdog switch is on)', () => {
    // A native wait on a value nobody changes: the event loop and every timer stop here for ever.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
} else {
  const noGdb = gate(
    'native backtrace of a hung worker',
    findExecutable('gdb') ? undefined : '`gdb` not found (apt-get install --no-install-recommends gdb)',
  );
  describe('the watchdog .ci/run puts the tests under', () => {
    it(
      'ends a run whose test hangs within its limit, naming the file and showing where it is stuck',
      async () => {
        const child = spawn(
          process.execPath,
          [
            'scripts/watchdog.mjs',
            '--limit',
            String(LIMIT_S),
            '--',
            process.execPath,
            'node_modules/vitest/vitest.mjs',
            'run',
            'test/ci/watchdog.test.ts',
          ],
          {
            env: { ...process.env, OC_TEST_HANG: '1', OC_TEST_NO_BUILD: '1', OC_TEST_PROGRESS: '' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (out += d));
        const started = Date.now();
        const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        const took = (Date.now() - started) / 1000;
        expect(code, out).toBe(124);
        expect(took).toBeGreaterThanOrEqual(LIMIT_S);
        expect(took).toBeLessThan(LIMIT_S + 90); // the backtraces take a few seconds each
        expect(out).toMatch(/test files started and not finished:\n {2}test\/ci\/watchdog\.test\.ts/);
        expect(out).toMatch(/tests: 0 passed, 1 failed, 0 skipped \(watchdog: limit of 25 s\)/);
        if (!noGdb) expect(out).toMatch(/#\d+ .*(futex|Atomics|FutexEmulation)/i);
      },
      (LIMIT_S + 120) * 1000,
    );
  });
}
