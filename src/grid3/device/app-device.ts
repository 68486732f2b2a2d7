/**
 * The device service as the UI hosts' GridDevice (src/app/grid-device.ts): its answers cut down to the
 * contract's views, its progress as the window's grid-progress events. Whatever the service answers that
 * the window does not show stays here (the views carry no key, private or public).
 */
import type { GridAccountView, GridNetworkView } from '../../contract/api.js';
import type { GridDevice, GridProgress } from '../../app/grid-device.js';
import type { DeviceProgress } from './deps.js';
import type { GridDeviceService } from './service.js';

const toEvents =
  (progress: GridProgress): DeviceProgress =>
  (e) =>
    progress({
      type: 'grid-progress',
      step: e.step,
      nodeId: e.nodeId ?? null,
      contractId: e.contractId ?? null,
      message: e.message,
    });

export function appGridDevice(service: GridDeviceService): GridDevice {
  return {
    async account(): Promise<GridAccountView | null> {
      const id = await service.records.identity();
      if (!id) return null;
      // The login stands without the chain: a grid that does not answer is one more line to fix.
      const facts = await service.account().then(
        (a) => a?.facts,
        (e: Error) => ({ twinId: id.twinId ?? null, gates: [{ message: e.message }] }),
      );
      return {
        network: id.network,
        address: id.address,
        twinId: facts?.twinId ?? id.twinId ?? null,
        gates: (facts?.gates ?? []).map((g) => g.message),
      };
    },
    async networks(progress) {
      const r = await service.networks(toEvents(progress));
      const networks: GridNetworkView[] = r.networks.map((n) => ({
        name: n.name,
        ipRange: n.ipRange,
        nodes: n.nodes.map((x) => ({
          nodeId: x.nodeId,
          subnet: x.subnet,
          contractId: x.contractId,
          endpoint: x.endpoint,
          state: x.message ? `${x.state}: ${x.message}` : x.state,
        })),
        accesses: n.accesses.map((a) => ({
          nodeId: a.nodeId,
          subnet: a.subnet,
          mine: a.mine,
          tunnel: a.tunnel,
          importable: a.importable,
        })),
        warnings: n.warnings,
      }));
      return { networks, warnings: r.warnings };
    },
    async nodes(q) {
      const r = await service.nodes(q);
      return r.nodes.map((n) => ({
        nodeId: n.nodeId,
        farmId: n.farmId,
        status: n.status,
        ipv4: n.ipv4,
        ipv6: n.ipv6,
      }));
    },
    async connect(name, via, progress) {
      const r = await service.connect(name, { ...(via !== undefined ? { via } : {}) }, toEvents(progress));
      return { tunnel: r.tunnel };
    },
    async disconnect(name, progress) {
      await service.disconnect(name, toEvents(progress));
    },
    async importAccess(name, progress) {
      const r = await service.importAccess(name, undefined, toEvents(progress));
      return { tunnel: r.tunnel, warnings: r.warnings };
    },
    async create(input, progress) {
      const r = await service.create(
        { name: input.name, ipRange: input.ipRange, nodeIds: input.nodes, accessNodeId: input.access },
        toEvents(progress),
      );
      return { tunnel: r.tunnel };
    },
    async delete(name, progress) {
      await service.delete(name, toEvents(progress));
    },
  };
}
