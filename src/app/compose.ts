/** Wires the domain services for a UI host; the host brings its store, key cipher, runner and file export. */
import type { UiEvent } from '../contract/api.js';
import { DEFAULT_EXPLORER, NetworkService } from '../core/overlay/network-service.js';
import { Keyring } from '../core/store/keyring.js';
import { passphraseSlot, type PassphraseSlotOptions } from '../core/store/passphrase-slot.js';
import type { SlotMethod } from '../core/store/slot-method.js';
import { KeyAccess, WindowPassphrase, type SystemKeyringNotice } from './key-access.js';
import type { StateStore } from '../core/store/state-store.js';
import type { TunnelDriver } from '../core/tunnels/tunnel-driver.js';
import { TunnelService } from '../core/tunnels/tunnel-service.js';
import { TunnelStore } from '../core/tunnels/tunnel-store.js';
import { createHandlers, tunnelView, type Handlers, type ServiceDeps } from './services.js';
import { appGridDevice } from '../grid3/device/app-device.js';
import { GridDeviceService } from '../grid3/device/service.js';

export interface ComposeOptions {
  store: StateStore;
  /** How this host unlocks the key store, in order (the app: its system keyring; `ui`: the terminal's
   * passphrase). */
  slots: SlotMethod[];
  /** The host's system-keyring method, to add its slot after a passphrase unlock (the app). */
  system?: SlotMethod;
  notice?: SystemKeyringNotice;
  /** The window may take a passphrase (the app), with these scrypt options (tests make them cheap). */
  passphraseInWindow?: PassphraseSlotOptions | true;
  /** Brings tunnels up: the helper, wg-quick as root, or wg-quick elevated (see chooseDriver). */
  driver: TunnelDriver;
  explorer?: string;
  netns?: string;
  exportConfig: ServiceDeps['exportConfig'];
  /** What the Grid v3 actions read (OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface App {
  handlers: Handlers;
  tunnels: TunnelStore;
  tunnelService: TunnelService;
  networks: NetworkService;
  /** This device's Grid v3 actions over the same store, key store and tunnels (`grid login` in the CLI). */
  grid: GridDeviceService;
  /** Opens the key store up front (a passphrase prompt belongs in the terminal, not mid-request). */
  unlock(): Promise<void>;
  onEvent(listener: (e: UiEvent) => void): () => void;
}

export function composeApp(o: ComposeOptions): App {
  const passphraseOptions = o.passphraseInWindow === true ? {} : o.passphraseInWindow;
  const window = passphraseOptions ? new WindowPassphrase() : undefined;
  const methods = window ? [...o.slots, passphraseSlot(window.source, passphraseOptions)] : o.slots;
  const keyring = new Keyring(o.store, methods, { minN: passphraseOptions?.minN });
  const keys = new KeyAccess(keyring, { system: o.system, notice: o.notice, window, passphraseOptions });
  const tunnels = new TunnelStore(o.store, keyring);
  const tunnelService = new TunnelService({ tunnels, driver: o.driver });
  const networks = new NetworkService(
    o.store,
    keyring,
    tunnels,
    o.explorer ?? o.store.read().settings.explorer ?? DEFAULT_EXPLORER,
  );
  // Light until a grid action runs: the service imports the chain, RMB and @polkadot then.
  const grid = new GridDeviceService({
    store: async () => o.store,
    keyring: async () => keyring,
    tunnels: async () => tunnels,
    isActive: (name) => tunnelService.isActive(name),
    env: o.env ?? process.env,
  });
  const listeners = new Set<(e: UiEvent) => void>();
  const emit = (e: UiEvent) => {
    for (const l of listeners) l(e);
  };
  tunnelService.onChange((s) => {
    try {
      emit({ type: 'tunnel', tunnel: tunnelView(tunnels.get(s.name), s) });
    } catch {
      /* removed meanwhile */
    }
  });
  const handlers = createHandlers({
    keys,
    tunnels,
    tunnelService,
    networks,
    netns: o.netns,
    exportConfig: o.exportConfig,
    grid: appGridDevice(grid),
    emit,
  });
  return {
    handlers,
    tunnels,
    tunnelService,
    networks,
    grid,
    async unlock() {
      await keyring.unlock();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
