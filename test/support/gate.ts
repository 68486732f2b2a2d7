/**
 * One rule for tests that cannot run on every machine. `gate(what, reason)` returns true when the tests
 * it guards must be skipped, and records why, so that the run's summary prints every skip with its reason
 * (a test file's console output does not always reach a CI log).
 *
 * In CI as root (`CI=true`, uid 0) the machine is the one the tests are for: there a missing tool, namespace
 * or privilege is a broken set-up, not a reason to skip, so the gate adds a failing test carrying the
 * reason instead. Only what cannot exist here at all (the Electron binary) may pass `ciMaySkip`.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

export const inCiAsRoot = () => process.env.CI === 'true' && process.getuid?.() === 0;

export function gate(what: string, reason: string | undefined, o: { ciMaySkip?: boolean } = {}): boolean {
  if (!reason) return false;
  // While a file loads, vitest's expect state names it.
  const file = (expect.getState().testPath ?? 'unknown file').replace(`${process.cwd()}/`, '');
  if (inCiAsRoot() && !o.ciMaySkip) {
    it(`${what}: must run in CI as root`, () => {
      throw new Error(`${what} would be skipped: ${reason}`);
    });
    return true;
  }
  const line = `${file}: ${what}: ${reason}`;
  console.warn(`SKIPPED: ${line}`);
  const runDir = process.env.OC_TEST_RUN_DIR;
  if (runDir) appendFileSync(join(runDir, 'skips.log'), `${line}\n`);
  return true;
}
