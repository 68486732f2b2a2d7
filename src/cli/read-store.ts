/**
 * Reads the state file for a command that only reads it (`tunnel list`), without conf. Opening the store
 * through conf costs more than the rest of such a command: conf loads ajv and compiles the store's schema
 * on every start. Here the same schema is checked by the validator ajv compiled at build time.
 *
 * The file is read here only when conf would open it as it is: at the current version (no migration to
 * run), with every key that has a default (conf would write them in), no temp files left by a killed
 * writer (opening removes them), and valid against the schema. Anything else returns undefined, and the
 * caller opens the store as usual, which migrates, cleans up, or reports the damage as it always has.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../core/store/private-files.js';
import { STORE_NAME, STORE_SCHEMA, STORE_VERSION, type TunnelRecord } from '../core/store/schema.js';
import { storeValidator } from './store-validator.js';

/** The keys conf fills in from the schema's defaults when the file lacks them. */
const DEFAULTED_KEYS = Object.entries(STORE_SCHEMA)
  .filter(([, s]) => 'default' in s)
  .map(([k]) => k);

/**
 * The tunnels as `StateStore.read()` gives them, or undefined: then open the store. No lock is taken:
 * reading never needs it (conf reads outside it too; writes replace the file by rename), and opening
 * takes it only to migrate and to clean up, neither of which happens here. So neither the lock's native
 * module nor the store module that takes it is loaded.
 */
export function readTunnelsAsIs(dataDir: string): Record<string, TunnelRecord> | undefined {
  const validate = storeValidator();
  if (!validate) return undefined;
  // As openNodeStore does first, so that this path leaves the folder as that one would.
  ensurePrivateDir(dataDir);
  const path = join(dataDir, `${STORE_NAME}.json`);
  // Opening makes the lock file; and a temp file is a write under way or a killed writer's leftover,
  // which opening waits for or removes.
  if (!existsSync(`${path}.lock`)) return undefined;
  const prefix = `${STORE_NAME}.json.tmp-`;
  if (readdirSync(dataDir).some((f) => f.startsWith(prefix))) return undefined;
  let data: unknown;
  try {
    // What conf's `store` getter does: read as UTF-8, JSON.parse, validate (filling in defaults).
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // missing (opening creates it) or unreadable (opening reports it)
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const record = data as Record<string, unknown>;
  const internal = record.__internal__ as { migrations?: { version?: unknown } } | undefined;
  if (internal?.migrations?.version !== STORE_VERSION) return undefined;
  if (!DEFAULTED_KEYS.every((k) => Object.hasOwn(record, k))) return undefined;
  if (!validate(record)) return undefined;
  return record.tunnels as Record<string, TunnelRecord>;
}
