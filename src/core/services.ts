/** The services behind the contract, host-independent: both the Electron host and any other transport
 * serve the UI through this one implementation. */
import type { CallName, CallTypes, ConfigCheckView, Result, TunnelView } from '../contract/api.js';
import { CALLS } from '../contract/api.js';
import type { TunnelRecord } from './store/schema.js';
import type { TunnelStore } from './tunnels/tunnel-store.js';
import { checkConfigText } from './wgconf/parser.js';

export function tunnelView(t: TunnelRecord): TunnelView {
  return {
    name: t.name,
    interface: t.interface,
    publicKey: t.publicKey,
    addresses: t.config.interface.addresses,
    endpoints: t.config.peers.flatMap((p) => (p.endpoint ? [p.endpoint] : [])),
    scriptCount: t.config.interface.scripts.length,
    allowScripts: t.allowScripts,
  };
}

export type Handlers = { [K in CallName]: (arg: CallTypes[K]['arg']) => Promise<CallTypes[K]['result']> };

export function createHandlers(tunnels: TunnelStore): Handlers {
  return {
    async listTunnels() {
      return tunnels.list().map(tunnelView);
    },
    async checkConfig({ text }): Promise<ConfigCheckView> {
      const r = checkConfigText(text);
      return { valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings, scripts: r.scripts };
    },
  };
}

/** Validates an untrusted argument, runs the call and turns any failure into data. */
export async function dispatch(handlers: Handlers, name: string, arg: unknown): Promise<Result<unknown>> {
  if (!Object.hasOwn(CALLS, name)) return { ok: false, error: `Unknown call ${name}` };
  const call = name as CallName;
  if (!CALLS[call].validate(arg)) return { ok: false, error: `Invalid argument for ${call}` };
  try {
    return { ok: true, value: await (handlers[call] as (a: unknown) => Promise<unknown>)(arg) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
