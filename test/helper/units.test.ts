/** What `helper install` and the packages write: the exact units, plist and maintainer scripts. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  packageGroupStep,
  PACKAGED_HELPER_COMMAND,
  PACKAGED_HELPER_ENV,
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
  it('the packaged unit runs the bundle with the app binary as Node, never the Electron browser', () => {
    const unit = systemdServiceUnit(PACKAGED_HELPER_COMMAND, PACKAGED_HELPER_ENV);
    expect(unit).toContain(
      'Environment=ELECTRON_RUN_AS_NODE=1\nExecStart="/opt/overlay-connect/overlay-connect" "/opt/overlay-connect/resources/helper/helper.js" "helper" "run"\n',
    );
    expect(unit).not.toContain('--overlay-connect-helper');
    expect(() => systemdServiceUnit(['/bin/x'], { A: '1\nExecStartPre=/bin/evil' })).toThrow(/plain/);
    expect(() => systemdServiceUnit(['/bin/x'], { 'A B': '1' })).toThrow(/plain/);
  });
});

describe('launchd plist', () => {
  it('runs the helper at load, kept alive, with XML-escaped arguments', () => {
    const plist = launchdPlist(['/usr/local/bin/node', 'helper', 'a<b&c']);
    expect(plist).toContain('<string>org.overlay-connect.helper</string>');
    expect(plist).toContain('    <string>helper</string>\n    <string>a&lt;b&amp;c</string>\n');
    expect(plist).toContain('<key>RunAtLoad</key>\n  <true/>');
    expect(plist).toContain('<key>AbandonProcessGroup</key>\n  <true/>');
  });
});

describe('deb/rpm maintainer scripts', () => {
  it('the committed files are the generated ones (npm run helper-scripts) and electron-builder uses them', () => {
    expect(readFileSync('assets/linux/after-install.sh', 'utf8')).toBe(packageAfterInstall());
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
    expect(packageAfterInstall()).toContain(
      'ExecStart="/opt/overlay-connect/overlay-connect" "/opt/overlay-connect/resources/helper/helper.js" "helper" "run"',
    );
    // electron-builder fills ${letters} in these files as its template macros (and fails on unknown ones):
    // none may be left, or the package would install another script than the one tested.
    for (const f of ['assets/linux/after-install.sh', 'assets/linux/after-remove.sh'])
      expect(readFileSync(f, 'utf8')).not.toMatch(/\$\{[a-zA-Z]+\}|<%=/);
  });
  it('the postinst uses the group in /etc/group, makes it when there is none, and refuses one only LDAP/NIS knows', () => {
    const step = packageGroupStep();
    expect(packageAfterInstall()).toContain(`fi\n${step}cat > /etc/systemd/system/`);
    const dir = mkdtempSync(join(tmpdir(), 'oc-postinst-'));
    try {
      // getent answers as told (found: exit 0; not found: exit 2); groupadd only notes that it was called.
      writeFileSync(join(dir, 'getent'), '#!/bin/sh\necho "getent $*" >> "$LOG"\nexit "$GETENT_EXIT"\n', {
        mode: 0o755,
      });
      writeFileSync(join(dir, 'groupadd'), '#!/bin/sh\necho "groupadd $*" >> "$LOG"\n', { mode: 0o755 });
      const groupFile = join(dir, 'group');
      const log = join(dir, 'log');
      const runStep = (shell: string, groups: string, getentExit: number) => {
        writeFileSync(groupFile, groups);
        writeFileSync(log, '');
        // stdin ignored: bash reads ~/.bashrc when stdin is a socket (as if run by rshd), and HOME is ours.
        const r = spawnSync(shell, ['-e', '-c', step], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            PATH: `${dir}:/usr/bin:/bin`,
            OC_TEST_GROUP_FILE: groupFile,
            LOG: log,
            GETENT_EXIT: String(getentExit),
          },
        });
        return { code: r.status, stderr: r.stderr, calls: readFileSync(log, 'utf8') };
      };
      for (const shell of ['/bin/sh', '/bin/bash']) {
        expect(spawnSync(shell, ['-n', 'assets/linux/after-install.sh']).status).toBe(0);
        // In /etc/group: used as it is.
        expect(runStep(shell, 'root:x:0:\noverlay-connect:x:998:alice\n', 0)).toEqual({
          code: 0,
          stderr: '',
          calls: '',
        });
        // Nowhere: made, as a system group.
        expect(runStep(shell, 'root:x:0:\noverlay-connect-old:x:5:\n', 2)).toEqual({
          code: 0,
          stderr: '',
          calls: 'getent group overlay-connect\ngroupadd --system overlay-connect\n',
        });
        // Only in a directory (getent finds it, /etc/group does not have it): refused, nothing made.
        const foreign = runStep(shell, 'root:x:0:\n', 0);
        expect(foreign.code).toBe(1);
        expect(foreign.calls).toBe('getent group overlay-connect\n');
        expect(foreign.stderr).toMatch(
          /a group overlay-connect exists but not in \/etc\/group \(it comes from LDAP, NIS/,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the policy file and the group', () => {
  it('allows scripts and sets the tunnel cap only from a root-owned file nobody else can write', () => {
    const root = process.getuid?.() === 0;
    // As root, a folder only root can change (/var/lib); /tmp is writable by all, so a policy there is not.
    const dir = mkdtempSync(join(root ? '/var/lib' : tmpdir(), 'oc-policy-'));
    const file = join(dir, 'helper.json');
    try {
      expect(readPolicy(file)).toEqual({ allowScripts: false, maxTunnelsPerUser: 16 });
      writeFileSync(file, '{"allowScripts": true, "maxTunnelsPerUser": 3}', { mode: 0o644 });
      expect(readPolicy(file)).toMatchObject(
        root ? { allowScripts: true, maxTunnelsPerUser: 3 } : { allowScripts: false, maxTunnelsPerUser: 16 },
      );
      for (const bad of ['{"allowScripts": "yes"}', '{"maxTunnelsPerUser": 0}', '{"other": 1}', '[]']) {
        writeFileSync(file, bad);
        expect(readPolicy(file)).toMatchObject({
          allowScripts: false,
          maxTunnelsPerUser: 16,
          problem: expect.stringMatching(root ? /must be \{"allowScripts"/ : /not owned by root/),
        });
      }
      if (root) {
        const inTmp = mkdtempSync(join(tmpdir(), 'oc-policy-'));
        writeFileSync(join(inTmp, 'helper.json'), '{"allowScripts": true}', { mode: 0o644 });
        expect(readPolicy(join(inTmp, 'helper.json'))).toMatchObject({
          allowScripts: false,
          problem: expect.stringMatching(
            /^\/tmp is writable by others than root: the policy file is ignored/,
          ),
        });
        rmSync(inTmp, { recursive: true });
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  it('finds a group id in the group file, and says what to do when the group is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-group-'));
    writeFileSync(join(dir, 'group'), 'root:x:0:\noverlay-connect:x:998:alice,bob\n');
    expect(groupId('overlay-connect', join(dir, 'group'))).toBe(998);
    expect(() => groupId('nope', join(dir, 'group'))).toThrow(/There is no group "nope": .*helper install/);
    rmSync(dir, { recursive: true });
  });
  it('helper install refuses to make root run code that others than root can change', async () => {
    const { APP_FIX, realCodeFs, codeTreeProblem } = await import('../../src/helper/code-check.js');
    const dir = mkdtempSync(join(tmpdir(), 'oc-code-'));
    const cli = [{ path: join(dir, 'cli.js'), fix: APP_FIX }];
    try {
      writeFileSync(join(dir, 'cli.js'), '');
      chmodSync(dir, 0o777); // a folder anyone can write into: anyone could swap the file
      expect(codeTreeProblem(cli, realCodeFs)).toMatch(
        /can be changed by others than root .*, and the helper, which runs as root, loads .*cli\.js from inside it/,
      );
      chmodSync(dir, 0o755);
      // A sticky world-writable folder above (/tmp) is not enough any more: anyone can add files there.
      const tmp = realpathSync(tmpdir());
      if (process.getuid?.() === 0 && statSync(tmp).mode & 0o1002)
        expect(codeTreeProblem(cli, realCodeFs)).toMatch(/sticky as \/tmp is/);
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
