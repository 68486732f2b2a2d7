/** Builds the bundles once so tests that run the real `overlay-connect` binary test what ships. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  // A nested run of the suite's own (test/ci/watchdog.test.ts) uses the bundles its parent built.
  if (process.env.OC_TEST_NO_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
