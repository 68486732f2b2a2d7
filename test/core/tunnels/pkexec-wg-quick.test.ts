/**
 * Linux elevation without the helper: the argument vector pkexec gets, and the constant script root runs,
 * run here for real as root with wg-quick replaced by a stand-in that records what it was given.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafeArgumentError } from '../../../src/core/tunnels/command-line.js';
import {
  commandWords,
  ELEVATED_SCRIPT,
  MAX_CONFIG_BYTES,
  pkexecArgs,
  pkexecConfigRunner,
  RAN_MARKER,
  SCRIPT_NAME,
  sha256Hex,
  type ConfigRun,
} from '../../../src/core/tunnels/pkexec-wg-quick.js';
import { linuxAdapter } from '../../../src/core/tunnels/platform-adapters.js';
import { WgQuickDriver } from '../../../src/core/tunnels/wg-quick-driver.js';
import { gate } from '../../support/gate.js';
import { sampleConfig } from '../../support/store.js';
import { useTempDir } from '../../support/tmp.js';

const tools = {
  wgQuick: '/usr/bin/wg-quick',
  wg: '/usr/bin/wg',
  ip: '/usr/sbin/ip',
  wireguardGo: '/usr/bin/wireguard-go',
};
const HASH = 'ab'.repeat(32);
const USERSPACE = [
  '/usr/bin/env',
  'WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go',
  'WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1',
];

describe('the pkexec argument vector', () => {
  const a = linuxAdapter(tools);
  const head = ['--disable-internal-agent', '/bin/sh', '-c', ELEVATED_SCRIPT, SCRIPT_NAME];

  it('up and down, kernel WireGuard, no namespace: the adapter command without its path', () => {
    expect(pkexecArgs(a, { action: 'up', iface: 'office', userspace: false }, HASH)).toEqual([
      ...head,
      'office',
      HASH,
      'up',
      '--',
      '/usr/bin/wg-quick',
      'up',
    ]);
    expect(pkexecArgs(a, { action: 'down', iface: 'office', userspace: false }, HASH)).toEqual([
      ...head,
      'office',
      HASH,
      'down',
      '--',
      '/usr/bin/wg-quick',
      'down',
    ]);
  });

  it('with a namespace and wireguard-go: ip netns exec, and the environment through /usr/bin/env', () => {
    expect(pkexecArgs(a, { action: 'up', iface: 'office', netns: 'lab', userspace: true }, HASH)).toEqual([
      ...head,
      'office',
      HASH,
      'up',
      'lab',
      '--',
      ...USERSPACE,
      '/usr/sbin/ip',
      'netns',
      'exec',
      'lab',
      '/usr/bin/wg-quick',
      'up',
    ]);
    expect(commandWords(a, { action: 'down', iface: 'office', netns: 'lab', userspace: false })).toEqual([
      '/usr/sbin/ip',
      'netns',
      'exec',
      'lab',
      '/usr/bin/wg-quick',
      'down',
    ]);
    expect(commandWords(a, { action: 'down', iface: 'office', userspace: true })).toEqual([
      ...USERSPACE,
      '/usr/bin/wg-quick',
      'down',
    ]);
  });

  it.each(['a;b', '$(id)', '../etc', '.', '..', 'a b', 'sixteen-chars-xx', ''])(
    'refuses the interface %j',
    (iface) => {
      expect(() => pkexecArgs(a, { action: 'up', iface, userspace: false }, HASH)).toThrow(
        UnsafeArgumentError,
      );
    },
  );

  it.each(['$(id)', 'a b', 'a;b', '-x', '--', '', 'x'.repeat(65)])('refuses the namespace %j', (netns) => {
    expect(() => pkexecArgs(a, { action: 'up', iface: 'office', netns, userspace: false }, HASH)).toThrow(
      UnsafeArgumentError,
    );
  });

  it('refuses a malformed hash, another action, and tool paths outside the safe set', () => {
    const run = { action: 'up', iface: 'office', userspace: false } as const;
    for (const bad of ['AB'.repeat(32), 'ab'.repeat(31), `${'ab'.repeat(32)}\n`])
      expect(() => pkexecArgs(a, run, bad)).toThrow(UnsafeArgumentError);
    expect(() => pkexecArgs(a, { ...run, action: 'restart' as ConfigRun['action'] }, HASH)).toThrow(
      UnsafeArgumentError,
    );
    expect(() => pkexecArgs(linuxAdapter({ ...tools, wgQuick: '/opt/$x/wg-quick' }), run, HASH)).toThrow(
      UnsafeArgumentError,
    );
    expect(() => pkexecArgs(linuxAdapter({ ...tools, wgQuick: 'wg-quick' }), run, HASH)).toThrow(
      UnsafeArgumentError,
    );
  });
});

const notRoot = gate(
  'the elevated script run as root',
  process.getuid?.() === 0 ? undefined : 'not root (the script makes its folder under /run as root)',
);

describe.skipIf(notRoot)('the constant script, run as root with a stand-in for wg-quick', () => {
  const tmp = useTempDir();
  const ours = () => new Set(readdirSync('/run').filter((f) => f.startsWith('overlay-connect.')));

  /** A wg-quick that records its arguments, the file it got (content, owner, modes) and then fails with 7. */
  function standIn(): { path: string; out: string } {
    const out = join(tmp.path, 'record');
    mkdirSync(out);
    const path = join(tmp.path, 'wg-quick-stand-in');
    writeFileSync(
      path,
      `#!/bin/sh
printf '%s\\n' "$@" > ${out}/args
cp "$2" ${out}/content
stat -c '%u %a' "$2" > ${out}/file
stat -c '%u %a' "$(dirname "$2")" > ${out}/dir
[ -t 0 ] || cat > ${out}/stdin
echo 'stand-in out'
echo 'stand-in err' >&2
exit 7
`,
    );
    chmodSync(path, 0o755);
    return { path, out };
  }

  const script = (args: string[], input: Buffer | string) =>
    spawnSync('/bin/sh', ['-c', ELEVATED_SCRIPT, SCRIPT_NAME, ...args], { input, encoding: 'utf8' });

  it("wg-quick gets a root-owned 0600 file in a 0700 folder, equal to stdin; the folder is gone after; its status and output are wg-quick's", () => {
    const s = standIn();
    const text = sampleConfig('PostUp = echo ünïcode\n').text;
    const before = ours();
    const r = script(['office', sha256Hex(Buffer.from(text)), 'up', '--', s.path, 'up'], text);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe(`${RAN_MARKER}\nstand-in out\n`);
    expect(r.stderr).toBe('stand-in err\n');
    const [action, path] = readFileSync(join(s.out, 'args'), 'utf8').trim().split('\n');
    expect(action).toBe('up');
    expect(path).toMatch(/^\/run\/overlay-connect\.[A-Za-z0-9]{10}\/office\.conf$/);
    expect(readFileSync(join(s.out, 'content'), 'utf8')).toBe(text);
    expect(readFileSync(join(s.out, 'file'), 'utf8').trim()).toBe('0 600');
    expect(readFileSync(join(s.out, 'dir'), 'utf8').trim()).toBe('0 700');
    expect(readFileSync(join(s.out, 'stdin'), 'utf8')).toBe(''); // wg-quick's stdin is /dev/null
    expect(existsSync(path!)).toBe(false);
    expect(ours()).toEqual(before);
  });

  it('a config whose SHA-256 is not the one in the arguments is refused and nothing runs', () => {
    const s = standIn();
    const vetted = sampleConfig().text;
    const swapped = sampleConfig('PostUp = touch /tmp/pwned\n').text;
    const before = ours();
    const r = script(['office', sha256Hex(Buffer.from(vetted)), 'up', '--', s.path, 'up'], swapped);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(
      'overlay-connect (as root): the config received does not match its SHA-256; wg-quick was not run\n',
    );
    expect(existsSync(join(s.out, 'args'))).toBe(false);
    expect(ours()).toEqual(before);
  });

  it('takes at most 64 KiB from stdin: one byte more is refused, exactly 64 KiB runs', () => {
    const s = standIn();
    const big = Buffer.alloc(MAX_CONFIG_BYTES + 1, 'a');
    const before = ours();
    const r = script(['office', sha256Hex(big), 'up', '--', s.path, 'up'], big);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/the config is over 64 KiB; wg-quick was not run/);
    expect(existsSync(join(s.out, 'args'))).toBe(false);
    const much = Buffer.alloc(4 * MAX_CONFIG_BYTES, 'b');
    expect(script(['office', sha256Hex(much), 'up', '--', s.path, 'up'], much).status).toBe(3);
    expect(existsSync(join(s.out, 'args'))).toBe(false);
    const full = big.subarray(0, MAX_CONFIG_BYTES);
    expect(script(['office', sha256Hex(full), 'up', '--', s.path, 'up'], full).status).toBe(7);
    expect(readFileSync(join(s.out, 'content')).equals(full)).toBe(true);
    expect(ours()).toEqual(before);
  });

  it('re-checks its own parameters: a command that does not match its action or namespace is not run', () => {
    const s = standIn();
    const text = sampleConfig().text;
    const h = sha256Hex(Buffer.from(text));
    for (const [args, why] of [
      [['office', h, 'down', '--', s.path, 'up'], 'the command does not end with its action'],
      [['office', h, 'up', 'lab', '--', s.path, 'up'], 'the command does not enter its namespace'],
      [['of;fice', h, 'up', '--', s.path, 'up'], 'not an interface name'],
      [['office', 'x', 'up', '--', s.path, 'up'], 'not a SHA-256'],
      [['office', h, 'reboot', '--', s.path, 'reboot'], 'not up or down'],
      [['office', h, 'up', s.path, 'up'], 'wrong arguments'],
    ] as const) {
      const r = script([...args], text);
      expect(r.status, why).toBe(3);
      expect(r.stderr).toContain(why);
    }
    expect(existsSync(join(s.out, 'args'))).toBe(false);
  });

  describe('the runner, with a stand-in for pkexec', () => {
    /** A pkexec that runs the program as it is (we are root), or answers as `body` says. */
    function fakePkexec(body = '[ "$1" = --disable-internal-agent ] || exit 99\nshift\nexec "$@"'): string {
      const path = join(tmp.path, 'pkexec');
      writeFileSync(path, `#!/bin/sh\ntouch ${tmp.path}/pkexec-ran\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    }

    it('sends exactly the bytes it hashed on stdin and hands back what wg-quick said, without the marker', async () => {
      const s = standIn();
      const run = pkexecConfigRunner(linuxAdapter({ ...tools, wgQuick: s.path }), { pkexec: fakePkexec() });
      const config = sampleConfig('# Zoë’s laptop\n').text;
      await expect(run({ action: 'down', iface: 'office', userspace: false, config })).resolves.toEqual({
        code: 7,
        stdout: 'stand-in out\n',
        stderr: 'stand-in err\n',
      });
      expect(readFileSync(join(s.out, 'content'), 'utf8')).toBe(config);
      expect(readFileSync(join(s.out, 'args'), 'utf8')).toMatch(
        /^down\n\/run\/overlay-connect\.\w+\/office\.conf\n$/,
      );
    });

    it("maps pkexec's refusals to the usual messages; a 127 of wg-quick's own is not one", async () => {
      const a = linuxAdapter(tools);
      const up = { action: 'up', iface: 'office', userspace: false, config: sampleConfig().text } as const;
      const answer = (body: string) => pkexecConfigRunner(a, { pkexec: fakePkexec(body) })(up);
      await expect(answer('exit 126')).rejects.toThrow(
        'Administrator rights were refused; nothing was changed',
      );
      await expect(
        answer(
          "echo 'Error executing command as another user: Not authorized\n\nThis incident has been reported.' >&2; exit 127",
        ),
      ).rejects.toThrow('Administrator rights were refused; nothing was changed');
      await expect(
        answer(
          "echo 'Error executing command as another user: No authentication agent found.' >&2; exit 127",
        ),
      ).rejects.toThrow(
        'Cannot ask for administrator rights: No polkit authentication agent found. (a polkit agent must be running)',
      );
      await expect(answer(`echo ${RAN_MARKER}; echo 'wg-quick: not found' >&2; exit 127`)).resolves.toEqual({
        code: 127,
        stdout: '',
        stderr: 'wg-quick: not found\n',
      });
    });

    it('refuses a config over 64 KiB before asking anything', async () => {
      const run = pkexecConfigRunner(linuxAdapter(tools), { pkexec: fakePkexec() });
      const config = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
      await expect(run({ action: 'up', iface: 'office', userspace: false, config })).rejects.toThrow(
        'The config is over 64 KiB; nothing was changed',
      );
      expect(existsSync(join(tmp.path, 'pkexec-ran'))).toBe(false);
    });
  });
});

describe('the driver with a config runner', () => {
  const tmp = useTempDir();

  it('up writes no file into the run folder; down always hands over the text restore gives', async () => {
    const runs: ConfigRun[] = [];
    const runDir = join(tmp.path, 'run');
    const d = new WgQuickDriver({
      runDir,
      tools,
      adapter: linuxAdapter(tools),
      kernelWireguard: () => true,
      runner: () => Promise.reject(new Error('the command runner must not be used')),
      configRunner: async (r) => {
        runs.push(r);
        return { code: 0, stdout: '', stderr: '' };
      },
    });
    const { text } = sampleConfig();
    await d.up({ iface: 'octext1', config: text, netns: 'lab' });
    expect(runs).toEqual([{ action: 'up', iface: 'octext1', netns: 'lab', userspace: false, config: text }]);
    expect(readdirSync(runDir)).toEqual(['octext1.json']);
    await expect(d.down('octext1')).rejects.toThrow(
      'the config wg-quick needs to take octext1 down is not known',
    );
    // A file left at the old place is neither read nor needed.
    writeFileSync(join(runDir, 'octext1.conf'), '[Interface]\nPostDown = reboot\n');
    await d.down('octext1', async () => text);
    expect(runs[1]).toEqual({
      action: 'down',
      iface: 'octext1',
      netns: 'lab',
      userspace: false,
      config: text,
    });
    expect(readdirSync(runDir)).toEqual([]);
  });
});
