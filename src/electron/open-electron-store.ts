/** The state file through electron-store: same file, schema and migrations as `conf` under plain Node. */
import { join } from 'node:path';
import ElectronStore from 'electron-store';
import { openGuarded, STORE_OPTIONS } from '../core/store/open-node-store.js';
import { ensurePrivateDir } from '../core/store/private-files.js';
import { STORE_NAME } from '../core/store/schema.js';
import type { ConfBackend, StateStore } from '../core/store/state-store.js';

export function openElectronStore(userData: string): StateStore {
  ensurePrivateDir(userData);
  // electron-store takes the file's name as `name` and overwrites conf's `configName` with it (default
  // "config"): without `name`, the app would keep its own config.json beside the CLI's state.json.
  return openGuarded(join(userData, `${STORE_NAME}.json`), () => new ElectronStore<Record<string, unknown>>({ cwd: userData, ...STORE_OPTIONS, name: STORE_NAME } as never) as unknown as ConfBackend);
}
