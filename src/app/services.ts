/**
 * The services behind the contract, independent of any host: the Electron host and the loopback web host
 * both serve the UI through `createHandlers` and `dispatch`. Private keys stay here: no handler returns one.
 */
import type {
  CallName,
  CallTypes,
  LogEntry,
  NetworkStatusView,
  Result,
  TunnelView,
  UiEvent,
} from '../contract/api.js';
import { CALLS, sizeRefusal } from '../contract/api.js';
import { UserError } from '../core/errors.js';
import { nodeEndpoints } from '../core/overlay/node-endpoints.js';
import type { NetworkService } from '../core/overlay/network-service.js';
import { networkView } from './network-view.js';
import { DEFAULT_RESERVATION_S } from '../core/overlay/reservation.js';
import type { TunnelRecord } from '../core/store/schema.js';
import type { TunnelService } from '../core/tunnels/tunnel-service.js';
import type { TunnelStatus } from '../core/tunnels/tunnel-status.js';
import type { TunnelStore } from '../core/tunnels/tunnel-store.js';
import { checkConfigText } from '../core/wgconf/parser.js';
import { configsFromZip } from '../core/wgconf/zip-configs.js';
import type { KeyAccess } from './key-access.js';
import { gridHandlers, type GridDevice } from './grid-device.js';

export function tunnelView(t: TunnelRecord, s?: TunnelStatus): TunnelView {
  const live = new Map((s?.peers ?? []).map((p) => [p.publicKey, p]));
  return {
    name: t.name,
    interface: t.interface,
    publicKey: t.publicKey,
    addresses: t.config.interface.addresses,
    endpoints: t.config.peers.flatMap((p) => (p.endpoint ? [p.endpoint] : [])),
    scripts: t.config.interface.scripts,
    allowScripts: t.allowScripts,
    source: t.source,
    state: s?.state ?? 'down',
    rxBytes: s?.rxBytes ?? null,
    txBytes: s?.txBytes ?? null,
    latestHandshake: s?.latestHandshake ?? null,
    endpoint: s?.endpoint ?? null,
    error: s?.error ?? null,
    detail: s?.detail ?? null,
    peers: t.config.peers.map((p) => {
      const l = live.get(p.publicKey);
      return {
        publicKey: p.publicKey,
        allowedIPs: p.allowedIPs,
        endpoint: l?.endpoint ?? p.endpoint ?? null,
        latestHandshake: l?.latestHandshake ?? null,
        rxBytes: l?.rxBytes ?? null,
        txBytes: l?.txBytes ?? null,
      };
    }),
  };
}

export type Handlers = { [K in CallName]: (arg: CallTypes[K]['arg']) => Promise<CallTypes[K]['result']> };

export interface ServiceDeps {
  keys: KeyAccess;
  tunnels: TunnelStore;
  tunnelService: TunnelService;
  networks: NetworkService;
  /** Writes the config somewhere the user chose (or the host's exports folder); null when cancelled. */
  exportConfig(name: string, text: string): Promise<{ path: string } | null>;
  /** Where tunnels come up (the web host's --netns). */
  netns?: string;
  /** Grid v3 on this device; without it the grid calls say it is not available here. */
  grid?: GridDevice;
  emit(event: UiEvent): void;
}

/** The session log keeps this many entries, newest last. */
const LOG_MAX = 200;

