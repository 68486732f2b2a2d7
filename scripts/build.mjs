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
/**
 * The CLI's two builds. Both replace src/cli/store-validator.ts with the store's schema check compiled
 * now, by the ajv conf uses, to standalone code: the CLI reads the store for `tunnel list` without conf,
 * whose start (loading ajv, compiling the schema) costs more than the rest of that command.
 */
async function cliBuildOptions() {
  const { createRequire } = await import('node:module');
  const source = await build({
    entryPoints: ['src/cli/store-validator.ts'],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  const { STORE_AJV_OPTIONS, STORE_ROOT_SCHEMA } = await import(
    `data:text/javascript;base64,${Buffer.from(source.outputFiles[0].text).toString('base64')}`
  );
  const fromConf = createRequire(createRequire(import.meta.url).resolve('conf'));
  const { Ajv2020 } = fromConf('ajv/dist/2020.js');
  const standaloneCode = fromConf('ajv/dist/standalone/index.js').default;
  const ajv = new Ajv2020({ ...STORE_AJV_OPTIONS, code: { source: true, esm: true } });
  fromConf('ajv-formats').default(ajv);
  const code = standaloneCode(ajv, ajv.compile(STORE_ROOT_SCHEMA));
  // Standalone code may call ajv's run-time helpers through require, which an ESM bundle has not got.
  if (/\brequire\(/.test(code))
    throw new Error('the store validator needs ajv at run time: bundle its helpers');
  const storeValidator = {
    name: 'store-validator',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]store-validator\.ts$/ }, () => ({
        contents: `${code}\nexport function storeValidator() {\n  return validate;\n}\n`,
        loader: 'js',
      }));
    },
  };
  return [
    {
      entryPoints: { index: 'src/cli/index.ts' },
      outdir: 'dist/cli',
      splitting: true,
      metafile: true,
      // Hashed: a chunk's content never changes under a CLI already running from an older build.
      chunkNames: '[name]-[hash]',
      plugins: [storeValidator],
    },
    { entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js', plugins: [storeValidator] },
  ];
}

/** Fails the build if the split CLI's entry loads a package before it knows the command: whatever it
 * imports statically, every command (and --help) pays for. Packages belong to the commands that use them,
 * imported from their modules (or with import()), never from what the dispatcher imports. */
function checkCliEntry(metafile) {
  const seen = new Set();
  const packages = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) {
        if (!i.path.startsWith('node:')) packages.add(i.path);
      } else visit(i.path);
    }
  };
  visit('dist/cli/index.js');
  if (packages.size)
    throw new Error(
      `dist/cli/index.js loads ${[...packages].join(', ')} at start: import it where it is used`,
    );
}

/** Removes chunks an older build wrote and this one did not, once a day old: until then, a CLI started
 * from that build may still import them. */
async function pruneCliChunks(metafile) {
  const { readdirSync, rmSync, statSync } = await import('node:fs');
  const current = new Set(Object.keys(metafile.outputs));
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const f of readdirSync('dist/cli').map((n) => `dist/cli/${n}`))
    if (!current.has(f) && statSync(f).mtimeMs < dayAgo) rmSync(f, { force: true });
}

await Promise.all([
  // The CLI, twice. dist/cli/: split, each command's module (and what only it uses) a chunk of its own,
  // imported when that command runs, so a command loads only its own libraries. dist/cli.js: one file, for
  // the helper's commands, which root runs (`helper install` elevated): the helper's code check
  // (src/helper/code-check.ts) vouches for that file, and chunks would be files it does not look at.
  ...(await cliBuildOptions()).map((options) =>
    build({ ...common, ...options, platform: 'node', format: 'esm', packages: 'external' }).then(
      async (result) => {
        if (!result.metafile) return;
        checkCliEntry(result.metafile);
        await pruneCliChunks(result.metafile);
      },
    ),
  ),
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
  // gives them one. Split: what the main imports only when it is used (the Grid v3 libraries, ~10 MB of
  // them) is a chunk of its own under dist/main-chunks/, so the app's start does not parse it.
  build({
    ...common,
    entryPoints: { main: 'src/electron/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'main-chunks/[name]-[hash]',
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
