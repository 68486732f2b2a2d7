/**
 * The deb/rpm maintainer scripts run as dpkg runs them, as root, in a throwaway root: a private mount
 * namespace where /etc is a copy, /usr/bin, /usr/share, /var/lib/dpkg and /var/log are overlays whose writes land in a
 * temp folder, /opt holds the package's files laid out as the deb lays them (a stand-in binary and
 * chrome-sandbox, the AppArmor profile, the helper's resources as electron-builder.yml's extraResources
 * says), and systemctl, unshare, the AppArmor tools and the MIME and desktop database updaters are stand-ins that record their calls. Nothing of
 * this machine's /etc, /usr/bin or systemd is touched: the mounts go away with the namespace, and the
 * driver stops before running a script if one of them is missing.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PACKAGED_HELPER_COMMAND, SERVICE_UNIT, SOCKET_UNIT } from '../../src/helper/units.js';

const root = process.getuid?.() === 0;
const UNSHARE = ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p)) ?? 'unshare';
const canIsolate =
  root &&
  process.platform === 'linux' &&
  spawnSync(UNSHARE, ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs t /mnt'], {
    stdio: 'ignore',
  }).status === 0;

const INSTALL = resolve('assets/linux/after-install.sh');
const REMOVE = resolve('assets/linux/after-remove.sh');

/** Copies electron-builder.yml's linux.extraResources into resources/ (from, to, and a filter of file
 * names and `dir/**` patterns: the only forms the file uses). */
function layOutExtraResources(resources: string): void {
  const cfg = parse(readFileSync('electron-builder.yml', 'utf8'));
  for (const entry of cfg.linux.extraResources as { from: string; to: string; filter?: string[] }[]) {
    const to = join(resources, entry.to);
    if (!entry.filter) {
      mkdirSync(dirname(to), { recursive: true });
      cpSync(entry.from, to);
      continue;
    }
    for (const f of entry.filter) {
      const rel = f.endsWith('/**') ? f.slice(0, -3) : f;
      if (!existsSync(join(entry.from, rel))) continue;
      mkdirSync(dirname(join(to, rel)), { recursive: true });
      cpSync(join(entry.from, rel), join(to, rel), { recursive: true, dereference: true });
    }
  }
}

/** Runs `sh <script> <arg>` inside the throwaway root made of the folders under `t`. */
function inThrowawayRoot(t: string, script: string, arg: string, env: Record<string, string> = {}) {
  const driver = `set -e
T="$1"; shift
mount --bind "$T/etc" /etc
for d in usr/bin usr/share var/lib/dpkg var/log; do
  n=$(echo "$d" | tr / -)
  mkdir -p "$T/up-$n" "$T/work-$n"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/up-$n,workdir=$T/work-$n" "/$d"
done
mount --bind "$T/opt" /opt
mount --bind "$T/run-systemd" /run/systemd
for m in /etc /usr/bin /usr/share /var/lib/dpkg /var/log /opt /run/systemd; do mountpoint -q "$m" || exit 97; done
# ischroot is called by its path: "not in a chroot", so the AppArmor profile is loaded (by the stand-in).
printf '#!/bin/sh\\nexit 1\\n' > /usr/bin/ischroot
exec "$@"
`;
  const r = spawnSync(
    UNSHARE, // by its path: the PATH below has the stand-in first
    ['--mount', '--propagation', 'private', 'sh', '-c', driver, 'driver', t, 'sh', script, arg],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${t}/fakebin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        CALLS: join(t, 'calls'),
        ...env,
      },
    },
  );
  if (r.status === 97) throw new Error('the throwaway root could not be made: nothing was run');
  return r;
}

