/**
 * `helper install` lets root run only a Node.js and code that only root can change: the check over made-up
 * trees (an injected lstat/realpath), and once for real, as root with a throwaway user owning a copy of node.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_FIX,
  bundleImports,
  codeProblem,
  type CodeFs,
  helperCodeItems,
  NODE_FIX,
} from '../../src/helper/code-check.js';
import { gate } from '../support/gate.js';
import { Privilege } from '../support/privilege.js';
import { stageApp, type StagedApp } from '../support/staged-app.js';

type Entry =
  | { kind: 'dir'; uid?: number; mode?: number }
  | { kind: 'file'; uid?: number; mode?: number; text?: string }
  | { kind: 'link'; target: string };

const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });

/** A made-up file tree: every path listed with its parents implied as root 0755 folders. */
function fakeFs(spec: Record<string, Entry>): CodeFs {
  const tree = new Map<string, Entry>([['/', { kind: 'dir' }]]);
  for (const [path, entry] of Object.entries(spec)) {
    for (let d = dirname(path); !tree.has(d); d = dirname(d)) tree.set(d, { kind: 'dir' });
    tree.set(path, entry);
  }
  const realpath = (path: string, depth = 0): string => {
    if (depth > 20) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
    let real = '/';
    for (const part of path.split('/').filter(Boolean)) {
      const next = join(real, part);
      const e = tree.get(next);
      if (!e) throw enoent(path);
      real = e.kind === 'link' ? realpath(resolve(real, e.target), depth + 1) : next;
    }
    return real;
  };
  return {
    lstat(p) {
      const e = tree.get(p);
      if (!e) throw enoent(p);
      const mode = e.kind === 'link' ? 0o777 : (e.mode ?? 0o755);
      return {
        uid: e.kind === 'link' ? 1000 : (e.uid ?? 0),
        mode,
        isDirectory: () => e.kind === 'dir',
        isSymbolicLink: () => e.kind === 'link',
      };
    },
    realpath: (p) => realpath(p),
    readdir: (p) => [...tree.keys()].filter((k) => k !== p && dirname(k) === p).map((k) => basename(k)),
    readlink(p) {
      const e = tree.get(p);
      if (e?.kind !== 'link') throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
      return e.target;
    },
    readFile(p) {
      const e = tree.get(p);
      if (e?.kind !== 'file') throw enoent(p);
      return e.text ?? '';
    },
  };
}

const NODE = '/usr/bin/node';
const BIN = '/opt/oc/bin/overlay-connect.js';
/** An installed app as the deb or `sudo npm install -g` leaves it: everything root's, 0755/0644. */
const good = (): Record<string, Entry> => ({
  [NODE]: { kind: 'file' },
  [BIN]: { kind: 'file', mode: 0o644 },
  '/opt/oc/package.json': { kind: 'file', mode: 0o644 },
  '/opt/oc/dist/helper.js': {
    kind: 'file',
    text: 'import { readFileSync } from "node:fs";\nimport nacl from "tweetnacl";\nimport { x } from "./local.js";\n',
  },
  '/opt/oc/dist/cli.js': {
    kind: 'file',
    text: 'import Conf from "conf";\nimport * as sudo from "sudo-prompt";\n',
  },
  '/opt/oc/node_modules/tweetnacl/package.json': { kind: 'file', text: '{}' },
  '/opt/oc/node_modules/tweetnacl/nacl-fast.js': { kind: 'file', mode: 0o644 },
  '/opt/oc/node_modules/conf/package.json': { kind: 'file', text: '{"dependencies":{"ajv":"^8"}}' },
  '/opt/oc/node_modules/conf/dist/source/index.js': { kind: 'file' },
  '/opt/oc/node_modules/ajv/package.json': { kind: 'file', text: '{}' },
  '/opt/oc/node_modules/ajv/dist/ajv.js': { kind: 'file' },
  // Not imported by either bundle, not anyone's dependency: not looked at.
  '/opt/oc/node_modules/unused/package.json': { kind: 'file', uid: 1000 },
  // sudo-prompt is absent: Node cannot load it from here either.
});

const check = (spec: Record<string, Entry>, node = NODE) => codeProblem(BIN, node, fakeFs(spec));

