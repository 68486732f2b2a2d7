/** Packaging cannot run here (electron-builder downloads Electron and its tools): its file is checked,
 * against electron-builder's own schema, defaults and hooks (node_modules/app-builder-lib). */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
type DefaultDepends = (target: string) => string[];
const FpmTarget = require('app-builder-lib/out/targets/FpmTarget.js').default as {
  prototype: { getDefaultDepends: DefaultDepends };
};
const defaultDepends = (target: string) => FpmTarget.prototype.getDefaultDepends.call(null, target);

const cfg = parse(readFileSync('electron-builder.yml', 'utf8'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('electron-builder.yml', () => {
  it('builds deb, AppImage, rpm, dmg and nsis with icons from assets/', () => {
    expect(cfg.linux.target).toEqual(expect.arrayContaining(['deb', 'AppImage', 'rpm']));
    expect(cfg.mac.target).toEqual(['dmg']);
    expect(cfg.win.target).toEqual(['nsis']);
    for (const icon of [cfg.icon, cfg.linux.icon, cfg.mac.icon, cfg.win.icon]) {
      expect(icon).toMatch(/^assets\//);
      expect(existsSync(icon)).toBe(true);
    }
  });

  it('is valid for electron-builder (its own schema check)', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    await expect(
      validateConfiguration(parse(readFileSync('electron-builder.yml', 'utf8')), new DebugLogger(false)),
    ).resolves.toBeUndefined();
  });

  it("restates electron-builder's default deb depends and adds WireGuard and pkexec", () => {
    expect(cfg.deb.depends.slice(0, defaultDepends('deb').length)).toEqual(defaultDepends('deb'));
    expect(cfg.deb.depends).toEqual([
      'libgtk-3-0',
      'libnotify4',
      'libnss3',
      'libxss1',
      'libxtst6',
      'xdg-utils',
      'libatspi2.0-0',
      'libuuid1',
      'libsecret-1-0',
      'wireguard-tools',
      'pkexec | policykit-1',
    ]);
    expect(cfg.deb.recommends).toEqual([
      'libayatana-appindicator3-1',
      'openresolv | resolvconf | systemd-resolved',
    ]);
  });

  it("restates electron-builder's default rpm depends and adds the keyring, WireGuard, polkit and groupadd", () => {
    expect(defaultDepends('rpm')).toEqual([
      'gtk3',
      'libnotify',
      'nss',
      'libXScrnSaver',
      '(libXtst or libXtst6)',
      'xdg-utils',
      'at-spi2-core',
      '(libuuid or libuuid1)',
    ]);
    expect(cfg.rpm.depends).toEqual([
      ...defaultDepends('rpm'),
      'libsecret',
      'wireguard-tools',
      'polkit',
      'shadow-utils',
    ]);
  });

  it('builds the AppImage with the static runtime (no libfuse2 needed)', () => {
    expect(cfg.toolsets.appimage).toBe('1.0.3');
  });

  it("ships the helper's bundle and every package it imports outside the asar, as ESM", async () => {
    const byTo = new Map<string, { from: string; filter?: string[] }>(
      cfg.linux.extraResources.map((e: { from: string; to: string; filter?: string[] }) => [e.to, e]),
    );
    expect(byTo.get('helper/helper.js')?.from).toBe('dist/helper.js');
    expect(JSON.parse(readFileSync(byTo.get('helper/package.json')!.from, 'utf8')).type).toBe('module');
    // The packages the bundle leaves external, from esbuild itself: each must be in the helper's folder.
    const { metafile } = await build({
      entryPoints: ['src/helper/main.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const external = new Set<string>();
    for (const input of Object.values(metafile.inputs))
      for (const i of input.imports)
        if (i.external && !i.path.startsWith('node:'))
          external.add(
            i.path
              .split('/')
              .slice(0, i.path.startsWith('@') ? 2 : 1)
              .join('/'),
          );
    // createRequire(...)('@overlay-connect/peercred') is a require esbuild cannot see: named here.
    external.add('@overlay-connect/peercred');
    expect([...external].sort()).toEqual(['@overlay-connect/peercred', 'ipaddr.js', 'tweetnacl']);
    for (const name of external) {
      const entry = byTo.get(`helper/node_modules/${name}`);
      expect(entry, name).toBeTruthy();
      const pkgJson = JSON.parse(readFileSync(`${entry!.from}/package.json`, 'utf8'));
      expect(pkgJson.name).toBe(name);
      // No dependencies of their own to ship, and their entry file is in the filter.
      expect(pkgJson.dependencies ?? {}).toEqual({});
      const main = (pkgJson.main ?? 'index.js').replace(/^\.\//, '');
      expect(
        entry!.filter!.some((f) => f === main || (f.endsWith('/**') && main.startsWith(f.slice(0, -2)))),
      ).toBe(true);
    }
    // The store lock's fs-ext is the Electron main's, not the helper's.
    expect(external.has('fs-ext')).toBe(false);
  });

  it('ships the bundles and tray icons, and package.json has what a deb needs', () => {
    expect(cfg.files).toEqual(expect.arrayContaining(['dist/**', 'package.json', 'assets/tray/**']));
    expect(pkg.homepage).toBeTruthy();
    expect(pkg.author.email).toMatch(/@/);
    for (const s of ['inactive', 'connecting', 'active', 'error']) {
      for (const f of [`${s}.png`, `${s}@2x.png`, `${s}Template.png`, `${s}Template@2x.png`])
        expect(existsSync(`assets/tray/${f}`)).toBe(true);
    }
  });

  it('ships the window icon, of node_modules only fs-ext (the CLI bundle and its packages out), and sets the fuses', () => {
    expect(cfg.files).toEqual(
      expect.arrayContaining([
        'assets/icon.png',
        '!dist/cli.js',
        '!dist/cli/**',
        '!dist/helper.js',
        '!node_modules/**',
        'node_modules/fs-ext/build/Release/fs_ext.node',
      ]),
    );
    // runAsNode is the afterPack hook's, per platform (the next test).
    expect(cfg.electronFuses).toEqual({
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    // Electron's main bundle must not reach the devnet or better-sqlite3.
    const main = readFileSync('dist/main.js', 'utf8');
    expect(main).not.toMatch(/better-sqlite3|src\/devnet\//);
  });

  it('runAsNode is on for Linux only (the helper unit runs the bundle with the binary as Node)', async () => {
    expect(cfg.afterPack).toBe('assets/linux/after-pack.cjs');
    const hook = require('../../' + cfg.afterPack);
    const { PlatformPackager } = require('app-builder-lib/out/platformPackager.js');
    const { FuseV1Options, FuseVersion } = require('@electron/fuses');
    for (const [platform, on] of [
      ['linux', true],
      ['darwin', false],
      ['mas', false],
      ['win32', false],
    ] as const) {
      const flipped: unknown[] = [];
      const packager = {
        generateFuseConfig: PlatformPackager.prototype.generateFuseConfig,
        addElectronFuses: async (_c: unknown, fuses: unknown) => void flipped.push(fuses),
      };
      await hook.default({ electronPlatformName: platform, packager });
      expect(flipped).toEqual([{ version: FuseVersion.V1, [FuseV1Options.RunAsNode]: on }]);
    }
  });

  it("rebuilds native modules for Electron's ABI: the store lock's fs-ext runs in the Electron main", () => {
    expect(pkg.dependencies['fs-ext']).toBeTruthy();
    expect(cfg.npmRebuild).toBe(true);
    expect(readFileSync('electron-builder.yml', 'utf8')).toMatch(
      /fs-ext[^\n]*\n[^\n]*Electron's ABI[^\n]*\nnpmRebuild: true/,
    );
  });

  it('approves the install scripts npm would otherwise warn about', () => {
    expect(pkg.allowScripts).toEqual({
      'better-sqlite3': true,
      esbuild: true,
      'fs-ext': true,
      'electron-winstaller': false,
      // npm keys a file: dependency by its path from node_modules (our SO_PEERCRED addon).
      'file:../../native/peercred': true,
    });
  });
});
