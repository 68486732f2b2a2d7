/**
 * What root will run when the helper is installed, and whether only root can change all of it: the
 * interpreter, the entry, the bundles and every production package they may load, each after realpath,
 * with every folder above it. Pure over an injectable `CodeFs`, so it is tested on made-up trees;
 * `helper install` refuses with the first problem before it asks for any rights.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { notRootOnly } from './root-paths.js';

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

const errnoCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * The first file or folder of `items` that others than root can change, said with what to do; or
 * undefined. Each item is taken after realpath, with every folder above it; a tree item with everything
 * inside it (symlinks followed, by realpath too). A dangling symlink counts as its target's nearest
 * existing folder, where the target could be created. Pure over `fs`.
 */
export function codeTreeProblem(items: CodeItem[], fs: CodeFs): string | undefined {
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
  return codeTreeProblem(helperCodeItems(binPath, node, fs), fs);
}
