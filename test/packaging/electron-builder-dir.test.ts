/**
 * electron-builder itself, `--linux --dir`, on a stand-in Electron (electronDist: a shell script holding
 * Electron's fuse wire) with no network (its own network namespace) and no native rebuild (that fetches
 * Electron's headers): the unpacked app has the helper's bundle and its packages outside the asar, the
 * fuses as set (runAsNode on for Linux), and the unit's command runs that bundle. What needs the real
 * Electron, fpm and the AppImage tools (the deb, the rpm, the AppImage) is not built here.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGED_DIR, PACKAGED_HELPER_COMMAND } from '../../src/helper/units.js';

const require = createRequire(import.meta.url);
const UNSHARE = ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p));
const noNet =
  process.platform === 'linux' &&
  !!UNSHARE &&
  existsSync('dist/helper.js') &&
  spawnSync(UNSHARE, ['--net', 'true'], { stdio: 'ignore' }).status === 0;
const SENTINEL: string = require('@electron/fuses/dist/constants.js').SENTINEL;

describe.skipIf(!noNet)('electron-builder --linux --dir with a stand-in Electron, offline', () => {
  const t = mkdtempSync(join(tmpdir(), 'oc-eb-dir-'));
  afterAll(() => rmSync(t, { recursive: true, force: true }));

  it('puts the helper and its packages beside the asar, flips runAsNode on, and the unit runs it', () => {
    const dist = join(t, 'electron-dist');
    mkdirSync(join(dist, 'resources'), { recursive: true });
    // Fuse wire v1, 8 fuses, as a stock Electron has them (runAsNode on ... grantFileProtocol on).
    writeFileSync(join(dist, 'electron'), `#!/bin/sh\n# ${SENTINEL}\x01\x0810110001\nexit 0\n`, {
      mode: 0o755,
    });
    writeFileSync(join(dist, 'chrome-sandbox'), 'stand-in', { mode: 0o755 });
    writeFileSync(join(dist, 'LICENSE'), '');
    const out = join(t, 'out');
    const r = spawnSync(
      UNSHARE!,
      [
        '--net',
        process.execPath,
        require.resolve('electron-builder/cli.js'),
        '--linux',
        '--dir',
        `-c.electronDist=${dist}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${out}`,
      ],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: '1' } },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const app = join(out, 'linux-unpacked');
    const helper = join(app, 'resources/helper');
    expect(readdirSync(helper).sort()).toEqual(['helper.js', 'node_modules', 'package.json']);
    expect(readFileSync(join(helper, 'helper.js'), 'utf8')).toBe(readFileSync('dist/helper.js', 'utf8'));
    expect(readdirSync(join(helper, 'node_modules')).sort()).toEqual([
      '@overlay-connect',
      'ipaddr.js',
      'tweetnacl',
    ]);
    expect(
      existsSync(join(helper, 'node_modules/@overlay-connect/peercred/build/Release/peercred.node')),
    ).toBe(true);
    // The asar: the app's bundles and assets, and of node_modules only fs-ext (native; the main bundle
    // inlines every other package, and imports nothing but electron and fs-ext).
    const asar = require('@electron/asar') as { listPackage(p: string, o: object): string[] };
    const files = asar.listPackage(join(app, 'resources/app.asar'), {}).map((f) => f.replace(/^\//, ''));
    expect(files.filter((f) => /^node_modules\/[^/]+$/.test(f))).toEqual(['node_modules/fs-ext']);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/main.js',
        'dist/preload.cjs',
        'dist/renderer/index.html',
        'assets/icon.png',
      ]),
    );
    expect(files).not.toContain('dist/cli.js');
    expect(files.filter((f) => f.startsWith('dist/cli'))).toEqual([]);
    const imports = [...readFileSync('dist/main.js', 'utf8').matchAll(/^import [^;]*? from "([^"]+)"/gms)]
      .map((m) => m[1])
      .filter((m) => !m!.startsWith('node:') && !m!.startsWith('./'));
    expect([...new Set(imports)].sort()).toEqual(['electron', 'fs-ext']);
    // The fuses: runAsNode (0) on, cookie encryption on, NODE_OPTIONS and inspect off, asar integrity and
    // only-from-asar on; the last two left as Electron has them.
    const binary = readFileSync(join(app, 'overlay-connect'), 'latin1');
    const wire = binary.slice(binary.indexOf(SENTINEL) + SENTINEL.length);
    expect(wire.slice(0, 10)).toBe('\x01\x0811001101');
    // The unit's command on this folder, with this Node as the Electron binary run as Node: the bundle
    // loads from there, and stops at its usage line.
    const [, bundle, ...args] = PACKAGED_HELPER_COMMAND.map((a) => a.replace(PACKAGED_DIR, app));
    const run = spawnSync(process.execPath, [bundle!, ...args, '--no-such-option'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(run.stderr).toBe('overlay-connect: Unknown option --no-such-option\n');
    expect(run.status).toBe(2);
  }, 150_000);
});
