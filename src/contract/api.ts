/**
 * The one contract between the UI and the services. Every transport (Electron IPC today, the loopback web
 * host later) implements exactly this; the renderer cannot tell which it has. Arguments are validated at
 * run time on the service side (the renderer is untrusted) and errors cross as data.
 */

export interface TunnelView {
  name: string;
  interface: string;
  publicKey: string;
  addresses: string[];
  endpoints: string[];
  scriptCount: number;
  allowScripts: boolean;
}

export interface ConfigCheckView {
  valid: boolean;
  errors: { line: number; message: string }[];
  warnings: { line: number; message: string }[];
  scripts: { line: number; key: string; command: string }[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Each call: a validator for its (untrusted) argument and the type of its answer. */
export const CALLS = {
  listTunnels: { validate: (arg: unknown): arg is undefined => arg === undefined },
  checkConfig: { validate: (arg: unknown): arg is { text: string } => isRecord(arg) && typeof arg.text === 'string' && arg.text.length <= 1 << 20 },
} as const;

export interface CallTypes {
  listTunnels: { arg: undefined; result: TunnelView[] };
  checkConfig: { arg: { text: string }; result: ConfigCheckView };
}

export type CallName = keyof CallTypes;

/** What the renderer holds: one async function per call, whatever carries it. */
export type OverlayApi = { [K in CallName]: (arg: CallTypes[K]['arg']) => Promise<Result<CallTypes[K]['result']>> };

/** The IPC channel of a call; one prefix so the host can refuse anything else. */
export const channelOf = (name: CallName) => `overlay:${name}`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
