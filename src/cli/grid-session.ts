/**
 * The grid commands' way to this device's Grid v3 actions: the device service (src/grid3/device) over
 * the CLI's store, key store and tunnels, each opened when an action first needs it. Light: the service
 * loads the grid libraries (@polkadot, the chain and RMB clients) only when an action runs.
 */
import type { DeviceProgress } from '../grid3/device/deps.js';
import { GridDeviceService } from '../grid3/device/service.js';
import type { CliContext } from './context.js';

export function gridService(ctx: CliContext): GridDeviceService {
  return new GridDeviceService({
    store: () => ctx.store(),
    keyring: () => ctx.keyring(),
    tunnels: () => ctx.tunnels(),
    // The driver is chosen only when one of this device's tunnels of the network has to be asked about.
    isActive: async (name) => (await ctx.tunnelService()).isActive(name),
    env: ctx.io.env,
  });
}

/** Prints the journeys' progress on stderr (stdout stays the command's result, JSON or text). */
export function progressPrinter(ctx: CliContext): DeviceProgress {
  return (e) => ctx.warn(`… ${e.message}`);
}
