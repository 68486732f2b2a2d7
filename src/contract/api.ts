/**
 * The one contract between the UI and the services. Every transport (Electron IPC, the loopback web host)
 * implements exactly this; the renderer cannot tell which it has. Arguments are validated at run time on
 * the service side (the renderer is untrusted), errors cross as data, and no call ever answers with a
 * private key.
 */

import type { TunnelStatus } from '../core/tunnels/tunnel-status.js';
import { ARCHIVE_MAX_BASE64, ARCHIVE_TOO_LARGE, CONFIG_MAX_CHARS, CONFIG_TOO_LARGE } from './limits.js';

export type TunnelState = TunnelStatus['state'];

/** One peer of a tunnel: its config, and what `wg show` says of it while up (null where unknown). */
export interface TunnelPeerView {
  publicKey: string;
  allowedIPs: string[];
  /** The live endpoint while up (it roams), else the configured one. */
  endpoint: string | null;
  latestHandshake: number | null;
  rxBytes: number | null;
  txBytes: number | null;
}

/** A tunnel's public parts and its live state (the same fields the tunnel service derives). */
export interface TunnelView extends Omit<TunnelStatus, 'netns' | 'peers'> {
  peers: TunnelPeerView[];
  publicKey: string;
  addresses: string[];
  endpoints: string[];
  scripts: { key: string; command: string }[];
  allowScripts: boolean;
  source: 'import' | 'access';
}

export interface Issue {
  line: number;
  message: string;
}

export interface ConfigCheckView {
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
  scripts: { line: number; key: string; command: string }[];
}

export interface PeerView {
  public_key: string;
  allowed_iprange: string[];
  endpoint: string;
  iprange: string;
}

export interface NodeView {
  nodeId: string;
  subnet: string;
  gateway: string;
  wgAddress: string;
  port: number;
  endpointKind: 'public' | 'ipv6-only' | 'hidden';
  endpoints: { ipv4: string | null; ipv6: string | null };
  publicKey: string;
  /** Each peer with the explorer's field names (empty in the UI's view, where they would be megabytes). */
  peers: PeerView[];
  /** The node whose peer entry carries the subnets this node cannot reach directly. */
  relayVia: string | null;
}

export interface NetworkView {
  name: string;
  ipRange: string;
  explorer: string | null;
  reservation: { id: number; expiration: number } | null;
  changedSinceRegistration: boolean;
  problem: string | null;
  relay: string | null;
  /** Direct peerings as node-id pairs; listed for networks of up to 40 nodes (larger diagrams show relays). */
  links: [string, string][];
  nodes: NodeView[];
  accesses: {
    nodeId: string;
    subnet: string;
    wgAddress: string;
    family: 4 | 6;
    publicKey: string;
    tunnel: string;
  }[];
}

/** The key store: its slots (each opens the same data key) and what the host says of its keyring. */
export interface KeyStoreView {
  unlocked: boolean;
  slots: { id: string; kind: 'passphrase' | 'system'; label: string; createdAt: string }[];
  /** Why the system keyring is not used here, with what to install. */
  problem: string | null;
  /** Why the keyring in use is weak (Electron's basic_text, accepted with --allow-insecure-keyring). */
  warning: string | null;
  /** This window may take a passphrase (the app; `ui` unlocks in its terminal instead). */
  passphraseHere: boolean;
}

/** What happened to the tunnels since the app (or `ui`) started: connects, disconnects, errors. */
export interface LogEntry {
  at: number;
  tunnel: string;
  event: 'connected' | 'disconnected' | 'error';
  message: string;
}

export interface NetworkStatusView {
  reservationId: number;
  nextAction: number;
  nextActionName: string;
  nodes: { nodeId: string; state: 'ok' | 'error' | 'deleted' | 'pending'; message: string }[];
}

export interface FoundNodeView {
  node_id: string;
  farm_id: number;
  updated: number;
  endpoint_kind: 'public' | 'ipv6-only' | 'hidden';
  ipv4: string | null;
  ipv6: string | null;
}

/** The Grid v3 login of this device (`grid login`), or null. `gates` are what deploying still needs
 * (a twin, terms, funds, KYC), each a line saying where to fix it; reading needs none of them. */
export interface GridAccountView {
  network: string;
  address: string;
  twinId: number | null;
  gates: string[];
}

