/**
 * In CI as root a test that would skip for a missing tool fails instead, with its reason: a nested run of a
 * file that needs `wg`, with CI=true, as root, and a PATH on which `wg` cannot be found.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { gate } from '../support/gate.js';

const notRoot = gate(
  'a CI run with a tool removed',
  process.getuid?.() === 0 ? undefined : 'not root (the rule is for CI, which runs as root)',
);

it.skipIf(notRoot)('fails, naming the missing tool and what to install, instead of skipping', () => {
  const r = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', 'test/core/wgconf/keys.test.ts'],
    {
      env: { ...process.env, CI: 'true', PATH: '/nonexistent', OC_TEST_NO_BUILD: '1', OC_TEST_PROGRESS: '' },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const out = `${r.stdout}${r.stderr}`;
  expect(r.status, out).toBe(1);
  expect(out).toMatch(/key agreement with wg\(8\): must run in CI as root/);
  expect(out).toMatch(
    /key agreement with wg\(8\) would be skipped: `wg` not found \(apt-get install wireguard-tools\)/,
  );
  expect(r.stdout).toMatch(/tests: \d+ passed, 1 failed, 1 skipped/);
});
