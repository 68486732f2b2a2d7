/**
 * Opens the user's browser on the `ui` window without putting its token on a command line (every local
 * account can read those, through `ps`): as Jupyter does, the tokened address goes into a small HTML file
 * only the user can read (0600, in a fresh 0700 folder of their own), which redirects to it, and the
 * browser is opened on that file. The file is removed once the browser came through it, or after a while,
 * or when `ui` exits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writePrivateFile } from '../core/store/private-files.js';

export interface Launcher {
  /** The HTML file that redirects to the address. */
  path: string;
  /** Removes the file and its folder (again is fine). */
  remove(): void;
}

/** The user's runtime folder ($XDG_RUNTIME_DIR) when it is theirs and private, else the temp folder. */
function baseDir(env: NodeJS.ProcessEnv): string {
  const run = env.XDG_RUNTIME_DIR;
  if (run) {
    try {
      const st = statSync(run);
      if (st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0) return run;
    } catch {
      /* not there: the temp folder */
    }
  }
  return tmpdir();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function redirectPage(url: string): string {
  // JSON.stringify, with < escaped, is a safe script string; the meta refresh is for a page without script.
  const js = JSON.stringify(url).replace(/</g, '\\u003c');
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${escapeHtml(url)}">
<title>overlay-connect</title>
</head>
<body>
<script>location.replace(${js});</script>
<p><a href="${escapeHtml(url)}">Open overlay-connect</a></p>
</body>
</html>
`;
}

/** Writes the redirect file: mkdtemp makes the folder 0700 and the user's; the file is written 0600. */
export function writeLauncher(url: string, env: NodeJS.ProcessEnv = process.env): Launcher {
  const dir = mkdtempSync(join(baseDir(env), 'overlay-connect-open-'));
  const path = join(dir, 'open.html');
  writePrivateFile(path, redirectPage(url), { durable: false });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens `path` with the platform's opener (xdg-open, open, explorer), detached; failures are ignored
 * (the address is printed for the user anyway). The argument is the file, never the tokened address. */
export function openFile(path: string, platform: NodeJS.Platform = process.platform): void {
  const [opener, target] =
    platform === 'darwin'
      ? ['open', pathToFileURL(path).href]
      : platform === 'win32'
        ? ['explorer', path]
        : ['xdg-open', pathToFileURL(path).href];
  spawn(opener, [target], { stdio: 'ignore', detached: true })
    .on('error', () => undefined)
    .unref();
}
