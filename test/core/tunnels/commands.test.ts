/** The command lines each platform adapter builds, and what reaches an elevated shell. */
import { describe, expect, it } from 'vitest';
import {
  inNetns,
  isShellSafe,
  toCmdString,
  toShellString,
  UnsafeArgumentError,
} from '../../../src/core/tunnels/command-line.js';
import { linuxAdapter, macAdapter, windowsAdapter } from '../../../src/core/tunnels/platform-adapters.js';
import {
  elevatedRunner,
  ELEVATION_NAME,
  ElevationError,
  type ElevateFn,
} from '../../../src/core/tunnels/runner.js';

const linuxTools = {
  wgQuick: '/usr/bin/wg-quick',
  wg: '/usr/bin/wg',
  ip: '/usr/sbin/ip',
  wireguardGo: '/usr/bin/wireguard-go',
};

describe('platform adapters', () => {
  it('Linux: wg-quick with the file path, wrapped in ip netns exec when asked, userspace env when needed', () => {
    const a = linuxAdapter(linuxTools);
    expect(
      a.up({
        configPath: '/home/u/.config/overlay-connect/run/office.conf',
        iface: 'office',
        userspace: false,
      }),
    ).toEqual({ file: '/usr/bin/wg-quick', args: ['up', '/home/u/.config/overlay-connect/run/office.conf'] });
    expect(a.down({ configPath: '/r/office.conf', iface: 'office', netns: 'lab', userspace: true })).toEqual({
      file: '/usr/sbin/ip',
      args: ['netns', 'exec', 'lab', '/usr/bin/wg-quick', 'down', '/r/office.conf'],
      env: {
        WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go',
        WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1',
      },
    });
  });

  it('Linux: a missing wg-quick names the package to install', () => {
    expect(() => linuxAdapter({}).up({ configPath: '/r/x.conf', iface: 'x', userspace: false })).toThrow(
      'wg-quick was not found: apt-get install --no-install-recommends wireguard-tools',
    );
  });

  it('macOS: Homebrew bash ≥ 4 runs wg-quick, with Homebrew on PATH; no namespaces', () => {
    const a = macAdapter({ bash: '/opt/homebrew/bin/bash', wgQuick: '/opt/homebrew/bin/wg-quick' });
    const path = '/Users/u/Library/Application Support/overlay-connect/run/office.conf';
    expect(a.up({ configPath: path, iface: 'office', userspace: true })).toEqual({
      file: '/opt/homebrew/bin/bash',
      args: ['/opt/homebrew/bin/wg-quick', 'up', path],
      env: { PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' },
    });
    expect(() => a.up({ configPath: path, iface: 'office', netns: 'x', userspace: true })).toThrow(
      /only on Linux/,
    );
    expect(() =>
      macAdapter({ wgQuick: '/usr/local/bin/wg-quick' }).up({
        configPath: path,
        iface: 'o',
        userspace: true,
      }),
    ).toThrow(/bash 4 or newer was not found: brew install bash/);
  });

  it('Windows: installs and uninstalls a tunnel service of the official client', () => {
    const a = windowsAdapter({ wireguardExe: 'C:\\Program Files\\WireGuard\\wireguard.exe' });
    expect(
      a.up({
        configPath: 'C:\\Users\\u\\AppData\\Roaming\\overlay-connect\\run\\office.conf',
        iface: 'office',
        userspace: false,
      }),
    ).toEqual({
      file: 'C:\\Program Files\\WireGuard\\wireguard.exe',
      args: ['/installtunnelservice', 'C:\\Users\\u\\AppData\\Roaming\\overlay-connect\\run\\office.conf'],
    });
    expect(a.down({ configPath: 'ignored', iface: 'office', userspace: false })).toEqual({
      file: 'C:\\Program Files\\WireGuard\\wireguard.exe',
      args: ['/uninstalltunnelservice', 'office'],
    });
  });
});

describe('elevation: only safe words reach the shell string', () => {
  const up = linuxAdapter(linuxTools).up({
    configPath: '/home/u/.config/overlay-connect/run/office.conf',
    iface: 'office',
    netns: 'lab',
    userspace: true,
  });

  it('renders every word quoted, env through /usr/bin/env', () => {
    expect(toShellString(up)).toBe(
      "/usr/bin/env 'WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go' 'WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1' '/usr/sbin/ip' 'netns' 'exec' 'lab' '/usr/bin/wg-quick' 'up' '/home/u/.config/overlay-connect/run/office.conf'",
    );
  });

  it('a fake elevation function receives exactly the expected string, and the result comes back', async () => {
    const received: Array<[string, { name: string }]> = [];
    const fake: ElevateFn = (cmd, opts, cb) => {
      received.push([cmd, opts]);
      cb(undefined, 'out', '');
    };
    await expect(elevatedRunner(fake)(up)).resolves.toEqual({ code: 0, stdout: 'out', stderr: '' });
    expect(received).toEqual([[toShellString(up), { name: 'overlay connect' }]]);
    // sudo-prompt refuses any other character before asking anything (its `name` rule).
    expect(ELEVATION_NAME).toMatch(/^[A-Za-z0-9 ]{1,70}$/);
  });

  it.each(['$(reboot)', '`id`', 'a;b', 'a"b', "a'b", 'a\\b', 'a\nb', '$HOME', 'a|b', 'a&b', 'a>b', '*'])(
    'refuses %j before asking anything',
    async (bad) => {
      let asked = false;
      const fake: ElevateFn = (_c, _o, cb) => {
        asked = true;
        cb();
      };
      expect(isShellSafe(bad)).toBe(false);
      await expect(
        elevatedRunner(fake)({ file: '/usr/bin/wg-quick', args: ['up', `/data/${bad}/x.conf`] }),
      ).rejects.toThrow(UnsafeArgumentError);
      await expect(
        elevatedRunner(fake)(
          inNetns('/usr/sbin/ip', bad, { file: '/usr/bin/wg-quick', args: ['up', '/r/x.conf'] }),
        ),
      ).rejects.toThrow(UnsafeArgumentError);
      expect(asked).toBe(false);
    },
  );

  it('refuses a relative program path (no PATH lookup under elevation)', () => {
    expect(() => toShellString({ file: 'wg-quick', args: [] })).toThrow(UnsafeArgumentError);
  });

  it('turns a cancelled prompt and a missing polkit agent into clear errors, not hangs', async () => {
    const cancel: ElevateFn = (_c, _o, cb) => cb(new Error('User did not grant permission.'));
    await expect(elevatedRunner(cancel)(up)).rejects.toThrow(
      new ElevationError('Administrator rights were refused; nothing was changed'),
    );
    const noAgent: ElevateFn = (_c, _o, cb) => cb(new Error('No polkit authentication agent found.'));
    await expect(elevatedRunner(noAgent)(up)).rejects.toThrow(/a polkit agent must be running/);
    const never: ElevateFn = () => undefined;
    await expect(elevatedRunner(never, { timeoutMs: 50 })(up)).rejects.toThrow(
      /No answer to the administrator prompt/,
    );
  });

  it('reports a command that failed under elevation like a direct failure', async () => {
    const failing: ElevateFn = (_c, _o, cb) =>
      cb(Object.assign(new Error('Command failed'), { code: 1 }), '', 'RTNETLINK answers: File exists');
    await expect(elevatedRunner(failing)(up)).resolves.toEqual({
      code: 1,
      stdout: '',
      stderr: 'RTNETLINK answers: File exists',
    });
  });
});

describe('Windows: the cmd line sudo-prompt runs elevated', () => {
  const exe = 'C:\\Program Files\\WireGuard\\wireguard.exe';
  const a = windowsAdapter({ wireguardExe: exe });
  it('quotes every word for cmd, backslashes and spaces as they are', async () => {
    const up = a.up({
      configPath: 'C:\\Users\\Zoë (work)\\AppData\\Roaming\\overlay-connect\\run\\office.conf',
      iface: 'office',
      userspace: false,
    });
    expect(toCmdString(up)).toBe(
      '"C:\\Program Files\\WireGuard\\wireguard.exe" "/installtunnelservice" "C:\\Users\\Zoë (work)\\AppData\\Roaming\\overlay-connect\\run\\office.conf"',
    );
    expect(toCmdString(a.down({ configPath: '', iface: 'office', userspace: false }))).toBe(
      '"C:\\Program Files\\WireGuard\\wireguard.exe" "/uninstalltunnelservice" "office"',
    );
    const received: string[] = [];
    const fake: ElevateFn = (command, _o, cb) => {
      received.push(command);
      cb(undefined, '', '');
    };
    await elevatedRunner(fake, { platform: 'win32' })(up);
    expect(received).toEqual([toCmdString(up)]);
  });
  it('refuses what cmd would still interpret inside quotes: " % ! ^ and line breaks', () => {
    for (const bad of ['a"b', '%PATH%', 'a!b', 'a^b', 'a\r\nb']) {
      expect(() => toCmdString({ file: exe, args: ['/installtunnelservice', `C:\\${bad}\\x.conf`] })).toThrow(
        UnsafeArgumentError,
      );
    }
    expect(() => toCmdString({ file: 'wireguard.exe', args: [] })).toThrow(UnsafeArgumentError);
  });
});