describe('what root will run: only root can change it (made-up trees)', () => {
  it('all good: a root-owned Node.js, app and packages; the packages are found as Node finds them', () => {
    expect(check(good())).toBeUndefined();
    expect(helperCodeItems(BIN, NODE, fakeFs(good())).map((i) => `${i.path}${i.tree ? '/' : ''}`)).toEqual([
      NODE,
      BIN,
      '/opt/oc/package.json',
      '/opt/oc/dist/helper.js',
      '/opt/oc/dist/cli.js',
      '/opt/oc/node_modules/tweetnacl/',
      '/opt/oc/node_modules/conf/',
      '/opt/oc/node_modules/ajv/',
    ]);
  });

  it('a Node.js the user owns (nvm, asdf, volta, Homebrew) is refused, saying what to do', () => {
    const nvm = '/home/u/.nvm/versions/node/v20.19.0/bin/node';
    const owned = {
      ...good(),
      '/home/u': { kind: 'dir', uid: 1000 },
      [nvm]: { kind: 'file', uid: 1000 },
    } as const;
    expect(check(owned, nvm)).toBe(
      `${nvm} can be changed by others than root (it is owned by uid 1000, not root), and the helper runs as root: ${NODE_FIX}`,
    );
    expect(NODE_FIX).toMatch(/apt install nodejs.*--node \/usr\/bin\/node/);
    // Root's own file in the user's folder is no better: the user can rename the folder's entries.
    const inHome = { ...owned, [nvm]: { kind: 'file' } } as const;
    expect(check(inHome, nvm)).toBe(
      `/home/u can be changed by others than root (it is owned by uid 1000, not root), and the helper, which runs as root, loads ${nvm} from inside it: ${NODE_FIX}`,
    );
  });

  it('a group-writable folder anywhere above, or inside a package, is refused', () => {
    expect(check({ ...good(), '/opt/oc/node_modules': { kind: 'dir', mode: 0o775 } })).toBe(
      `/opt/oc/node_modules can be changed by others than root (it is writable by its group), and the helper, which runs as root, loads /opt/oc/node_modules/tweetnacl from inside it: ${APP_FIX}`,
    );
    expect(check({ ...good(), '/opt': { kind: 'dir', mode: 0o757 } })).toBe(
      `/opt can be changed by others than root (it is writable by others), and the helper, which runs as root, loads ${BIN} from inside it: ${APP_FIX}`,
    );
    expect(check({ ...good(), '/opt/oc/node_modules/ajv/dist': { kind: 'dir', mode: 0o777 } })).toMatch(
      /^\/opt\/oc\/node_modules\/ajv\/dist can be changed by others than root \(it is writable by its group and others\)/,
    );
    expect(check({ ...good(), '/opt/oc/dist/helper.js': { kind: 'file', mode: 0o664, text: '' } })).toMatch(
      /^\/opt\/oc\/dist\/helper.js can be changed by others than root \(it is writable by its group\), and the helper runs as root:/,
    );
  });

  it('a sticky world-writable folder above (as /tmp) is not enough', () => {
    const spec: Record<string, Entry> = { '/tmp': { kind: 'dir', mode: 0o1777 } };
    for (const [path, entry] of Object.entries(good())) spec[path.replace(/^\/opt\//, '/tmp/')] = entry;
    expect(codeProblem('/tmp/oc/bin/overlay-connect.js', NODE, fakeFs(spec))).toBe(
      `/tmp can be changed by others than root (it is writable by its group and others, sticky as /tmp is: anyone can still add files there), and the helper, which runs as root, loads /tmp/oc/bin/overlay-connect.js from inside it: ${APP_FIX}`,
    );
  });

  it('symlinks are followed by realpath: to a file the user owns is refused, to root-owned files is fine', () => {
    const linkedNode = {
      ...good(),
      '/usr/local/bin/node': { kind: 'link', target: '/home/u/n/node' },
      '/home/u/n/node': { kind: 'file', uid: 1000 },
    } as const;
    expect(check(linkedNode, '/usr/local/bin/node')).toMatch(
      /^\/home\/u\/n\/node can be changed by others than root \(it is owned by uid 1000/,
    );
    const inPackage = {
      ...good(),
      '/opt/oc/node_modules/tweetnacl/nacl-fast.js': { kind: 'link', target: '../../../../../home/u/x.js' },
      '/home/u/x.js': { kind: 'file', uid: 1000 },
    } as const;
    expect(check(inPackage)).toMatch(/^\/home\/u\/x\.js can be changed by others than root/);
    const alternatives = {
      ...good(),
      '/usr/bin/node': { kind: 'link', target: '/etc/alternatives/node' },
      '/etc/alternatives/node': { kind: 'link', target: '/usr/bin/nodejs' },
      '/usr/bin/nodejs': { kind: 'file' },
      // A symlink's own mode (0777) says nothing: only where it points counts.
      '/opt/oc/node_modules/conf/node_modules/.bin/x': { kind: 'link', target: '../../dist/source/index.js' },
    } as const;
    expect(check(alternatives)).toBeUndefined();
    // A symlinked package folder (a workspace's file: dependency) is checked where it really is.
    const linkedPackage = {
      ...good(),
      '/opt/oc/node_modules/tweetnacl': { kind: 'link', target: '/srv/tn' },
      '/srv/tn': { kind: 'dir', uid: 1000 },
      '/srv/tn/package.json': { kind: 'file' },
    } as const;
    expect(check(linkedPackage)).toMatch(/^\/srv\/tn can be changed by others than root/);
  });

  it('a dangling symlink counts as the folder its target would be created in; a missing bundle is named', () => {
    const dangling = {
      ...good(),
      '/tmp': { kind: 'dir', mode: 0o1777 },
      '/opt/oc/node_modules/ajv/dist/ajv.js': { kind: 'link', target: '/tmp/later/ajv.js' },
    } as const;
    expect(check(dangling)).toMatch(/^\/tmp can be changed by others than root .*sticky/);
    const missing: Record<string, Entry> = good();
    delete missing['/opt/oc/dist/helper.js'];
    expect(check(missing)).toBe(`/opt/oc/dist/helper.js is missing: ${APP_FIX}`);
  });

  it('reads the bare imports of an esbuild bundle', () => {
    expect(
      bundleImports(
        'import a from "tweetnacl";\nimport { b } from "@scope/pkg/sub";\nimport "side-effect";\nimport fs from "node:fs";\nimport p from "path";\nimport x from "./x.js";\nconst y = await import("ipaddr.js");\n',
      ),
    ).toEqual(['@scope/pkg', 'ipaddr.js', 'side-effect', 'tweetnacl']);
  });
});

const notRoot =
  process.getuid?.() !== 0 ? 'not root (making a throwaway user needs root; CI runs as root)' : undefined;
const skipReal = gate('helper install refuses a Node.js a user owns, for real', notRoot);

describe('what root loads, on this checkout', () => {
  it('includes every production dependency, the native addons too, after realpath', () => {
    const paths = helperCodeItems('bin/overlay-connect.js', process.execPath).map((i) => i.path);
    // peercred is loaded through createRequire (renamed by esbuild): only the dependency list names it.
    expect(paths).toContain(realpathSync('native/peercred'));
    expect(paths).toContain(realpathSync('node_modules/fs-ext'));
    expect(paths).toContain(realpathSync('dist/helper.js'));
  });
});

describe.skipIf(skipReal)('for real: a copy of node that a throwaway user owns', () => {
  const tag = String(process.pid % 1e5);
  const priv = new Privilege(`ic${tag}`);
  const user = `occ${tag}`;
  let dir: string;
  let node: string;
  let app: StagedApp;

  beforeAll(() => {
    priv.user(user);
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout);
    // Root's 0755 folder, and in it the user's own, with the user's own node: as ~/.nvm would be.
    dir = mkdtempSync('/var/lib/oc-test-node-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'bin'));
    node = join(dir, 'bin', 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    chownSync(join(dir, 'bin'), uid, uid);
    chownSync(node, uid, uid);
    mkdirSync(join(dir, 'home'), { mode: 0o700 });
    chownSync(join(dir, 'home'), uid, uid);
    app = stageApp();
  }, 60_000);

  afterAll(() => {
    priv.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    app?.remove();
  });

  it('the check, on the real files, names the copy', () => {
    expect(codeProblem(app.bin, node)).toMatch(
      new RegExp(
        `^${node} can be changed by others than root \\(it is owned by uid \\d+, not root\\), and the helper runs as root: install Node.js from your distribution`,
      ),
    );
    // The staged app with the system's Node.js is what root may run.
    expect(codeProblem(app.bin, realpathSync(process.execPath))).toBeUndefined();
  });

  it('`helper install` run by the user with that node refuses before asking for any rights', () => {
    const asUser = (args: string[]) =>
      spawnSync(
        'runuser',
        ['-u', user, '--', node, app.bin, '--data-dir', join(dir, 'home', 'data'), ...args],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: join(dir, 'home') },
          timeout: 60_000,
        },
      );
    const r = asUser(['helper', 'install']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${node} can be changed by others than root`);
    expect(r.stderr).toMatch(/apt install nodejs.*--node \/usr\/bin\/node/);
    expect(r.stderr).not.toMatch(/administrator|pkexec|polkit/i);
    // Naming it by hand is no way around it; naming something that is not Node.js is refused too.
    const byHand = asUser(['helper', 'install', '--node', node]);
    expect(byHand.status).toBe(1);
    expect(byHand.stderr).toContain(`${node} can be changed by others than root`);
    const notNode = asUser(['helper', 'install', '--node', '/bin/true']);
    expect(notNode.status).toBe(1);
    expect(notNode.stderr).toMatch(/\/usr\/bin\/true is not Node.js|\/bin\/true is not Node.js/);
  }, 60_000);
});
