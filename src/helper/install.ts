/**
 * `helper install` / `uninstall` / `status`. A user runs them unprivileged: they re-run themselves as root
 * through one administrator prompt (sudo-prompt, an argument vector of safe words), and the root run does
 * the work in this file with absolute tool paths and no shell.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { elevatedRunner, type ElevateFn } from '../core/tunnels/runner.js';
import { findIn } from '../core/tunnels/tool-paths.js';
import type { HelperClient } from './client.js';
import { codeProblem } from './code-check.js';
import { HELPER_GROUP } from './protocol.js';
import {
  LAUNCHD_LABEL,
  LAUNCHD_PLIST,
  launchdPlist,
  SERVICE_UNIT,
  SOCKET_UNIT,
  SYSTEMD_DIR,
  systemdServiceUnit,
  systemdSocketUnit,
} from './units.js';

const SBIN = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;

export interface InstallOptions {
  /** The user to add to the group (root run); the unprivileged run passes its own. */
  user?: string;
  elevate: ElevateFn;
  root: boolean;
  /** The CLI's entry file (process.argv[1]). */
  binPath: string;
  /** The Node.js the helper runs with (`--node`); default: the one running now. */
  node?: string;
  platform?: NodeJS.Platform;
}

function tool(name: string): string {
  const path = findIn(SBIN, name);
  if (!path) throw new UserError(`${name} was not found`);
  return path;
}

