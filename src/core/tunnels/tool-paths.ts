/**
 * Where the WireGuard tools are. Absolute paths only: a command is never resolved through PATH at run
 * time, and an elevated shell never searches for one.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface ToolPaths {
  wgQuick?: string;
  wg?: string;
  ip?: string;
  wireguardGo?: string;
  resolvconf?: string;
  ping?: string;
  /** macOS: a bash ≥ 4 to run wg-quick with (the system one is 3.2). */
  bash?: string;
  /** Windows: wireguard.exe of the official client. */
  wireguardExe?: string;
}

const UNIX_DIRS = [
  '/usr/bin',
  '/usr/sbin',
  '/bin',
  '/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/opt/homebrew/bin',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findIn(dirs: readonly string[], name: string): string | undefined {
  return dirs.map((d) => join(d, name)).find(executable);
}

/** Bash major version, asked once at start (macOS only; not on a polling path). */
function bashMajor(path: string): number {
  const r = spawnSync(path, ['-c', 'echo ${BASH_VERSINFO[0]}'], { encoding: 'utf8' });
  return Number(r.stdout?.trim()) || 0;
}

export function findTools(
  platform: NodeJS.Platform = process.platform,
  dirs: readonly string[] = UNIX_DIRS,
): ToolPaths {
  if (platform === 'win32') {
    const base = join(process.env.ProgramFiles ?? 'C:\\Program Files', 'WireGuard');
    const exe = join(base, 'wireguard.exe');
    return {
      wireguardExe: existsSync(exe) ? exe : undefined,
      wg: existsSync(join(base, 'wg.exe')) ? join(base, 'wg.exe') : undefined,
    };
  }
  const tools: ToolPaths = {
    wgQuick: findIn(dirs, 'wg-quick'),
    wg: findIn(dirs, 'wg'),
    ip: findIn(dirs, 'ip'),
    wireguardGo: findIn(dirs, 'wireguard-go'),
    resolvconf: findIn(dirs, 'resolvconf'),
    ping: findIn(dirs, 'ping'),
  };
  if (platform === 'darwin') {
    // Homebrew's bash first: wg-quick needs bash 4+, macOS ships 3.2.
    tools.bash = ['/opt/homebrew/bin/bash', '/usr/local/bin/bash', '/bin/bash'].find(
      (b) => executable(b) && bashMajor(b) >= 4,
    );
  }
  return tools;
}

/** The Debian/Ubuntu package (or the platform's way) to get a missing tool. */
export function installHint(tool: keyof ToolPaths, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return tool === 'bash' ? 'brew install bash' : 'brew install wireguard-tools';
  if (platform === 'win32') return 'install WireGuard for Windows from wireguard.com';
  return {
    wgQuick: 'apt-get install --no-install-recommends wireguard-tools',
    wg: 'apt-get install --no-install-recommends wireguard-tools',
    ip: 'apt-get install iproute2',
    wireguardGo: 'apt-get install wireguard-go',
    resolvconf: 'apt-get install openresolv (or use systemd-resolved)',
    bash: 'apt-get install bash',
    ping: 'apt-get install iputils-ping',
    wireguardExe: '',
  }[tool];
}