const calls = (t: string) => (existsSync(join(t, 'calls')) ? readFileSync(join(t, 'calls'), 'utf8') : '');
const groupLine = (t: string) =>
  readFileSync(join(t, 'etc/group'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('overlay-connect:'));

describe.skipIf(!canIsolate)('the maintainer scripts, run in a throwaway root', () => {
  let t: string;
  const opt = () => join(t, 'opt/overlay-connect');

  beforeAll(() => {
    t = mkdtempSync(join(tmpdir(), 'oc-dpkg-'));
    cpSync('/etc', join(t, 'etc'), { recursive: true, verbatimSymlinks: true });
    // A machine with AppArmor (the stand-in tools say it is on) and without our group.
    mkdirSync(join(t, 'etc/apparmor.d'), { recursive: true });
    const group = readFileSync(join(t, 'etc/group'), 'utf8');
    writeFileSync(join(t, 'etc/group'), group.replace(/^overlay-connect:.*\n/m, ''));
    mkdirSync(join(t, 'run-systemd/system'), { recursive: true });
    // The package's files, as the deb lays them under /opt/overlay-connect.
    mkdirSync(join(opt(), 'resources'), { recursive: true });
    // The stand-in Electron: as Node (ELECTRON_RUN_AS_NODE=1) it is the Node running this test.
    writeFileSync(
      join(opt(), 'overlay-connect'),
      `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "the browser, not Node" >&2; exit 70; }\nexec ${process.execPath} "$@"\n`,
      { mode: 0o755 },
    );
    writeFileSync(join(opt(), 'chrome-sandbox'), 'stand-in', { mode: 0o755 });
    // electron-builder writes its templates/linux/apparmor-profile.tpl there, its macros filled.
    const profile = readFileSync('node_modules/app-builder-lib/templates/linux/apparmor-profile.tpl', 'utf8')
      .replace(/\$\{executable\}/g, 'overlay-connect')
      .replace(/\$\{sanitizedProductName\}/g, 'overlay-connect');
    writeFileSync(join(opt(), 'resources/apparmor-profile'), profile);
    layOutExtraResources(join(opt(), 'resources'));
    // Stand-ins: each notes its call. unshare fails unless told (no user namespaces: setuid sandbox).
    const fake = join(t, 'fakebin');
    mkdirSync(fake);
    const note = '#!/bin/sh\necho "$(basename "$0") $*" >> "$CALLS"\n';
    writeFileSync(join(fake, 'systemctl'), note, { mode: 0o755 });
    writeFileSync(join(fake, 'unshare'), `${note}exit "\${UNSHARE_EXIT:-1}"\n`, { mode: 0o755 });
    writeFileSync(join(fake, 'apparmor_status'), note, { mode: 0o755 });
    for (const tool of ['apparmor_parser', 'update-mime-database', 'update-desktop-database'])
      writeFileSync(join(fake, tool), note, { mode: 0o755 });
  });
  afterAll(() => {
    if (t) rmSync(t, { recursive: true, force: true });
  });

  it('postinst configure: the link, chrome-sandbox 4755, AppArmor, the group and the units, enabled', () => {
    const r = inThrowawayRoot(t, INSTALL, 'configure');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('sudo usermod -aG overlay-connect $USER');
    // The /usr/bin link, through update-alternatives (Debian has it).
    expect(readlinkSync(join(t, 'up-usr-bin/overlay-connect'))).toBe('/etc/alternatives/overlay-connect');
    expect(readlinkSync(join(t, 'etc/alternatives/overlay-connect'))).toBe(
      '/opt/overlay-connect/overlay-connect',
    );
    expect(statSync(join(opt(), 'chrome-sandbox')).mode & 0o7777).toBe(0o4755);
    expect(readFileSync(join(t, 'etc/apparmor.d/overlay-connect'), 'utf8')).toContain(
      'profile "overlay-connect" "/opt/overlay-connect/overlay-connect" flags=(unconfined)',
    );
    expect(groupLine(t)).toMatch(/^overlay-connect:x:\d+:$/);
    const units = join(t, 'etc/systemd/system');
    expect(readFileSync(join(units, SOCKET_UNIT), 'utf8')).toContain('SocketGroup=overlay-connect\n');
    expect(readFileSync(join(units, SERVICE_UNIT), 'utf8')).toContain(
      'Environment=ELECTRON_RUN_AS_NODE=1\nExecStart="/opt/overlay-connect/overlay-connect" "/opt/overlay-connect/resources/helper/helper.js" "helper" "run"\n',
    );
    expect(calls(t).split('\n')).toEqual([
      'unshare --user true',
      'update-mime-database /usr/share/mime',
      'update-desktop-database /usr/share/applications',
      'apparmor_status --enabled',
      'apparmor_parser --skip-kernel-load --debug /opt/overlay-connect/resources/apparmor-profile',
      'apparmor_parser --replace --write-cache --skip-read-cache /etc/apparmor.d/overlay-connect',
      'systemctl daemon-reload',
      'systemctl enable --now overlay-connect-helper.socket',
      'systemctl try-restart overlay-connect-helper.service',
      '',
    ]);
  });

  it("the unit's command loads the helper's bundle from the package's files, with only what they ship", () => {
    // The ExecStart as systemd would run it, with the package's /opt/overlay-connect in this test's folder:
    // a wrong option, so it stops at its usage line, after every static import loaded.
    const [bin, bundle, ...args] = PACKAGED_HELPER_COMMAND.map((a) => a.replace('/opt', join(t, 'opt')));
    const env = { PATH: '/usr/bin:/bin', ELECTRON_RUN_AS_NODE: '1' };
    const r = spawnSync(bin!, [bundle!, ...args, '--no-such-option'], { encoding: 'utf8', env });
    expect(r.stderr).toMatch(/^overlay-connect: /);
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find|SyntaxError/);
    expect(r.status).toBe(2);
    // The SO_PEERCRED addon (loaded when the first client connects) resolves from the bundle's folder.
    const addon = spawnSync(
      bin!,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module'; console.log(typeof createRequire(${JSON.stringify(bundle)})('@overlay-connect/peercred').peerCred)`,
      ],
      { encoding: 'utf8', env },
    );
    expect(addon.stdout.trim()).toBe('function');
    // And no module is found in this checkout instead: the helper's folder has its own node_modules.
    expect(readdirSync(join(dirname(bundle!), 'node_modules')).sort()).toEqual([
      '@overlay-connect',
      'ipaddr.js',
      'tweetnacl',
    ]);
  });

  it('configure again (an upgrade) is fine; with user namespaces chrome-sandbox is not setuid', () => {
    writeFileSync(join(t, 'calls'), '');
    const r = inThrowawayRoot(t, INSTALL, 'configure', { UNSHARE_EXIT: '0' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(statSync(join(opt(), 'chrome-sandbox')).mode & 0o7777).toBe(0o755);
    expect(groupLine(t)).toMatch(/^overlay-connect:x:\d+:$/);
  });

  it('postrm upgrade keeps everything; postrm remove takes it all away', () => {
    writeFileSync(join(t, 'calls'), '');
    const units = join(t, 'etc/systemd/system');
    for (const arg of ['upgrade', '1']) {
      expect(inThrowawayRoot(t, REMOVE, arg).status).toBe(0);
      expect(existsSync(join(units, SERVICE_UNIT))).toBe(true);
      expect(lstatSync(join(t, 'up-usr-bin/overlay-connect')).isSymbolicLink()).toBe(true);
      expect(calls(t)).toBe('');
    }
    const r = inThrowawayRoot(t, REMOVE, 'remove');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // In an overlay a removed file is a whiteout (a character device), or nothing.
    const link = join(t, 'up-usr-bin/overlay-connect');
    expect(!existsSync(link) || lstatSync(link).isCharacterDevice()).toBe(true);
    expect(existsSync(join(t, 'etc/alternatives/overlay-connect'))).toBe(false);
    expect(existsSync(join(t, 'etc/apparmor.d/overlay-connect'))).toBe(false);
    expect(existsSync(join(units, SOCKET_UNIT))).toBe(false);
    expect(existsSync(join(units, SERVICE_UNIT))).toBe(false);
    expect(groupLine(t)).toBeUndefined();
    expect(calls(t).split('\n')).toEqual([
      'apparmor_status --enabled',
      'apparmor_parser --remove /etc/apparmor.d/overlay-connect',
      'systemctl disable --now overlay-connect-helper.socket overlay-connect-helper.service',
      'systemctl daemon-reload',
      '',
    ]);
    // purge after remove: nothing left to do, and it says nothing.
    const purge = inThrowawayRoot(t, REMOVE, 'purge');
    expect(purge.status).toBe(0);
  });
});
