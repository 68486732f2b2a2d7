/**
 * A lock shared by every process that opens the store (the app, the CLI, `ui`): an exclusive-create lock
 * file beside it. O_CREAT|O_EXCL is atomic on local file systems, so exactly one process holds it. The file
 * names its holder (pid and time); a holder that died (`kill -9`, a crash) is detected and its lock taken
 * over by an atomic rename, so a dead process never blocks the store for good.
 *
 * Why not proper-lockfile: the store's read-change-write is synchronous (conf's API), and proper-lockfile's
 * locks are asynchronous (mkdir plus an mtime it keeps refreshing on a timer). A synchronous section that
 * only ever holds the lock for one read and one write needs neither.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';

export interface LockOptions {
  /** Give up after this long (another process holds the lock the whole time). */
  timeoutMs?: number;
  /** A lock older than this is taken over even if its pid is alive (pid reused after a crash). */
  staleMs?: number;
}

const held = new Map<string, number>();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock at `path` was left by a holder that is gone. */
function isStale(path: string, staleMs: number): boolean {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(path, 'utf8');
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return false; // released meanwhile: just try again
  }
  const pid = Number(text.split(' ')[0]);
  // An empty file is a holder that died between create and write, once it is a moment old.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - mtimeMs > 1000;
  return !alive(pid) || Date.now() - mtimeMs > staleMs;
}

/** Runs `fn` while holding the lock file `path`. Re-entrant within one process. */
export function withFileLock<T>(path: string, fn: () => T, options: LockOptions = {}): T {
  const depth = held.get(path) ?? 0;
  if (depth > 0) {
    held.set(path, depth + 1);
    try {
      return fn();
    } finally {
      held.set(path, depth);
    }
  }
  const { timeoutMs = 15_000, staleMs = 60_000 } = options;
  const end = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid} ${Date.now()}`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (isStale(path, staleMs)) {
      // Only one process can rename this very file away; the others find it gone and retry.
      const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
      try {
        renameSync(path, aside);
        rmSync(aside, { force: true });
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    if (Date.now() > end)
      throw new UserError(`The store is locked by another overlay-connect process (${path}); try again`);
    sleepSync(wait);
  }
  held.set(path, 1);
  try {
    return fn();
  } finally {
    held.delete(path);
    rmSync(path, { force: true });
  }
}
