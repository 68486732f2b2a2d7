// Builds the bundles: CLI, privileged helper and Electron main (ESM, node_modules left external: both run beside them),
// the sandboxed preload (one CommonJS file, as sandboxed preloads must be) and the renderer (one classic
// script, so it loads from file:// and from the loopback host alike).
import { cpSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

// dist is overwritten in place, not removed first: a test run building it must not pull it from under another.
mkdirSync('dist/renderer', { recursive: true });
/** What the Electron main leaves to the runtime (test/packaging checks the bundle imports nothing else). */
const MAIN_EXTERNAL = ['electron', 'fs-ext'];
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/index.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'esm',
    packages: 'external',
  }),
  // The privileged helper alone: what stays root loads nothing else (bin/overlay-connect.js routes to it).
  build({
    ...common,
    entryPoints: ['src/helper/main.ts'],
    outfile: 'dist/helper.js',
    platform: 'node',
    format: 'esm',
    packages: 'external',
  }),
  // The Electron main is self-contained: Electron has repeatedly regressed on ESM packages imported from
  // inside the asar, and these are plain JavaScript. Only `electron` itself and fs-ext (a native addon: its
  // .node file is rebuilt for Electron's ABI by npmRebuild and cannot be inlined) stay outside. The
  // CommonJS packages inlined call `require` for Node's built-ins, which an ESM bundle lacks: the banner
  // gives them one.
  build({
    ...common,
    entryPoints: ['src/electron/main.ts'],
    outfile: 'dist/main.js',
    platform: 'node',
    format: 'esm',
    external: MAIN_EXTERNAL,
    banner: {
      js: "import { createRequire as __ocCreateRequire } from 'node:module';\nconst require = __ocCreateRequire(import.meta.url);",
    },
  }),
  build({
    ...common,
    entryPoints: ['src/electron/preload.ts'],
    outfile: 'dist/preload.cjs',
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['src/ui/renderer.ts'],
    outfile: 'dist/renderer/renderer.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
  }),
]);
cpSync('src/ui/index.html', 'dist/renderer/index.html');
cpSync('src/ui/styles.css', 'dist/renderer/styles.css');