function run(name: string, ...args: string[]): void {
  execFileSync(tool(name), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The Node.js the helper is to run with, after realpath, checked to be Node.js when given by hand. */
function helperNode(o: InstallOptions): string {
  let node: string;
  try {
    node = realpathSync(o.node ?? process.execPath);
  } catch {
    throw new UserError(
      `${o.node ?? process.execPath} was not found: pass the path of a Node.js, e.g. --node /usr/bin/node`,
    );
  }
  if (o.node !== undefined && !o.root) {
    let version = '';
    try {
      version = execFileSync(node, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim();
    } catch {
      /* reported below */
    }
    if (!/^v\d+\.\d+\.\d+/.test(version)) throw new UserError(`${node} is not Node.js (--node)`);
  }
  return node;
}

/** Checks what root would run, then asks once for administrator rights and re-runs `helper <action>` as
 * root with that Node.js. */
async function elevateSelf(o: InstallOptions, action: 'install' | 'uninstall'): Promise<string[]> {
  const node = helperNode(o);
  const problem = codeProblem(o.binPath, node);
  if (problem) throw new UserError(problem);
  const args = [
    realpathSync(o.binPath),
    'helper',
    action,
    ...(action === 'install' ? ['--user', userInfo().username] : []),
    '--node',
    node,
  ];
  const res = await elevatedRunner(o.elevate)({ file: node, args });
  if (res.code !== 0) throw new UserError(res.stderr.trim().split('\n').pop() || `helper ${action} failed`);
  return res.stdout.trim().split('\n').filter(Boolean);
}

/** V8's lite mode (no optimizing compiler) keeps the mostly idle helper near 48 MB instead of 60 (npm run
 * bench); its work is JSON and spawning wg-quick, which gain nothing from optimized code. `node` is the
 * checked, realpath'd Node.js. */
export function helperCommand(binPath: string, node: string): string[] {
  return [node, '--lite-mode', realpathSync(binPath), 'helper', 'run'];
}

export async function installHelper(o: InstallOptions): Promise<string[]> {
  const platform = o.platform ?? process.platform;
  if (platform === 'win32')
    throw new UserError('On Windows the WireGuard manager service is the helper: nothing to install');
  if (!o.root) return elevateSelf(o, 'install');
  const node = helperNode(o);
  const problem = codeProblem(o.binPath, node);
  if (problem) throw new UserError(problem);
  const user = o.user;
  if (user !== undefined && !USER_NAME.test(user)) throw new UserError(`"${user}" is not a user name`);
  const out: string[] = [];
  if (platform === 'darwin') {
    try {
      execFileSync('/usr/sbin/dseditgroup', ['-o', 'read', HELPER_GROUP], { stdio: 'ignore' });
    } catch {
      execFileSync('/usr/sbin/dseditgroup', ['-o', 'create', HELPER_GROUP]);
    }
    writeFileSync(LAUNCHD_PLIST, launchdPlist(helperCommand(o.binPath, node)), { mode: 0o644 });
    if (user) execFileSync('/usr/sbin/dseditgroup', ['-o', 'edit', '-a', user, '-t', 'user', HELPER_GROUP]);
    execFileSync('/bin/launchctl', ['bootstrap', 'system', LAUNCHD_PLIST]);
    out.push(`Installed ${LAUNCHD_LABEL}.`);
  } else {
    const group = groupState();
    if (group === 'elsewhere') throw new UserError(FOREIGN_GROUP);
    if (group === 'none') run('groupadd', '--system', HELPER_GROUP);
    if (user) run('usermod', '-aG', HELPER_GROUP, user);
    writeFileSync(join(SYSTEMD_DIR, SOCKET_UNIT), systemdSocketUnit(), { mode: 0o644 });
    writeFileSync(join(SYSTEMD_DIR, SERVICE_UNIT), systemdServiceUnit(helperCommand(o.binPath, node)), {
      mode: 0o644,
    });
    out.push(
      `Installed ${SOCKET_UNIT} and ${SERVICE_UNIT}; group ${HELPER_GROUP}${user ? ` (with ${user})` : ''}.`,
    );
    if (existsSync('/run/systemd/system')) {
      run('systemctl', 'daemon-reload');
      run('systemctl', 'enable', '--now', SOCKET_UNIT);
    } else {
      out.push(
        'No systemd is running here: start the helper yourself with `sudo overlay-connect helper run`.',
      );
    }
  }
  if (user)
    out.push(`Log out and in again (or run \`newgrp ${HELPER_GROUP}\`) so that ${user}'s new group applies.`);
  return out;
}

export async function uninstallHelper(o: Omit<InstallOptions, 'user'>): Promise<string[]> {
  const platform = o.platform ?? process.platform;
  if (platform === 'win32')
    throw new UserError('On Windows the WireGuard manager service is the helper: nothing to remove');
  if (!o.root) return elevateSelf(o, 'uninstall');
  if (platform === 'darwin') {
    if (existsSync(LAUNCHD_PLIST))
      execFileSync('/bin/launchctl', ['bootout', `system/${LAUNCHD_LABEL}`], { stdio: 'ignore' });
    rmSync(LAUNCHD_PLIST, { force: true });
    return [`Removed ${LAUNCHD_LABEL}; tunnels that are up stay up.`];
  }
  if (existsSync('/run/systemd/system')) {
    try {
      run('systemctl', 'disable', '--now', SOCKET_UNIT, SERVICE_UNIT);
    } catch {
      /* not enabled */
    }
  }
  rmSync(join(SYSTEMD_DIR, SOCKET_UNIT), { force: true });
  rmSync(join(SYSTEMD_DIR, SERVICE_UNIT), { force: true });
  if (existsSync('/run/systemd/system')) run('systemctl', 'daemon-reload');
  if (groupState() === 'local') run('groupdel', HELPER_GROUP);
  return [
    `Removed ${SOCKET_UNIT}, ${SERVICE_UNIT} and the group ${HELPER_GROUP}; tunnels that are up stay up.`,
  ];
}

const FOREIGN_GROUP = `A group "${HELPER_GROUP}" exists, but not in /etc/group (it comes from a directory such as LDAP or NIS): its members there would all reach the helper, which runs as root. Remove it from there or rename it, then run this again`;

/** Whether the helper's group is in /etc/group, only known elsewhere (LDAP, NIS: getent finds it), or
 * absent. Only a local group is used: who belongs to another is decided outside this machine. */
function groupState(groupFile = '/etc/group'): 'local' | 'elsewhere' | 'none' {
  if (
    readFileSync(groupFile, 'utf8')
      .split('\n')
      .some((l) => l.startsWith(`${HELPER_GROUP}:`))
  )
    return 'local';
  try {
    execFileSync(tool('getent'), ['group', HELPER_GROUP], { stdio: 'ignore' });
    return 'elsewhere';
  } catch {
    return 'none';
  }
}

export interface HelperStatus {
  installed: boolean;
  reachable: boolean;
  version: string | null;
  /** What the user should do next, if anything. */
  next: string | null;
}

export async function helperStatus(
  path: string,
  connect: (path: string) => Promise<HelperClient>,
  platform = process.platform,
): Promise<HelperStatus> {
  const installed =
    platform === 'darwin' ? existsSync(LAUNCHD_PLIST) : existsSync(join(SYSTEMD_DIR, SOCKET_UNIT));
  try {
    const client = await connect(path);
    const { version } = await client.version();
    client.close();
    return { installed, reachable: true, version, next: null };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const next =
      code === 'EACCES'
        ? `You are not in the group "${HELPER_GROUP}" yet: log out and in again (or run \`newgrp ${HELPER_GROUP}\`)`
        : installed
          ? `The helper is installed but not running: sudo systemctl start ${SOCKET_UNIT}`
          : 'Run `overlay-connect helper install` (one administrator prompt) so that connecting needs no password';
    return { installed, reachable: false, version: null, next };
  }
}
