/** What `helper install` and the packages write: the exact units, plist and maintainer scripts. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helperStatus } from '../../src/helper/install.js';
import { readPolicy } from '../../src/helper/policy.js';
import {
  launchdPlist,
  packageAfterInstall,
  packageAfterRemove,
  PACKAGED_BINARY,
  systemdServiceUnit,
  systemdSocketUnit,
} from '../../src/helper/units.js';
import { groupId } from '../../src/helper/run-helper.js';

describe('systemd units', () => {
  it('a socket owned by root and the group, 0660, at the default path', () => {
    const unit = systemdSocketUnit();
    expect(unit).toContain('ListenStream=/run/overlay-connect/helper.sock\n');
    expect(unit).toContain('SocketUser=root\nSocketGroup=overlay-connect\nSocketMode=0660\n');
    expect(unit).toContain('WantedBy=sockets.target');
  });
  it('a service that keeps tunnels up when it stops, with each argument quoted as systemd reads it', () => {
    const unit = systemdServiceUnit(['/usr/bin/node', '/opt/my apps/oc$1%x"y.js', 'helper', 'run']);
    expect(unit).toContain('ExecStart="/usr/bin/node" "/opt/my apps/oc$$1%%x\\"y.js" "helper" "run"\n');
    expect(unit).toContain('KillMode=process\n');
    expect(unit).toContain('Requires=overlay-connect-helper.socket\n');
    expect(() => systemdServiceUnit(['/bin/x\nExecStartPre=/bin/evil'])).toThrow(/line break/);
  });
});

describe('launchd plist', () => {
  it('runs the helper at load, kept alive, with XML-escaped arguments', () => {
    const plist = launchdPlist([
      '/Applications/overlay-connect.app/Contents/MacOS/overlay-connect',
      '--overlay-connect-helper',
      'a<b&c',
    ]);
    expect(plist).toContain('<string>org.overlay-connect.helper</string>');
    expect(plist).toContain(
      '    <string>--overlay-connect-helper</string>\n    <string>a&lt;b&amp;c</string>\n',
    );
    expect(plist).toContain('<key>RunAtLoad</key>\n  <true/>');
    expect(plist).toContain('<key>AbandonProcessGroup</key>\n  <true/>');
  });
});

describe('deb/rpm maintainer scripts', () => {
  it('the committed files are the generated ones (npm run helper-scripts) and electron-builder uses them', () => {
    expect(readFileSync('assets/linux/after-install.sh', 'utf8')).toBe(packageAfterInstall(PACKAGED_BINARY));
    expect(readFileSync('assets/linux/after-remove.sh', 'utf8')).toBe(packageAfterRemove());
    const cfg = parse(readFileSync('electron-builder.yml', 'utf8'));
    for (const target of [cfg.deb, cfg.rpm]) {
      expect(target.afterInstall).toBe('assets/linux/after-install.sh');
      expect(target.afterRemove).toBe('assets/linux/after-remove.sh');
    }
  });
  it('are valid sh, and removal on upgrade keeps the helper and the group', () => {
    for (const f of ['assets/linux/after-install.sh', 'assets/linux/after-remove.sh'])
      expect(spawnSync('sh', ['-n', f]).status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'oc-postrm-'));
    // On upgrade the script stops before touching anything: run it with a PATH where every tool would fail.
    writeFileSync(join(dir, 'systemctl'), '#!/bin/sh\nexit 99\n', { mode: 0o755 });
    for (const arg of ['upgrade', '1']) {
      expect(spawnSync('/bin/sh', ['assets/linux/after-remove.sh', arg], { env: { PATH: dir } }).status).toBe(
        0,
      );
    }
    rmSync(dir, { recursive: true });
    expect(packageAfterInstall(PACKAGED_BINARY)).toContain(
      'ExecStart="/opt/overlay-connect/overlay-connect" "--overlay-connect-helper"',
    );
  });
});

describe('the policy file and the group', () => {
  it('allows scripts only from a root-owned file nobody else can write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-policy-'));
    const file = join(dir, 'helper.json');
    expect(readPolicy(file)).toEqual({ allowScripts: false });
    writeFileSync(file, '{"allowScripts": true}', { mode: 0o644 });
    const root = process.getuid?.() === 0;
    expect(readPolicy(file).allowScripts).toBe(root);
    writeFileSync(file, '{"allowScripts": "yes"}');
    expect(readPolicy(file)).toMatchObject({
      allowScripts: false,
      problem: expect.stringMatching(root ? /must be \{"allowScripts"/ : /not owned by root/),
    });
    rmSync(dir, { recursive: true });
  });
  it('finds a group id in the group file, and says what to do when the group is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-group-'));
    writeFileSync(join(dir, 'group'), 'root:x:0:\noverlay-connect:x:998:alice,bob\n');
    expect(groupId('overlay-connect', join(dir, 'group'))).toBe(998);
    expect(() => groupId('nope', join(dir, 'group'))).toThrow(/There is no group "nope": .*helper install/);
    rmSync(dir, { recursive: true });
  });
  it('helper install refuses to make root run code that others than root can change', async () => {
    const { codeProblem } = await import('../../src/helper/install.js');
    const dir = mkdtempSync(join(tmpdir(), 'oc-code-'));
    try {
      writeFileSync(join(dir, 'cli.js'), '');
      chmodSync(dir, 0o777); // a folder anyone can write into: anyone could swap the file
      expect(codeProblem(join(dir, 'cli.js'))).toMatch(
        /can be changed by others than root, and the helper runs as root/,
      );
      if (process.getuid?.() === 0) {
        chmodSync(dir, 0o755);
        expect(codeProblem(join(dir, 'cli.js'))).toBeUndefined(); // /tmp itself is sticky
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('helper status says what to do next', async () => {
    const refuse = (code: string) => async () => {
      throw Object.assign(new Error(code), { code });
    };
    expect(await helperStatus('/x', refuse('ENOENT'), 'linux')).toMatchObject({
      reachable: false,
      next: expect.stringMatching(/overlay-connect helper install/),
    });
    expect(await helperStatus('/x', refuse('EACCES'), 'linux')).toMatchObject({
      reachable: false,
      next: expect.stringMatching(/not in the group "overlay-connect" yet: log out and in again/),
    });
  });
});