/** One of my Grid v3 networks: its node contracts and the accesses (mine on this device marked). */
export interface GridNetworkView {
  name: string;
  ipRange: string;
  nodes: { nodeId: number; subnet: string; contractId: number; endpoint: string | null; state: string }[];
  /** `importable`: its key is in the contract's user_accesses (the dashboard made it), for Import. */
  accesses: { nodeId: number; subnet: string; mine: boolean; tunnel: string | null; importable: boolean }[];
  warnings: string[];
}

export interface GridNodeView {
  nodeId: number;
  farmId: number;
  status: string;
  ipv4: string | null;
  ipv6: string | null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Pushed from the services to every UI. */
export type UiEvent =
  | { type: 'tunnel'; tunnel: TunnelView }
  | { type: 'changed'; what: 'tunnels' | 'networks' | 'grid' }
  /** A long Grid v3 step: which node, which contract. */
  | {
      type: 'grid-progress';
      step: string;
      nodeId: number | null;
      contractId: number | null;
      message: string;
    };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const optStr = (v: unknown, max = 256) => v === undefined || str(v, max);
const optBool = (v: unknown) => v === undefined || typeof v === 'boolean';
const exact = (v: Record<string, unknown>, keys: string[]) => Object.keys(v).every((k) => keys.includes(k));
const named = (arg: unknown): arg is { name: string } =>
  isRecord(arg) && exact(arg, ['name']) && str(arg.name, 128);
const nodeId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
/** A v3 network's name: the workload name zos accepts. */
const gridName = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_]{1,36}$/.test(v);
const gridNamed = (arg: unknown): arg is { name: string } =>
  isRecord(arg) && exact(arg, ['name']) && gridName(arg.name);

/** A tunnel name and a config text (at most CONFIG_MAX_CHARS, like an imported file). */
const namedText = (arg: unknown): arg is { name: string; text: string } =>
  isRecord(arg) &&
  exact(arg, ['name', 'text']) &&
  str(arg.name, 128) &&
  typeof arg.text === 'string' &&
  arg.text.length <= CONFIG_MAX_CHARS;

/** Every call: a validator for its untrusted argument. Unknown keys are refused too. */
export const CALLS = {
  listTunnels: (arg: unknown): arg is undefined => arg === undefined,
  connect: named,
  disconnect: named,
  checkConfig: (arg: unknown): arg is { text: string } =>
    isRecord(arg) &&
    exact(arg, ['text']) &&
    typeof arg.text === 'string' &&
    arg.text.length <= CONFIG_MAX_CHARS,
  // No allowScripts: scripts run as root, and the renderer (or anyone holding the web token) must not be
  // able to allow them. That is the CLI's `--allow-scripts`, and the helper's root-owned policy after it.
  importConfig: namedText,
  importArchive: (arg: unknown): arg is { zipBase64: string } =>
    isRecord(arg) &&
    exact(arg, ['zipBase64']) &&
    typeof arg.zipBase64 === 'string' &&
    arg.zipBase64.length <= ARCHIVE_MAX_BASE64,
  removeTunnel: named,
  editableConfig: named,
  checkEdit: namedText,
  saveConfig: namedText,
  renameTunnel: (arg: unknown): arg is { name: string; newName: string } =>
    isRecord(arg) && exact(arg, ['name', 'newName']) && str(arg.name, 128) && str(arg.newName, 128),
  sessionLog: (arg: unknown): arg is undefined => arg === undefined,
  exportConfig: named,
  listNetworks: (arg: unknown): arg is undefined => arg === undefined,
  getNetwork: named,
  networkStatus: named,
  searchNodes: (arg: unknown): arg is { farm?: number; ipv4?: boolean; ipv6?: boolean; up?: boolean } =>
    isRecord(arg) &&
    exact(arg, ['farm', 'ipv4', 'ipv6', 'up']) &&
    (arg.farm === undefined || (Number.isInteger(arg.farm) && (arg.farm as number) >= 0)) &&
    optBool(arg.ipv4) &&
    optBool(arg.ipv6) &&
    optBool(arg.up),
  createNetwork: (arg: unknown): arg is { name: string; subnet: string } =>
    isRecord(arg) && exact(arg, ['name', 'subnet']) && str(arg.name, 64) && str(arg.subnet, 64),
  addNode: (arg: unknown): arg is { network: string; nodeId: string; subnet?: string } =>
    isRecord(arg) &&
    exact(arg, ['network', 'nodeId', 'subnet']) &&
    str(arg.network, 64) &&
    str(arg.nodeId, 64) &&
    optStr(arg.subnet, 64),
  addAccess: (arg: unknown): arg is { network: string; nodeId: string; family?: 4 | 6 } =>
    isRecord(arg) &&
    exact(arg, ['network', 'nodeId', 'family']) &&
    str(arg.network, 64) &&
    str(arg.nodeId, 64) &&
    (arg.family === undefined || arg.family === 4 || arg.family === 6),
  registerNetwork: (arg: unknown): arg is { network: string; days?: number } =>
    isRecord(arg) &&
    exact(arg, ['network', 'days']) &&
    str(arg.network, 64) &&
    (arg.days === undefined || (typeof arg.days === 'number' && arg.days > 0 && arg.days <= 3650)),
  deleteNetwork: named,
  keyStore: (arg: unknown): arg is undefined => arg === undefined,
  unlockStore: (arg: unknown): arg is { passphrase: string } =>
    isRecord(arg) && exact(arg, ['passphrase']) && str(arg.passphrase, 1024),
  addPassphraseSlot: (arg: unknown): arg is { passphrase: string } =>
    isRecord(arg) && exact(arg, ['passphrase']) && str(arg.passphrase, 1024),
  removeKeySlot: (arg: unknown): arg is { id: string } =>
    isRecord(arg) && exact(arg, ['id']) && str(arg.id, 16),
  gridAccount: (arg: unknown): arg is undefined => arg === undefined,
  gridNetworks: (arg: unknown): arg is undefined => arg === undefined,
  gridNodes: (arg: unknown): arg is { farm?: number; ipv4?: boolean; ipv6?: boolean } =>
    isRecord(arg) &&
    exact(arg, ['farm', 'ipv4', 'ipv6']) &&
    (arg.farm === undefined || nodeId(arg.farm)) &&
    optBool(arg.ipv4) &&
    optBool(arg.ipv6),
  gridConnect: (arg: unknown): arg is { name: string; via?: number } =>
    isRecord(arg) &&
    exact(arg, ['name', 'via']) &&
    gridName(arg.name) &&
    (arg.via === undefined || nodeId(arg.via)),
  gridDisconnect: gridNamed,
  gridImport: gridNamed,
  gridCreate: (arg: unknown): arg is { name: string; ipRange: string; nodes: number[]; access: number } =>
    isRecord(arg) &&
    exact(arg, ['name', 'ipRange', 'nodes', 'access']) &&
    gridName(arg.name) &&
    str(arg.ipRange, 32) &&
    Array.isArray(arg.nodes) &&
    arg.nodes.length > 0 &&
    arg.nodes.length <= 250 &&
    arg.nodes.every(nodeId) &&
    nodeId(arg.access),
  gridDelete: gridNamed,
} as const;

