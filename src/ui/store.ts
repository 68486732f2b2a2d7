/**
 * The window's state in one small observable object: views render from it and actions write to it, so
 * one change reaches every view that shows it, and no view reaches into another's DOM to keep them in step.
 */
import type { KeyStoreView, LogEntry, TunnelView } from '../contract/api.js';

export interface UiState {
  /** Every tunnel by name, as the services last reported it (a list or a live event). */
  tunnels: ReadonlyMap<string, TunnelView>;
  /** This session's connects, disconnects and errors, oldest first (as the services keep them). */
  log: readonly LogEntry[];
  /** The tunnel whose details and editor are open. */
  detailOf: string | undefined;
  /** The tunnel row with an in-page question open: its new name, or whether to remove it. */
  asking: { tunnel: string; kind: 'rename' | 'remove' } | undefined;
  /** The network open on the Networks tab. */
  currentNetwork: string | undefined;
  keys: KeyStoreView | undefined;
  /** The key slot whose removal is being asked about. */
  slotToRemove: string | undefined;
}

type Listener<S> = (state: S, previous: S) => void;

export interface Store<S> {
  get(): S;
  set(patch: Partial<S>): void;
  /** Calls `listener` after each `set` that changes one of `keys` (by identity), or any key if none given. */
  subscribe(listener: Listener<S>, keys?: (keyof S)[]): () => void;
}

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<{ listener: Listener<S>; keys: (keyof S)[] | undefined }>();
  return {
    get: () => state,
    set(patch) {
      const previous = state;
      state = { ...state, ...patch };
      for (const l of [...listeners])
        if (!l.keys || l.keys.some((k) => state[k] !== previous[k])) l.listener(state, previous);
    },
    subscribe(listener, keys) {
      const entry = { listener, keys };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
  };
}

export const store = createStore<UiState>({
  tunnels: new Map(),
  log: [],
  detailOf: undefined,
  asking: undefined,
  currentNetwork: undefined,
  keys: undefined,
  slotToRemove: undefined,
});
