/** Builds the bundles once so tests that run the real `overlay-connect` binary test what ships. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