/** The calls whose argument carries a large field: its limit, and the words a refusal says. */
const SIZED: Partial<Record<keyof typeof CALLS, { field: string; max: number; message: string }>> = {
  checkConfig: { field: 'text', max: CONFIG_MAX_CHARS, message: CONFIG_TOO_LARGE },
  importConfig: { field: 'text', max: CONFIG_MAX_CHARS, message: CONFIG_TOO_LARGE },
  checkEdit: { field: 'text', max: CONFIG_MAX_CHARS, message: CONFIG_TOO_LARGE },
  saveConfig: { field: 'text', max: CONFIG_MAX_CHARS, message: CONFIG_TOO_LARGE },
  importArchive: { field: 'zipBase64', max: ARCHIVE_MAX_BASE64, message: ARCHIVE_TOO_LARGE },
};

/** Why an argument is refused for its size, or undefined: what every transport answers (the services'
 * dispatch checks it first, for an argument received over IPC or read from an HTTP body alike). */
export function sizeRefusal(call: string, arg: unknown): string | undefined {
  const sized = Object.hasOwn(SIZED, call) ? SIZED[call as keyof typeof SIZED] : undefined;
  if (!sized || !isRecord(arg)) return undefined;
  const value = arg[sized.field];
  return typeof value === 'string' && value.length > sized.max ? sized.message : undefined;
}

/** What the web host answers for a body over HTTP_BODY_MAX, which it does not keep: the words dispatch
 * would say for that argument. Every argument the validators admit fits in HTTP_BODY_MAX, so such a body
 * holds either an oversized field (its refusal) or an invalid argument. */
export function bodyTooLargeRefusal(call: string): string {
  if (!Object.hasOwn(CALLS, call)) return `Unknown call ${call}`;
  return SIZED[call as keyof typeof SIZED]?.message ?? `Invalid argument for ${call}`;
}

