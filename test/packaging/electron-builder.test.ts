/** Packaging cannot run here (electron-builder downloads Electron and its tools): its file is checked. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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

  it("restates electron-builder's default deb depends and adds WireGuard and pkexec", () => {
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

  it('ships the bundles and tray icons, and package.json has what a deb needs', () => {
    expect(cfg.files).toEqual(expect.arrayContaining(['dist/**', 'package.json', 'assets/tray/**']));
    expect(pkg.homepage).toBeTruthy();
    expect(pkg.author.email).toMatch(/@/);
    for (const s of ['inactive', 'connecting', 'active', 'error']) {
      for (const f of [`${s}.png`, `${s}@2x.png`, `${s}Template.png`, `${s}Template@2x.png`])
        expect(existsSync(`assets/tray/${f}`)).toBe(true);
    }
  });

  it('ships the window icon, leaves the devnet (CLI bundle, better-sqlite3) out, and sets the fuses', () => {
    expect(cfg.files).toEqual(
      expect.arrayContaining([
        'assets/icon.png',
        '!dist/cli.js',
        '!dist/helper.js',
        '!node_modules/better-sqlite3/**',
      ]),
    );
    expect(cfg.electronFuses).toEqual({
      runAsNode: false,
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
