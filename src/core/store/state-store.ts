/**
 * Reads and writes the state file as a whole: each `update` is one atomic write, so a tunnel and its sealed
 * key land together or not at all, and it happens under the store's lock, so that the app, the CLI and `ui`
 * writing at once each start from the other's result instead of overwriting it.
 */
import { withFileLock } from './file-lock.js';
import type { StoreData } from './schema.js';

/** The part of conf / electron-store this module uses (electron-store extends conf). */
export interface ConfBackend {
  readonly path: string;
  get store(): Record<string, unknown>;
  set store(value: Record<string, unknown>);
}

export class StateStore {
  constructor(private readonly backend: ConfBackend) {}

  get path(): string {
    return this.backend.path;
  }

  read(): StoreData {
    const s = this.backend.store as Partial<StoreData>;
    return {
      tunnels: s.tunnels ?? {},
      networks: s.networks ?? {},
      identity: s.identity,
      secrets: s.secrets ?? {},
      keyring: s.keyring,
      settings: s.settings ?? {},
    };
  }

  /** Applies `change` to a fresh copy of the file's content and writes it back in one atomic write, all
   * under the store's cross-process lock. */
  update<T>(change: (draft: StoreData) => T): T {
    return withFileLock(`${this.backend.path}.lock`, () => this.updateLocked(change));
  }

  private updateLocked<T>(change: (draft: StoreData) => T): T {
    const whole = structuredClone(this.backend.store);
    const draft = { ...this.read(), ...(whole as object) } as StoreData & Record<string, unknown>;
    draft.tunnels ??= {};
    draft.networks ??= {};
    draft.secrets ??= {};
    draft.settings ??= {};
    const result = change(draft);
    if (draft.keyring === undefined) delete draft.keyring;
    if (draft.identity === undefined) delete draft.identity;
    this.backend.store = draft;
    return result;
  }
}
