/**
 * `helper install` / `uninstall` / `status`. A user runs them unprivileged: they re-run themselves as root
 * through one administrator prompt (sudo-prompt, an argument vector of safe words), and the root run does
 * the work in this file with absolute tool paths and no shell.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { elevatedRunner, type ElevateFn } from '../core/tunnels/runner.js';
import { findIn } from '../core/tunnels/tool-paths.js';
import type { HelperClient } from './client.js';
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

/** What the root-only check reads, injectable so that it is tested on made-up trees. */
export interface CodeFs {
  lstat(path: string): { uid: number; mode: number; isDirectory(): boolean; isSymbolicLink(): boolean };
  realpath(path: string): string;
  readdir(path: string): string[];
  readlink(path: string): string;
  readFile(path: string): string;
}

export const realCodeFs: CodeFs = {
  lstat: (p) => lstatSync(p),
  realpath: (p) => realpathSync(p),
  readdir: (p) => readdirSync(p),
  readlink: (p) => readlinkSync(p),
  readFile: (p) => readFileSync(p, 'utf8'),
};

/** A file or folder root would load, and what to do when others than root can change it. With `tree`,
 * everything inside the folder counts too (a package's folder). */
export interface CodeItem {
  path: string;
  fix: string;
  tree?: boolean;
}

export const NODE_FIX =
  'install Node.js from your distribution (e.g. `sudo apt install nodejs`), or pass `--node /usr/bin/node` (a Node.js only root can change)';
export const APP_FIX =
  'install overlay-connect from its package, or as root (`sudo npm install -g`). From a clone, run the helper yourself instead, with a group of its own: `sudo groupadd --system overlay-connect && sudo usermod -aG overlay-connect "$USER"`, then `sudo node bin/overlay-connect.js helper run`';

/** Why others than root could change a file or folder with this owner and mode, or undefined. A sticky
 * world-writable folder (like /tmp) is refused too: anyone can add a file or folder there. */
function notRootOnly(st: { uid: number; mode: number }): string | undefined {
  if (st.uid !== 0) return `it is owned by uid ${st.uid}, not root`;
  const w = st.mode & 0o022;
  if (!w) return undefined;
  const who = w === 0o022 ? 'its group and others' : w === 0o020 ? 'its group' : 'others';
  return `it is writable by ${who}${st.mode & 0o1000 ? ', sticky as /tmp is: anyone can still add files there' : ''}`;
}

const errnoCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * The first file or folder of `items` that others than root can change, said with what to do; or
 * undefined. Each item is taken after realpath, with every folder above it; a tree item with everything
 * inside it (symlinks followed, by realpath too). A dangling symlink counts as its target's nearest
 * existing folder, where the target could be created. Pure over `fs`.
 */
export function rootOnlyProblem(items: CodeItem[], fs: CodeFs): string | undefined {
  const ok = new Set<string>();
  const walked = new Set<string>();
  /** `real` (a resolved path) and every folder above it. */
  const chain = (real: string, item: CodeItem): string | undefined => {
    for (let p = real; !ok.has(p); p = dirname(p)) {
      const why = notRootOnly(fs.lstat(p));
      if (why) {
        const what =
          p === real
            ? 'and the helper runs as root'
            : `and the helper, which runs as root, loads ${real} from inside it`;
        return `${p} can be changed by others than root (${why}), ${what}: ${item.fix}`;
      }
      ok.add(p);
      if (dirname(p) === p) break;
    }
    return undefined;
  };
  const check = (path: string, item: CodeItem, tree: boolean): string | undefined => {
    let real: string;
    try {
      real = fs.realpath(path);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
      let st;
      try {
        st = fs.lstat(path);
      } catch {
        return `${path} is missing: ${item.fix}`;
      }
      if (!st.isSymbolicLink()) throw e;
      let t = resolve(fs.realpath(dirname(path)), fs.readlink(path));
      for (;;) {
        try {
          return chain(fs.realpath(t), item);
        } catch (e2) {
          if (errnoCode(e2) !== 'ENOENT' || dirname(t) === t) throw e2;
          t = dirname(t);
        }
      }
    }
    const problem = chain(real, item);
    if (problem || !tree || walked.has(real) || !fs.lstat(real).isDirectory()) return problem;
    walked.add(real);
    for (const name of fs.readdir(real).sort()) {
      const inner = check(join(real, name), item, true);
      if (inner) return inner;
    }
    return undefined;
  };
  for (const item of items) {
    const problem = check(item.path, item, item.tree ?? false);
    if (problem) return problem;
  }
  return undefined;
}

/** The packages a bundle built with esbuild's `packages: 'external'` imports: its bare specifiers. */
export function bundleImports(source: string): string[] {
  const names = new Set<string>();
  const re = /(?:\bfrom|\bimport|\bimport\s*\(|\brequire\s*\()\s*["']([^"'\n]+)["']/g;
  for (const m of source.matchAll(re)) {
    const spec = m[1]!;
    if (/^[./]/.test(spec) || spec.startsWith('node:') || isBuiltin(spec)) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return [...names].sort();
}

/** A package's folder as Node finds it from `fromDir` (node_modules in it and every folder above). */
function findPackage(name: string, fromDir: string, fs: CodeFs): string | undefined {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    try {
      fs.realpath(join(candidate, 'package.json'));
      return fs.realpath(candidate);
    } catch {
      /* not here */
    }
    if (dirname(d) === d) return undefined;
  }
}

function packageDeps(dir: string, fs: CodeFs): string[] {
  try {
    const pkg = JSON.parse(fs.readFile(join(dir, 'package.json'))) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
  } catch {
    return [];
  }
}

/**
 * Every file root loads for the helper, and for the elevated `helper install` run itself: the Node.js
 * binary, bin/overlay-connect.js, the app's package.json, dist/helper.js and dist/cli.js, and the whole
 * folder of each package they import (with those packages' own dependencies), resolved as Node does.
 */
export function helperCodeItems(binPath: string, node: string, fs: CodeFs = realCodeFs): CodeItem[] {
  const bin = fs.realpath(binPath);
  const app = dirname(dirname(bin));
  const items: CodeItem[] = [
    { path: node, fix: NODE_FIX },
    { path: bin, fix: APP_FIX },
    { path: join(app, 'package.json'), fix: APP_FIX },
  ];
  const packages = new Set<string>();
  const visit = (name: string, fromDir: string) => {
    const dir = findPackage(name, fromDir, fs);
    if (!dir || packages.has(dir)) return; // not found: Node cannot load it either
    packages.add(dir);
    for (const dep of packageDeps(dir, fs)) visit(dep, dir);
  };
  for (const bundle of ['helper.js', 'cli.js']) {
    const file = join(app, 'dist', bundle);
    items.push({ path: file, fix: APP_FIX });
    let source: string;
    try {
      source = fs.readFile(file);
    } catch {
      continue; // reported as missing by the check
    }
    for (const name of bundleImports(source)) visit(name, dirname(fs.realpath(file)));
  }
  // And every production dependency of the app, whether or not the bundles' text names it: a bundle may
  // load one in a way no text search sees (the native peercred addon goes through createRequire, which
  // esbuild renames), and a package root never loads costs nothing to check.
  for (const dep of packageDeps(app, fs)) visit(dep, app);
  for (const dir of packages) items.push({ path: dir, fix: APP_FIX, tree: true });
  return items;
}

/** Root will run this Node.js and this code: only root may be able to change any of it. */
export function codeProblem(binPath: string, node: string, fs: CodeFs = realCodeFs): string | undefined {
  return rootOnlyProblem(helperCodeItems(binPath, node, fs), fs);
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
