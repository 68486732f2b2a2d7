/**
 * The shapes gridproxy answers with (tfgrid-sdk-go `grid-proxy/pkg/types`), with its own JSON field names,
 * and the checks that turn an untrusted reply element into one of them. Kept apart from the HTTP client so
 * that the devnet stand-in and the client agree on one definition of each record.
 *
 * Only the fields a network client relies on are checked and kept; gridproxy sends many more (resources,
 * location, dmi, speed…), which are dropped rather than trusted.
 */

/** gridproxy's node status (`pkg/nodestatus`): up = reported in the last 80 minutes, standby = powered off
 * by the farmerbot and reported in the last 24 hours, down otherwise. */
export const NODE_STATUSES = ['up', 'down', 'standby'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export const CONTRACT_TYPES = ['node', 'name', 'rent'] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

export const CONTRACT_STATES = ['Created', 'GracePeriod', 'Deleted'] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];

/** The features gridproxy accepts in `features=` (`pkg/types/validators.go FeaturesSet`); any other is a 400. */
export const NODE_FEATURES = [
  'zmount',
  'zdb',
  'volume',
  'ipv4',
  'ip',
  'gateway-name-proxy',
  'gateway-fqdn-proxy',
  'qsfs',
  'zlogs',
  'network',
  'zmachine',
  'zmachine-light',
  'network-light',
  'wireguard',
  'yggdrasil',
  'mycelium',
] as const;

export interface PublicConfig {
  /** "a.b.c.d/nn" or "" (gridproxy sends empty strings, not null, for a node without a public config). */
  ipv4: string;
  ipv6: string;
  gw4: string;
  gw6: string;
  domain: string;
}

export interface GridNode {
  nodeId: number;
  farmId: number;
  /** The node's twin: the RMB destination for zos calls. */
  twinId: number;
  status: NodeStatus;
  healthy: boolean;
  publicConfig: PublicConfig;
  features: string[];
  /** Unix seconds of the node's last report (what `status` is derived from); 0 when absent. */
  updatedAt: number;
  /** 0 when the node is not rented. */
  rentedByTwinId: number;
  farmName: string;
}

export interface PublicIp {
  id: string;
  ip: string;
  gateway: string;
  contract_id: number;
}

export interface GridFarm {
  farmId: number;
  name: string;
  twinId: number;
  dedicated: boolean;
  certificationType: string;
  publicIps: PublicIp[];
}

export interface NodeContractDetails {
  nodeId: number;
  deployment_data: string;
  deployment_hash: string;
  number_of_public_ips: number;
  farm_id: number;
  farm_name: string;
}

export interface RentContractDetails {
  nodeId: number;
  farm_id: number;
  farm_name: string;
}

export interface NameContractDetails {
  name: string;
}

export type GridContract =
  | (ContractBase & { type: 'node'; details: NodeContractDetails })
  | (ContractBase & { type: 'rent'; details: RentContractDetails })
  | (ContractBase & { type: 'name'; details: NameContractDetails });

interface ContractBase {
  contract_id: number;
  twin_id: number;
  state: ContractState;
  created_at: number;
}

export interface GridTwin {
  twinId: number;
  /** SS58 address of the twin's chain account. */
  accountId: string;
  relay: string;
  /** Hex of the compressed secp256k1 key RMB encrypts to ("" when the twin never set one). */
  publicKey: string;
}

// ---------------------------------------------------------------------------------------------------------
// Checking untrusted elements. Each parser returns the record or a one-line reason; the caller skips the
// element and keeps the reason as a warning, so one bad element never hides the good ones.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Strings longer than this are refused: no field gridproxy sends is near it, a hostile reply may be. */
const MAX_STRING = 8192;
/** A node has ~16 features; a list far longer than that is not a node's. */
const MAX_LIST = 256;

class Bad extends Error {}

function rec(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function id(o: Record<string, unknown>, key: string, min = 1): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > 0xffff_ffff_ffff) {
    throw new Bad(`${key} is not ${min === 0 ? 'a non-negative' : 'a positive'} integer (${describe(v)})`);
  }
  return v;
}

/** An optional count: absent or null is 0 (Go omits nothing, but older gridproxies lack some fields). */
function optNat(o: Record<string, unknown>, key: string): number {
  return o[key] === undefined || o[key] === null ? 0 : id(o, key, 0);
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Bad(`${key} is not a string (${describe(v)})`);
  if (v.length > MAX_STRING) throw new Bad(`${key} is longer than ${MAX_STRING} characters`);
  return v;
}

function optStr(o: Record<string, unknown>, key: string): string {
  return o[key] === undefined || o[key] === null ? '' : str(o, key);
}

function bool(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new Bad(`${key} is not a boolean (${describe(v)})`);
  return v;
}

