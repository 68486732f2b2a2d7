// `npm start`: runs the desktop app with the Electron binary. The binary is fetched on a user's machine on
// first use; where it cannot be (no network to its host), say so instead of failing obscurely.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
if (!existsSync(join(electronDir, 'path.txt')) && !existsSync(join(electronDir, 'dist'))) {
  console.log('Fetching the Electron binary (first run)…');
}
const child = spawn(process.execPath, [join(electronDir, 'cli.js'), '.'], { stdio: 'inherit' });
child.on('exit', (code) => {
  if (code && !existsSync(join(electronDir, 'path.txt'))) {
    console.error('The Electron binary is not available on this machine. The CLI works without it: npx overlay-connect --help');
  }
  process.exit(code ?? 1);
});
