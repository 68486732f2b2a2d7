/**
 * The app as it is installed — bin/, dist/, package.json and its production packages — copied into a
 * fresh root-owned 0755 folder, for tests that run it as another user.
 *
 * Why a copy: the checkout may sit where that user cannot read it (a clone under a 0700 folder, as CI's
 * may be). Run from there, the user's first CLI call failed in `beforeAll` and vitest reported every test
 * of the file as skipped (issue 20). An installed app is root-owned and readable by all; so is this copy,
 * and every folder above it, which `helper install` also checks before it lets root run the code.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, chmodSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface StagedApp {
  /** The copy's root. */
  dir: string;
  /** Its bin/overlay-connect.js. */
  bin: string;
  remove(): void;
}

/** Top-level node_modules folders of the production dependency closure, resolved as Node resolves. */
function productionPackages(root: string): string[] {
  const found = new Set<string>();
  const visit = (fromDir: string, name: string) => {
    for (let d = fromDir; ; d = dirname(d)) {
      const candidate = join(d, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        const top = relative(root, candidate);
        // Nested copies live inside a top-level package's folder and are copied with it.
        if (dirname(top) === 'node_modules' || dirname(dirname(top)) === 'node_modules') {
          if (found.has(top)) return;
          found.add(top);
        }
        depsOf(candidate).forEach((dep) => visit(candidate, dep));
        return;
      }
      if (d === root || dirname(d) === d) return; // optional or absent: Node would not find it either
    }
  };
  depsOf(root).forEach((dep) => visit(root, dep));
  return [...found];
}

function depsOf(pkgDir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
}

export function stageApp(root = process.cwd()): StagedApp {
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/ is not built (npm run build)');
  const dir = mkdtempSync('/var/lib/oc-test-app-');
  chmodSync(dir, 0o755);
  for (const part of ['bin', 'dist', 'package.json'])
    cpSync(join(root, part), join(dir, part), { recursive: true });
  for (const pkg of productionPackages(root)) {
    mkdirSync(dirname(join(dir, pkg)), { recursive: true });
    // Dereferenced: a `file:` dependency (native/peercred) is a symlink out of node_modules.
    cpSync(join(root, pkg), join(dir, pkg), { recursive: true, dereference: true });
  }
  return {
    dir,
    bin: join(dir, 'bin', 'overlay-connect.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
