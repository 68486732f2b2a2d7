/** The state file through electron-store: same file, schema and migrations as `conf` under plain Node. */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import ElectronStore from 'electron-store';
import { openGuarded, STORE_OPTIONS } from '../core/store/open-node-store.js';
import { ensurePrivateDir } from '../core/store/private-files.js';
import { STORE_NAME } from '../core/store/schema.js';
import type { ConfBackend, StateStore } from '../core/store/state-store.js';

export function openElectronStore(userData: string): StateStore {
  ensurePrivateDir(userData);
  // Earlier builds wrote config.json by mistake (see below): take it over once, so nothing is left behind.
  const legacy = join(userData, 'config.json');
  const current = join(userData, `${STORE_NAME}.json`);
  if (existsSync(legacy) && !existsSync(current) && /"tunnels"/.test(readFileSync(legacy, 'utf8')))
    renameSync(legacy, current);
  // electron-store takes the file's name as `name` and overwrites conf's `configName` with it (default
  // "config"): without `name`, the app would keep its own config.json beside the CLI's state.json.
  return openGuarded(
    join(userData, `${STORE_NAME}.json`),
    () =>
      new ElectronStore<Record<string, unknown>>({
        cwd: userData,
        ...STORE_OPTIONS,
        name: STORE_NAME,
      } as never) as unknown as ConfBackend,
  );
}