function optBool(o: Record<string, unknown>, key: string): boolean {
  return o[key] === undefined || o[key] === null ? false : bool(o, key);
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, values: readonly T[]): T {
  const v = str(o, key);
  if (!(values as readonly string[]).includes(v))
    throw new Bad(`${key} is not one of ${values.join('/')} (${describe(v)})`);
  return v as T;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function parse<T>(f: () => T): Parsed<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, reason: e.message };
    throw e;
  }
}

function publicConfig(v: unknown): PublicConfig {
  // A node that never set a public config comes back with every field "" (Go zero values); tolerate null.
  if (v === undefined || v === null) return { ipv4: '', ipv6: '', gw4: '', gw6: '', domain: '' };
  const o = rec(v, 'publicConfig');
  const pc = {
    ipv4: optStr(o, 'ipv4'),
    ipv6: optStr(o, 'ipv6'),
    gw4: optStr(o, 'gw4'),
    gw6: optStr(o, 'gw6'),
    domain: optStr(o, 'domain'),
  };
  // The address is what a laptop puts in its WireGuard Endpoint: refuse anything that is not an address.
  if (pc.ipv4 && !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(pc.ipv4)) {
    throw new Bad(`publicConfig.ipv4 is not an IPv4 address (${describe(pc.ipv4)})`);
  }
  if (pc.ipv6 && !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(pc.ipv6)) {
    throw new Bad(`publicConfig.ipv6 is not an IPv6 address (${describe(pc.ipv6)})`);
  }
  return pc;
}

function stringList(o: Record<string, unknown>, key: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Bad(`${key} is not a list (${describe(v)})`);
  if (v.length > MAX_LIST) throw new Bad(`${key} has more than ${MAX_LIST} entries`);
  return v.map((x, i) => {
    if (typeof x !== 'string' || x.length > 64) throw new Bad(`${key}[${i}] is not a short string`);
    return x;
  });
}

export function parseNode(v: unknown): Parsed<GridNode> {
  return parse(() => {
    const o = rec(v, 'node');
    return {
      nodeId: id(o, 'nodeId'),
      farmId: id(o, 'farmId'),
      twinId: id(o, 'twinId'),
      status: oneOf(o, 'status', NODE_STATUSES),
      healthy: bool(o, 'healthy'),
      publicConfig: publicConfig(o.publicConfig),
      features: stringList(o, 'features'),
      updatedAt: optNat(o, 'updatedAt'),
      rentedByTwinId: optNat(o, 'rentedByTwinId'),
      farmName: optStr(o, 'farmName'),
    };
  });
}

export function parseFarm(v: unknown): Parsed<GridFarm> {
  return parse(() => {
    const o = rec(v, 'farm');
    const ips = o.publicIps ?? [];
    if (!Array.isArray(ips)) throw new Bad(`publicIps is not a list (${describe(ips)})`);
    if (ips.length > 4096) throw new Bad('publicIps has more than 4096 entries');
    return {
      farmId: id(o, 'farmId'),
      name: str(o, 'name'),
      twinId: id(o, 'twinId'),
      dedicated: optBool(o, 'dedicated'),
      certificationType: optStr(o, 'certificationType'),
      publicIps: ips.map((ip, i) => {
        const p = rec(ip, `publicIps[${i}]`);
        return {
          id: optStr(p, 'id'),
          ip: str(p, 'ip'),
          gateway: optStr(p, 'gateway'),
          contract_id: optNat(p, 'contract_id'),
        };
      }),
    };
  });
}

export function parseContract(v: unknown): Parsed<GridContract> {
  return parse((): GridContract => {
    const o = rec(v, 'contract');
    const base = {
      contract_id: id(o, 'contract_id'),
      twin_id: id(o, 'twin_id'),
      state: oneOf(o, 'state', CONTRACT_STATES),
      created_at: optNat(o, 'created_at'),
    };
    const type = oneOf(o, 'type', CONTRACT_TYPES);
    const d = rec(o.details, 'details');
    switch (type) {
      case 'node':
        return {
          ...base,
          type,
          details: {
            nodeId: id(d, 'nodeId'),
            deployment_data: str(d, 'deployment_data'),
            deployment_hash: str(d, 'deployment_hash'),
            number_of_public_ips: optNat(d, 'number_of_public_ips'),
            farm_id: optNat(d, 'farm_id'),
            farm_name: optStr(d, 'farm_name'),
          },
        };
      case 'rent':
        return {
          ...base,
          type,
          details: {
            nodeId: id(d, 'nodeId'),
            farm_id: optNat(d, 'farm_id'),
            farm_name: optStr(d, 'farm_name'),
          },
        };
      case 'name':
        return { ...base, type, details: { name: str(d, 'name') } };
    }
  });
}

export function parseTwin(v: unknown): Parsed<GridTwin> {
  return parse(() => {
    const o = rec(v, 'twin');
    return {
      twinId: id(o, 'twinId'),
      accountId: str(o, 'accountId'),
      relay: optStr(o, 'relay'),
      publicKey: optStr(o, 'publicKey'),
    };
  });
}
