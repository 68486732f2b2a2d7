/** Wires the domain services for a UI host; the host brings its store, key cipher, runner and file export. */
import { join } from 'node:path';
import type { UiEvent } from '../contract/api.js';
import { DEFAULT_EXPLORER, NetworkService } from '../core/overlay/network-service.js';
import { Keyring, type CipherProvider } from '../core/store/keyring.js';
import type { StateStore } from '../core/store/state-store.js';
import { adapterFor } from '../core/tunnels/platform-adapters.js';
import type { CommandRunner } from '../core/tunnels/runner.js';
import { findTools } from '../core/tunnels/tool-paths.js';
import { TunnelService } from '../core/tunnels/tunnel-service.js';
import { TunnelStore } from '../core/tunnels/tunnel-store.js';
import { createHandlers, tunnelView, type Handlers, type ServiceDeps } from './services.js';

export interface ComposeOptions {
  store: StateStore;
  cipher: CipherProvider;
  dataDir: string;
  runner: CommandRunner;
  queryRunner?: CommandRunner;
  explorer?: string;
  netns?: string;
  exportConfig: ServiceDeps['exportConfig'];
}

export interface App {
  handlers: Handlers;
  tunnels: TunnelStore;
  tunnelService: TunnelService;
  networks: NetworkService;
  /** Opens the key store up front (a passphrase prompt belongs in the terminal, not mid-request). */
  unlock(): Promise<void>;
  onEvent(listener: (e: UiEvent) => void): () => void;
}

export function composeApp(o: ComposeOptions): App {
  const keyring = new Keyring(o.store, o.cipher);
  const tunnels = new TunnelStore(o.store, keyring);
  const tools = findTools();
  const tunnelService = new TunnelService({ tunnels, runDir: join(o.dataDir, 'run'), tools, adapter: adapterFor(process.platform, tools), runner: o.runner, queryRunner: o.queryRunner });
  const networks = new NetworkService(o.store, keyring, tunnels, o.explorer ?? o.store.read().settings.explorer ?? DEFAULT_EXPLORER);
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
  const handlers = createHandlers({ tunnels, tunnelService, networks, netns: o.netns, exportConfig: o.exportConfig, emit });
  return {
    handlers,
    tunnels,
    tunnelService,
    networks,
    async unlock() {
      await keyring.unlock();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