export function createHandlers(d: ServiceDeps): Handlers {
  const log: LogEntry[] = [];
  const record = (tunnel: string, event: LogEntry['event'], message = '') => {
    log.push({ at: Math.floor(Date.now() / 1000), tunnel, event, message });
    if (log.length > LOG_MAX) log.splice(0, log.length - LOG_MAX);
  };
  /** Runs a connect or disconnect and writes its outcome to the session log. */
  const logged = async <T>(tunnel: string, done: LogEntry['event'], op: () => Promise<T>): Promise<T> => {
    try {
      const r = await op();
      record(tunnel, done);
      return r;
    } catch (e) {
      record(tunnel, 'error', (e as Error).message);
      throw e;
    }
  };
  const statusOf = (name: string) => d.tunnelService.statuses().find((s) => s.name === name);
  const viewOf = (name: string) => tunnelView(d.tunnels.get(name), statusOf(name));
  const changed = (what: 'tunnels' | 'networks') => d.emit({ type: 'changed', what });
  return {
    async listTunnels() {
      await d.tunnelService.refresh();
      return d.tunnels.list().map((t) => tunnelView(t, statusOf(t.name)));
    },
    async connect({ name }) {
      await logged(name, 'connected', () => d.tunnelService.up(name, { netns: d.netns }));
      return viewOf(name);
    },
    async disconnect({ name }) {
      await logged(name, 'disconnected', () => d.tunnelService.down(name));
      return viewOf(name);
    },
    async renameTunnel({ name, newName }) {
      d.tunnels.get(name);
      if (await d.tunnelService.isActive(name)) throw new UserError(`"${name}" is up: disconnect it first`);
      await d.tunnels.rename(name, newName);
      changed('tunnels');
      return viewOf(newName);
    },
    async editableConfig({ name }) {
      return { text: d.tunnels.editableText(name) };
    },
    async checkEdit({ name, text }) {
      d.tunnels.get(name);
      const r = d.tunnels.checkEdit(text);
      return { valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings, scripts: r.scripts };
    },
    async saveConfig({ name, text }) {
      d.tunnels.get(name);
      // wg-quick down reads the config it was brought up with: an edit applies at the next connect.
      if (await d.tunnelService.isActive(name))
        throw new UserError(`"${name}" is up: disconnect it before saving changes`);
      const r = await d.tunnels.replaceConfig(name, text);
      await d.tunnelService.refresh();
      changed('tunnels');
      return { tunnel: viewOf(name), warnings: r.warnings, scriptsBlocked: r.scriptsBlocked };
    },
    async sessionLog() {
      return [...log];
    },
    async checkConfig({ text }) {
      const r = checkConfigText(text);
      return { valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings, scripts: r.scripts };
    },
    async importConfig({ name, text }) {
      const r = await d.tunnels.importText(text, { name, allowScripts: false });
      await d.tunnelService.refresh();
      changed('tunnels');
      return { tunnel: tunnelView(r.tunnel), warnings: r.warnings, scripts: r.scripts };
    },
    async importArchive({ zipBase64 }) {
      const configs = configsFromZip(Buffer.from(zipBase64, 'base64'));
      if (!configs.length) throw new UserError('The archive holds no .conf file');
      // One store write for the whole archive (each entry imported or refused on its own).
      const outcomes = await d.tunnels.importMany(
        configs.map((c) => ({ text: c.bytes, options: { name: c.name } })),
      );
      const results = configs.map((c, i) => {
        const o = outcomes[i]!;
        return o instanceof Error
          ? { name: c.name, ok: false, error: o.message }
          : { name: c.name, ok: true, error: null };
      });
      changed('tunnels');
      return results;
    },
    async removeTunnel({ name }) {
      d.tunnels.get(name);
      if (await d.tunnelService.isActive(name)) throw new UserError(`"${name}" is up: disconnect it first`);
      d.tunnels.remove(name);
      changed('tunnels');
      return null;
    },
    async exportConfig({ name }) {
      return d.exportConfig(name, await d.tunnels.exportText(name));
    },
    async listNetworks() {
      return d.networks.list().map((n) => ({
        name: n.name,
        ipRange: n.ipRange,
        nodes: n.nodes.length,
        accesses: n.accesses.length,
        reservation: n.reservation?.id ?? null,
      }));
    },
    async getNetwork({ name }) {
      return networkView(d.networks.get(name), { peers: false });
    },
    async networkStatus({ name }): Promise<NetworkStatusView> {
      const s = await d.networks.status(name);
      return {
        reservationId: s.reservationId,
        nextAction: s.nextAction,
        nextActionName: s.nextActionName,
        nodes: s.nodes,
      };
    },
    async searchNodes(filter) {
      const nodes = await d.networks.searchNodes(filter);
      return nodes.map((n) => ({
        node_id: n.node_id,
        farm_id: n.farm_id,
        updated: n.updated,
        endpoint_kind: n.endpoint_kind,
        ...nodeEndpoints(n),
      }));
    },
    async createNetwork({ name, subnet }) {
      const net = d.networks.create(name, subnet);
      changed('networks');
      return networkView(net, { peers: false });
    },
    async addNode({ network, nodeId, subnet }) {
      const net = await d.networks.addNode(network, nodeId, { subnet });
      changed('networks');
      return networkView(net, { peers: false });
    },
    async addAccess({ network, nodeId, family }) {
      const { network: net } = await d.networks.addAccess(network, nodeId, { family });
      changed('networks');
      changed('tunnels');
      return networkView(net, { peers: false });
    },
    async registerNetwork({ network, days }) {
      const net = await d.networks.register(network, days ? Math.round(days * 86400) : DEFAULT_RESERVATION_S);
      changed('networks');
      return networkView(net, { peers: false });
    },
    async keyStore() {
      return d.keys.view();
    },
    async unlockStore({ passphrase }) {
      const view = await d.keys.unlock(passphrase);
      changed('tunnels');
      return view;
    },
    async addPassphraseSlot({ passphrase }) {
      return d.keys.addPassphraseSlot(passphrase);
    },
    async removeKeySlot({ id }) {
      return d.keys.removeSlot(id);
    },
    async deleteNetwork({ name }) {
      await d.networks.delete(name, (t) => d.tunnelService.isActive(t));
      changed('networks');
      changed('tunnels');
      return null;
    },
    ...gridHandlers(d.grid, d.emit),
  };
}

/** Validates an untrusted call and argument, runs it, and turns any failure into data. */
export async function dispatch(handlers: Handlers, name: string, arg: unknown): Promise<Result<unknown>> {
  if (!Object.hasOwn(CALLS, name)) return { ok: false, error: `Unknown call ${name}` };
  const call = name as CallName;
  // Before the validator, which refuses the same argument in fewer words: the limit is said.
  const tooLarge = sizeRefusal(call, arg);
  if (tooLarge) return { ok: false, error: tooLarge };
  if (!CALLS[call](arg)) return { ok: false, error: `Invalid argument for ${call}` };
  try {
    return { ok: true, value: await (handlers[call] as (a: unknown) => Promise<unknown>)(arg) };
  } catch (e) {
    // UserErrors are written for people; anything else is summarised without internals.
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}
