/**
 * A lock shared by every process that opens the store (the app, the CLI, `ui`): a kernel lock (flock) on a
 * lock file beside it. The kernel grants it to one open file at a time and releases it when its holder
 * closes the file or dies, however it dies (a crash, `kill -9`). So nothing has to judge whether a lock is
 * stale, and there is no takeover that two processes could both make: an exclusive-create lock file with
 * stale-lock takeover by rename let two processes hold the lock at once when both judged it stale.
 *
 * Why fs-ext: Node has no flock. fs-ext is a small, maintained native module that does flock on Linux and
 * macOS and LockFileEx on Windows. (proper-lockfile is asynchronous and still judges staleness by mtime; the
 * store's read-change-write is synchronous, as conf's API is.)
 *
 * The lock file is never removed: a process waiting on it may already have it open, and if the file were
 * unlinked and made anew, that waiter would lock the old, unlinked file while another locked the new one.
 * Its content (the holder's pid and time, or the last holder's) is for humans only; any content, such as
 * that of a lock file left by an older build, is fine.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import fsExt from 'fs-ext';
import { UserError } from '../errors.js';

export interface LockOptions {
  /** Give up after this long (another process holds the lock the whole time). */
  timeoutMs?: number;
}

const held = new Map<string, number>();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Takes the lock on an open descriptor without waiting: false if another process holds it. */
function tryLock(fd: number): boolean {
  try {
    fsExt.flockSync(fd, 'exnb');
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return false;
    throw e;
  }
}

/** Whether `fd` is still the file at `path` (not one that someone removed or replaced meanwhile). */
function isCurrent(fd: number, path: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = statSync(path);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/** Opens the lock file and locks it, waiting (with backoff) up to `timeoutMs`; returns the descriptor. */
function acquire(path: string, timeoutMs: number): number {
  const end = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    // Node opens with O_CLOEXEC: a child process never inherits the descriptor, nor so the lock.
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    let locked = false;
    try {
      locked = tryLock(fd);
      // We never remove the file, but someone else might have (by hand, or an older build): a lock on a
      // file no longer at `path` excludes nobody, so it does not count.
      if (locked && isCurrent(fd, path)) {
        try {
          ftruncateSync(fd, 0);
          writeSync(fd, `${process.pid} ${Date.now()}`, 0);
        } catch {
          /* informative only: the lock is held whether or not its holder could be written */
        }
        return fd;
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    if (locked) fsExt.flockSync(fd, 'un');
    closeSync(fd);
    if (locked) continue; // the file was replaced: lock the one at `path` now
    if (Date.now() > end)
      throw new UserError(`The store is locked by another overlay-connect process (${path}); try again`);
    sleepSync(wait);
  }
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
  const { timeoutMs = 15_000 } = options;
  const fd = acquire(path, timeoutMs);
  held.set(path, 1);
  try {
    return fn();
  } finally {
    held.delete(path);
    try {
      fsExt.flockSync(fd, 'un');
    } finally {
      closeSync(fd);
    }
  }
}
