// `npm start`: the desktop app where Electron can run; otherwise one line saying why, then the same window
// served by `overlay-connect ui` on 127.0.0.1 (its address printed, a browser opened where there is one,
// unless BROWSER=none). `ui --open` opens the browser on a file only the user can read, which redirects
// to the tokened address: the token is never on a command line (the opener's or the browser's), where
// every local account could read it.
// Electron's binary is fetched on first use; on a machine that cannot fetch it, that is said in one line
// instead of Electron's stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const hasBinary = () => existsSync(join(electronDir, 'path.txt')) && existsSync(join(electronDir, 'dist'));
const display = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

function serveInBrowser(why) {
  console.log(`${why}: serving the window at a local address instead.`);
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
  if (hasBinary()) {
    const child = spawn(process.execPath, [join(electronDir, 'cli.js'), '.', ...process.argv.slice(2)], {
      stdio: 'inherit',
    });
    child.on('exit', (code) => process.exit(code ?? 1));
  }
}
