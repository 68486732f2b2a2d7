/** Opens the state file under plain Node with `conf`, electron-store's base library. */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { withFileLock } from './file-lock.js';
import Conf from 'conf';
import { UserError } from '../errors.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, writePrivateFile } from './private-files.js';
import { STORE_MIGRATIONS, STORE_NAME, STORE_SCHEMA, STORE_VERSION } from './schema.js';
import { StateStore, type ConfBackend } from './state-store.js';

/** Shared by both hosts so that the file, schema and migrations are the same whichever opened it. */
export const STORE_OPTIONS = {
  configName: STORE_NAME,
  projectVersion: STORE_VERSION,
  schema: STORE_SCHEMA,
  migrations: STORE_MIGRATIONS,
  configFileMode: PRIVATE_FILE_MODE,
  // Never replace an unreadable file with an empty one: the user's keys are in it.
  clearInvalidConfig: false,
  watch: false,
} as const;

export class StoreDamagedError extends UserError {
  constructor(
    readonly storePath: string,
    readonly backupPath: string,
    cause: string,
  ) {
    super(
      `The store ${storePath} cannot be read (${cause}). It was not changed; a copy is at ${backupPath}. Restore or move it away, then try again.`,
    );
    this.name = 'StoreDamagedError';
  }
}

/** Wraps the opening of a store: a damaged file is backed up and reported, never wiped. The bytes are read
 * first because conf may already have rewritten the file (migrations) before its validator objects. */
export function openGuarded(path: string, open: () => ConfBackend): StateStore {
  // Under the store's lock: conf may migrate (write) the file while opening, and no other process is
  // mid-write, so temp files left by a writer that was killed (`<file>.tmp-…`) can go.
  return withFileLock(`${path}.lock`, () => {
    removeLeftoverTemps(path);
    return openUnlocked(path, open);
  });
}

function removeLeftoverTemps(path: string): void {
  const prefix = `${basename(path)}.tmp-`;
  for (const f of readdirSync(dirname(path)))
    if (f.startsWith(prefix)) rmSync(join(dirname(path), f), { force: true });
}

function openUnlocked(path: string, open: () => ConfBackend): StateStore {
  const before = existsSync(path) ? readFileSync(path) : undefined;
  try {
    return new StateStore(open());
  } catch (e) {
    if (!before) throw e;
    const backup = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    writePrivateFile(backup, before);
    if (!existsSync(path) || !readFileSync(path).equals(before)) writePrivateFile(path, before);
    const cause = (e as Error).message.split('\n')[0]!.slice(0, 200);
    throw new StoreDamagedError(path, backup, cause);
  }
}

export function openNodeStore(dataDir: string): StateStore {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, `${STORE_NAME}.json`);
  // conf's types want a generic record; our schema is checked at run time by conf's validator.
  return openGuarded(
    path,
    () =>
      new Conf<Record<string, unknown>>({
        cwd: dataDir,
        ...STORE_OPTIONS,
      } as never) as unknown as ConfBackend,
  );
}
