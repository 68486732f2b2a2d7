/**
 * How each OS brings a tunnel up and down. Linux and macOS use wg-quick with a path to our file (it
 * accepts a path instead of a name); Windows installs the config as a tunnel service of the official
 * client. The adapters only build commands; running them is the runner's job.
 */
import { UserError } from '../errors.js';
import type { CommandLine } from './command-line.js';
import { inNetns } from './command-line.js';
import { installHint, type ToolPaths } from './tool-paths.js';

export interface UpDownRequest {
  configPath: string;
  iface: string;
  netns?: string;
  /** The kernel has no WireGuard: wg-quick must use wireguard-go. */
  userspace: boolean;
}

export interface PlatformAdapter {
  readonly platform: NodeJS.Platform;
  up(req: UpDownRequest): CommandLine;
  down(req: UpDownRequest): CommandLine;
}

/** wg-quick falls back to wireguard-go only with these set (wireguard-go refuses to run on Linux otherwise). */
export const USERSPACE_ENV = {
  WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go',
  WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1',
};

function need<K extends keyof ToolPaths>(
  tools: ToolPaths,
  key: K,
  name: string,
  platform: NodeJS.Platform,
): string {
  const path = tools[key];
  if (!path) throw new UserError(`${name} was not found: ${installHint(key, platform)}`);
  return path;
}

export function linuxAdapter(tools: ToolPaths): PlatformAdapter {
  const wgQuick = (action: 'up' | 'down', req: UpDownRequest): CommandLine => {
    const cmd: CommandLine = {
      file: need(tools, 'wgQuick', 'wg-quick', 'linux'),
      args: [action, req.configPath],
    };
    if (req.userspace) cmd.env = { ...USERSPACE_ENV };
    if (!req.netns) return cmd;
    return inNetns(need(tools, 'ip', 'ip', 'linux'), req.netns, cmd);
  };
  return { platform: 'linux', up: (r) => wgQuick('up', r), down: (r) => wgQuick('down', r) };
}

export function macAdapter(tools: ToolPaths): PlatformAdapter {
  const wgQuick = (action: 'up' | 'down', req: UpDownRequest): CommandLine => {
    if (req.netns) throw new UserError('Network namespaces exist only on Linux');
    // wg-quick is a bash 4 script that calls wg and wireguard-go by name: give it Homebrew's folders.
    return {
      file: need(tools, 'bash', 'bash 4 or newer', 'darwin'),
      args: [need(tools, 'wgQuick', 'wg-quick', 'darwin'), action, req.configPath],
      env: { PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' },
    };
  };
  return { platform: 'darwin', up: (r) => wgQuick('up', r), down: (r) => wgQuick('down', r) };
}

export function windowsAdapter(tools: ToolPaths): PlatformAdapter {
  const exe = () => need(tools, 'wireguardExe', 'wireguard.exe', 'win32');
  return {
    platform: 'win32',
    up: (req) => ({ file: exe(), args: ['/installtunnelservice', req.configPath] }),
    // The service is named after the file's base name, which is the interface name.
    down: (req) => ({ file: exe(), args: ['/uninstalltunnelservice', req.iface] }),
  };
}

export function adapterFor(platform: NodeJS.Platform, tools: ToolPaths): PlatformAdapter {
  if (platform === 'win32') return windowsAdapter(tools);
  if (platform === 'darwin') return macAdapter(tools);
  return linuxAdapter(tools);
}
