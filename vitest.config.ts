import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
