// `npm start`: the desktop app where Electron can run; otherwise one line saying why, then the same window
// served by `overlay-connect ui` on 127.0.0.1 (its address printed, a browser opened where there is one,
// unless BROWSER=none). `ui --open` opens the browser on a file only the user can read, which redirects
// to the tokened address: the token is never on a command line (the opener's or the browser's), where
// every local account could read it.
// Electron's binary is fetched on first use; on a machine that cannot fetch it, that is said in one line
// instead of Electron's stack trace.
// Ubuntu 23.10 and later restrict unprivileged user namespaces (AppArmor), so Chromium's sandbox needs its
// setuid helper, dist/chrome-sandbox, owned by root with mode 4755, which npm never makes it; else Electron
// aborts at start (electron/electron#42510). That is found before starting it, and the fix said in one line.
// OVERLAY_CONNECT_TEST_ELECTRON_DIR, OVERLAY_CONNECT_TEST_USERNS_SYSCTL and
// OVERLAY_CONNECT_TEST_CHROME_SANDBOX point these probes elsewhere: for tests only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir =
  process.env.OVERLAY_CONNECT_TEST_ELECTRON_DIR || dirname(require.resolve('electron/package.json'));
const hasBinary = () => existsSync(join(electronDir, 'path.txt')) && existsSync(join(electronDir, 'dist'));
const display = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

/** Why Electron's sandbox would abort here, with the fix, or undefined. */
function sandboxProblem() {
  if (process.platform !== 'linux') return undefined;
  const sysctl =
    process.env.OVERLAY_CONNECT_TEST_USERNS_SYSCTL ||
    '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';
  const sandbox =
    process.env.OVERLAY_CONNECT_TEST_CHROME_SANDBOX || join(electronDir, 'dist', 'chrome-sandbox');
  let restricted;
  try {
    restricted = readFileSync(sysctl, 'utf8').trim() === '1';
  } catch {
    return undefined; // no such restriction on this kernel
  }
  if (!restricted) return undefined;
  let st;
  try {
    st = statSync(sandbox);
  } catch {
    return undefined; // no setuid helper to fix: Electron says what it needs itself
  }
  if (st.uid === 0 && (st.mode & 0o7777) === 0o4755) return undefined;
  return {
    why: `Electron's sandbox cannot start here (AppArmor restricts unprivileged user namespaces, and ${sandbox} is not setuid root)`,
    fix: `For the desktop app: sudo chown root:root ${sandbox} && sudo chmod 4755 ${sandbox}`,
  };
}

/** One line: why, then (if there is one) how to get the desktop app. */
function serveInBrowser(why, fix) {
  console.log(`${why}: serving the window at a local address instead.${fix ? ` ${fix}` : ''}`);
  const open = display && process.env.BROWSER !== 'none' ? ['--open'] : [];
  // Its output is passed through as it is: the address is printed there, for the user (and the tests).
  const ui = spawn(process.execPath, ['bin/overlay-connect.js', 'ui', ...open, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => ui.kill(signal));
  ui.on('exit', (code) => process.exit(code ?? 0));
}

if (!display) {
  serveInBrowser('No display here (neither DISPLAY nor WAYLAND_DISPLAY is set)');
} else {
  if (!hasBinary()) {
    console.log('Fetching the Electron binary (first run)…');
    const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (fetched.status !== 0 || !hasBinary()) {
      const reason =
        (fetched.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? `exit ${fetched.status}`;
      serveInBrowser(`The Electron binary could not be fetched (${reason.slice(0, 160)})`);
    }
  }
  const problem = hasBinary() ? sandboxProblem() : undefined;
  if (problem) serveInBrowser(problem.why, problem.fix);
  else if (hasBinary()) {
    const child = spawn(process.execPath, [join(electronDir, 'cli.js'), '.', ...process.argv.slice(2)], {
      stdio: 'inherit',
    });
    child.on('exit', (code) => process.exit(code ?? 1));
  }
}
