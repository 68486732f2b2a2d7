/**
 * What a UI host can do with Grid v3 on this device: the journeys of src/grid3/networks over the stored
 * login, with this device's keys sealed in the key store and each of its accesses a tunnel. The CLI and
 * the app share one implementation (src/grid3/device/); a host without it (or before `grid login`) says so.
 * Progress of long steps goes to `progress`, for the window's log.
 */
import type { CallTypes, GridAccountView, GridNetworkView, GridNodeView, UiEvent } from '../contract/api.js';
import { UserError } from '../core/errors.js';
import type { Handlers } from './services.js';

export type GridProgress = (e: Extract<UiEvent, { type: 'grid-progress' }>) => void;

export interface GridDevice {
  account(): Promise<GridAccountView | null>;
  networks(progress: GridProgress): Promise<{ networks: GridNetworkView[]; warnings: string[] }>;
  nodes(q: CallTypes['gridNodes']['arg']): Promise<GridNodeView[]>;
  connect(name: string, via: number | undefined, progress: GridProgress): Promise<{ tunnel: string }>;
  disconnect(name: string, progress: GridProgress): Promise<void>;
  importAccess(name: string, progress: GridProgress): Promise<{ tunnel: string; warnings: string[] }>;
  create(input: CallTypes['gridCreate']['arg'], progress: GridProgress): Promise<{ tunnel: string }>;
  delete(name: string, progress: GridProgress): Promise<void>;
}

type GridHandlers = Pick<
  Handlers,
  | 'gridAccount'
  | 'gridNetworks'
  | 'gridNodes'
  | 'gridConnect'
  | 'gridDisconnect'
  | 'gridImport'
  | 'gridCreate'
  | 'gridDelete'
>;

export function gridHandlers(device: GridDevice | undefined, emit: (e: UiEvent) => void): GridHandlers {
  const need = (): GridDevice => {
    if (!device)
      throw new UserError('Grid v3 is not available here: use overlay-connect grid … from the CLI');
    return device;
  };
  const progress: GridProgress = (e) => emit(e);
  // A journey changes the grid's networks and this device's tunnels: both lists are re-read.
  const changed = () => {
    emit({ type: 'changed', what: 'grid' });
    emit({ type: 'changed', what: 'tunnels' });
  };
  return {
    gridAccount: () => (device ? device.account() : Promise.resolve(null)),
    gridNetworks: () => need().networks(progress),
    gridNodes: (q) => need().nodes(q),
    async gridConnect({ name, via }) {
      const r = await need().connect(name, via, progress);
      changed();
      return r;
    },
    async gridDisconnect({ name }) {
      await need().disconnect(name, progress);
      changed();
      return null;
    },
    async gridImport({ name }) {
      const r = await need().importAccess(name, progress);
      changed();
      return r;
    },
    async gridCreate(input) {
      const r = await need().create(input, progress);
      changed();
      return r;
    },
    async gridDelete({ name }) {
      await need().delete(name, progress);
      changed();
      return null;
    },
  };
}
