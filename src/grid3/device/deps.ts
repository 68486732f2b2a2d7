/**
 * What the Grid v3 device service is given by its host: the store, key store and tunnels (opened when
 * first asked for, so that the CLI's light commands open nothing they do not use), whether a tunnel is
 * up, and the environment. Nothing here knows about the CLI, Electron or the web host.
 */
import type { Keyring } from '../../core/store/keyring.js';
import type { StateStore } from '../../core/store/state-store.js';
import type { TunnelStore } from '../../core/tunnels/tunnel-store.js';

export interface GridDeviceDeps {
  store(): Promise<StateStore>;
  keyring(): Promise<Keyring>;
  tunnels(): Promise<TunnelStore>;
  /** Whether this tunnel is up: asked only for this device's tunnels of a network being changed. */
  isActive(tunnel: string): Promise<boolean>;
  /** OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS shortens the wait for nodes (tests, slow devnets). */
  env: NodeJS.ProcessEnv;
}

/** A long step of a journey (the journeys' ProgressEvent fits), or a note of the device's own. */
export interface DeviceProgressEvent {
  step: string;
  nodeId?: number;
  contractId?: number;
  message: string;
}

export type DeviceProgress = (e: DeviceProgressEvent) => void;
