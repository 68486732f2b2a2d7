import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Where test/support/gate.ts records each skip's reason for the summary reporter to print (one per run;
// the workers inherit it; the reporter removes it at the end).
process.env.OC_TEST_RUN_DIR = mkdtempSync(join(tmpdir(), 'oc-test-run-'));

export default defineConfig({
  // The real src/electron/main.ts runs in tests against a model of Electron (the binary cannot be fetched
  // here); electron-store is inlined so that its `import 'electron'` gets the model too.
  resolve: {
    alias: [
      {
        find: /^electron$/,
        replacement: fileURLToPath(new URL('./test/support/fake-electron.ts', import.meta.url)),
      },
    ],
  },
  test: {
    server: { deps: { inline: ['electron-store'] } },
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests start real WireGuard interfaces in namespaces; give them room on 2 cores.
    testTimeout: 60_000,
    // One test file at a time, on any machine: the devnets (v2 and v3) use fixed namespace names (ocd-*),
    // and the helper and namespace tests share the host's WireGuard tools. On CI's two cores vitest would
    // pick one worker anyway.
    fileParallelism: false,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