export interface CallTypes {
  listTunnels: { arg: undefined; result: TunnelView[] };
  connect: { arg: { name: string }; result: TunnelView };
  disconnect: { arg: { name: string }; result: TunnelView };
  checkConfig: { arg: { text: string }; result: ConfigCheckView };
  importConfig: {
    arg: { name: string; text: string };
    result: { tunnel: TunnelView; warnings: Issue[]; scripts: ConfigCheckView['scripts'] };
  };
  /** A .zip of .conf files (as the WireGuard clients export them): each imported or refused on its own. */
  importArchive: {
    arg: { zipBase64: string };
    result: { name: string; ok: boolean; error: string | null }[];
  };
  removeTunnel: { arg: { name: string }; result: null };
  /** The config for the editor: no PrivateKey, no PresharedKey (they stay sealed and are kept). */
  editableConfig: { arg: { name: string }; result: { text: string } };
  /** Checks an edit line by line; a missing PrivateKey is fine (the sealed one is kept). */
  checkEdit: { arg: { name: string; text: string }; result: ConfigCheckView };
  /** Saves an edit (refused while the tunnel is up). Scripts changed by it are blocked until allowed again
   * from the CLI. */
  saveConfig: {
    arg: { name: string; text: string };
    result: { tunnel: TunnelView; warnings: Issue[]; scriptsBlocked: boolean };
  };
  renameTunnel: { arg: { name: string; newName: string }; result: TunnelView };
  sessionLog: { arg: undefined; result: LogEntry[] };
  /** The host writes the file (a save dialog, or its exports folder): the key never reaches the UI. */
  exportConfig: { arg: { name: string }; result: { path: string } | null };
  listNetworks: {
    arg: undefined;
    result: { name: string; ipRange: string; nodes: number; accesses: number; reservation: number | null }[];
  };
  getNetwork: { arg: { name: string }; result: NetworkView };
  networkStatus: { arg: { name: string }; result: NetworkStatusView };
  searchNodes: {
    arg: { farm?: number; ipv4?: boolean; ipv6?: boolean; up?: boolean };
    result: FoundNodeView[];
  };
  createNetwork: { arg: { name: string; subnet: string }; result: NetworkView };
  addNode: { arg: { network: string; nodeId: string; subnet?: string }; result: NetworkView };
  addAccess: { arg: { network: string; nodeId: string; family?: 4 | 6 }; result: NetworkView };
  registerNetwork: { arg: { network: string; days?: number }; result: NetworkView };
  deleteNetwork: { arg: { name: string }; result: null };
  keyStore: { arg: undefined; result: KeyStoreView };
  /** Unlocks with a passphrase (a new store is created with it); the app then adds its system slot. */
  unlockStore: { arg: { passphrase: string }; result: KeyStoreView };
  /** A passphrase slot, so that the CLI can open a store the app made. */
  addPassphraseSlot: { arg: { passphrase: string }; result: KeyStoreView };
  removeKeySlot: { arg: { id: string }; result: KeyStoreView };
  gridAccount: { arg: undefined; result: GridAccountView | null };
  gridNetworks: { arg: undefined; result: { networks: GridNetworkView[]; warnings: string[] } };
  gridNodes: { arg: { farm?: number; ipv4?: boolean; ipv6?: boolean }; result: GridNodeView[] };
  /** Adds this device's access (its key made and sealed here) and imports it as a tunnel. */
  gridConnect: { arg: { name: string; via?: number }; result: { tunnel: string } };
  /** Removes this device's access from the network, and its tunnel. */
  gridDisconnect: { arg: { name: string }; result: null };
  /** An access the dashboard made (its key in user_accesses), as a tunnel. */
  gridImport: { arg: { name: string }; result: { tunnel: string; warnings: string[] } };
  gridCreate: {
    arg: { name: string; ipRange: string; nodes: number[]; access: number };
    result: { tunnel: string };
  };
  gridDelete: { arg: { name: string }; result: null };
}

export type CallName = keyof CallTypes;

/** What the renderer holds: one async function per call, plus the event stream, whatever carries them. */
export type OverlayApi = {
  [K in CallName]: (arg: CallTypes[K]['arg']) => Promise<Result<CallTypes[K]['result']>>;
} & {
  onEvent(listener: (event: UiEvent) => void): () => void;
};

export const CALL_NAMES = Object.keys(CALLS) as CallName[];

/** The IPC channel of a call; one prefix so the host can refuse anything else. */
export const channelOf = (name: CallName) => `overlay:${name}`;
export const EVENT_CHANNEL = 'overlay:event';
