/**
 * What each gridproxy endpoint is asked, and what its reply must then be: a query is checked before it is
 * sent (a bad one is a `bad-query` GridproxyError, not a request), and every element of the reply is checked
 * again against it, because an index that answers with other nodes than those asked for is not trusted.
 */
import { type Params, GridproxyError } from './gridproxy-fetch.js';
import {
  CONTRACT_STATES,
  CONTRACT_TYPES,
  NODE_FEATURES,
  NODE_STATUSES,
  parseContract,
  parseFarm,
  parseNode,
  parseTwin,
  type ContractState,
  type ContractType,
  type GridContract,
  type GridFarm,
  type GridNode,
  type GridTwin,
  type NodeStatus,
  type Parsed,
} from './gridproxy-types.js';

export interface NodesQuery {
  /** One status or several (gridproxy ORs them: `up,standby`). */
  status?: NodeStatus | NodeStatus[];
  /** true: only nodes with a public IPv4 in their public config; false: only those without. */
  ipv4?: boolean;
  ipv6?: boolean;
  /** Every one is required. */
  features?: string[];
  farmIds?: number[];
  /** Nodes this twin may deploy on: rented by it, or not rented, not in a dedicated farm, without extra fee. */
  availableFor?: number;
  healthy?: boolean;
  nodeId?: number;
  /** The node's own twin (not its renter). */
  twinId?: number;
  page?: number;
  size?: number;
  retCount?: boolean;
  sortBy?: 'node_id' | 'farm_id' | 'twin_id' | 'status' | 'updated_at';
  sortOrder?: 'asc' | 'desc';
}

export interface ContractsQuery {
  twinId?: number;
  nodeId?: number;
  contractId?: number;
  type?: ContractType;
  /** gridproxy matches states case-insensitively; we send its spelling. */
  state?: ContractState | ContractState[];
  page?: number;
  size?: number;
  retCount?: boolean;
}

export type TwinsQuery = (
  { twinId: number; accountId?: undefined } | { accountId: string; twinId?: undefined }
) & {
  page?: number;
  size?: number;
  retCount?: boolean;
};

export interface FarmsQuery {
  farmId?: number;
  twinId?: number;
  page?: number;
  size?: number;
  retCount?: boolean;
}

/** One list request: its path and parameters, how an element is parsed, named and checked against the query. */
export interface ListRequest<T> {
  path: string;
  params: Params;
  parseOne: (v: unknown) => Parsed<T>;
  /** Why an element is not one of those asked for; undefined when it is. */
  want: (t: T) => string | undefined;
  label: (t: T) => string;
}

export function nodesRequest(q: NodesQuery): ListRequest<GridNode> {
  const p: Params = {};
  const path = '/nodes';
  const statuses = q.status === undefined ? [] : Array.isArray(q.status) ? q.status : [q.status];
  for (const s of statuses) if (!NODE_STATUSES.includes(s)) badQuery(path, `status ${JSON.stringify(s)}`);
  if (statuses.length) p.status = statuses.join(',');
  if (q.ipv4 !== undefined) p.ipv4 = String(q.ipv4);
  if (q.ipv6 !== undefined) p.ipv6 = String(q.ipv6);
  if (q.features?.length) {
    for (const f of q.features) {
      if (!(NODE_FEATURES as readonly string[]).includes(f)) badQuery(path, `feature ${JSON.stringify(f)}`);
    }
    p.features = q.features.join(',');
  }
  if (q.farmIds?.length) p.farm_ids = q.farmIds.map((f) => idParam(path, 'farmIds', f)).join(',');
  setId(p, path, 'available_for', q.availableFor);
  if (q.healthy !== undefined) p.healthy = String(q.healthy);
  setId(p, path, 'node_id', q.nodeId);
  setId(p, path, 'twin_id', q.twinId);
  if (q.sortBy) p.sort_by = q.sortBy;
  if (q.sortOrder) p.sort_order = q.sortOrder;
  paging(p, path, q);

  // What we asked for, checked again on each node: an index that answers with other nodes is not trusted.
  const want = (n: GridNode): string | undefined => {
    if (q.nodeId !== undefined && n.nodeId !== q.nodeId)
      return `nodeId ${n.nodeId} is not the ${q.nodeId} asked`;
    if (q.twinId !== undefined && n.twinId !== q.twinId)
      return `twinId ${n.twinId} is not the ${q.twinId} asked`;
    if (q.farmIds?.length && !q.farmIds.includes(n.farmId))
      return `farmId ${n.farmId} is not among those asked`;
    if (statuses.length && !statuses.includes(n.status)) return `status ${n.status} is not among those asked`;
    if (q.ipv4 !== undefined && !!n.publicConfig.ipv4 !== q.ipv4)
      return `ipv4 is not ${q.ipv4 ? 'set' : 'empty'} as asked`;
    if (q.ipv6 !== undefined && !!n.publicConfig.ipv6 !== q.ipv6)
      return `ipv6 is not ${q.ipv6 ? 'set' : 'empty'} as asked`;
    if (q.healthy !== undefined && n.healthy !== q.healthy) return `healthy is not ${q.healthy} as asked`;
    const missing = q.features?.filter((f) => !n.features.includes(f)) ?? [];
    if (missing.length) return `features lack ${missing.join(',')}`;
    return undefined;
  };
  return { path, params: p, parseOne: parseNode, want, label: (n) => `node ${n.nodeId}` };
}

/** `/nodes/{id}`, the id checked. */
export function nodePath(nodeId: number): string {
  return `/nodes/${idParam('/nodes/{id}', 'nodeId', nodeId)}`;
}

export function contractsRequest(q: ContractsQuery): ListRequest<GridContract> {
  const path = '/contracts';
  const p: Params = {};
  setId(p, path, 'twin_id', q.twinId);
  setId(p, path, 'node_id', q.nodeId);
  setId(p, path, 'contract_id', q.contractId);
  if (q.type !== undefined) {
    if (!CONTRACT_TYPES.includes(q.type)) badQuery(path, `type ${JSON.stringify(q.type)}`);
    p.type = q.type;
  }
  const states = q.state === undefined ? [] : Array.isArray(q.state) ? q.state : [q.state];
  for (const s of states) if (!CONTRACT_STATES.includes(s)) badQuery(path, `state ${JSON.stringify(s)}`);
  if (states.length) p.state = states.join(',');
  paging(p, path, q);

  const want = (c: GridContract): string | undefined => {
    if (q.twinId !== undefined && c.twin_id !== q.twinId)
      return `twin_id ${c.twin_id} is not the ${q.twinId} asked`;
    if (q.contractId !== undefined && c.contract_id !== q.contractId)
      return `contract_id is not the ${q.contractId} asked`;
    if (q.type !== undefined && c.type !== q.type) return `type ${c.type} is not the ${q.type} asked`;
    if (states.length && !states.includes(c.state)) return `state ${c.state} is not among those asked`;
    if (q.nodeId !== undefined && (c.type === 'name' || c.details.nodeId !== q.nodeId)) {
      return `it is not on node ${q.nodeId}`;
    }
    return undefined;
  };
  return { path, params: p, parseOne: parseContract, want, label: (c) => `contract ${c.contract_id}` };
}

export function twinsRequest(q: TwinsQuery): ListRequest<GridTwin> {
  const path = '/twins';
  const p: Params = {};
  if (q.twinId !== undefined) setId(p, path, 'twin_id', q.twinId);
  else if (typeof q.accountId === 'string' && /^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(q.accountId)) {
    p.account_id = q.accountId;
  } else badQuery(path, 'a twinId or an SS58 accountId');
  paging(p, path, q);
  const want = (t: GridTwin): string | undefined => {
    if (q.twinId !== undefined && t.twinId !== q.twinId)
      return `twinId ${t.twinId} is not the ${q.twinId} asked`;
    if (q.accountId !== undefined && t.accountId !== q.accountId) return 'accountId is not the one asked';
    return undefined;
  };
  return { path, params: p, parseOne: parseTwin, want, label: (t) => `twin ${t.twinId}` };
}

export function farmsRequest(q: FarmsQuery): ListRequest<GridFarm> {
  const path = '/farms';
  const p: Params = {};
  setId(p, path, 'farm_id', q.farmId);
  setId(p, path, 'twin_id', q.twinId);
  paging(p, path, q);
  const want = (f: GridFarm): string | undefined => {
    if (q.farmId !== undefined && f.farmId !== q.farmId)
      return `farmId ${f.farmId} is not the ${q.farmId} asked`;
    if (q.twinId !== undefined && f.twinId !== q.twinId)
      return `twinId ${f.twinId} is not the ${q.twinId} asked`;
    return undefined;
  };
  return { path, params: p, parseOne: parseFarm, want, label: (f) => `farm ${f.farmId}` };
}

function badQuery(path: string, what: string): never {
  throw new GridproxyError('bad-query', path, undefined, `invalid ${what}`);
}

function idParam(path: string, name: string, v: number): string {
  if (!Number.isSafeInteger(v) || v < 1) badQuery(path, `${name} ${String(v)}`);
  return String(v);
}

function setId(p: Params, path: string, key: string, v: number | undefined): void {
  if (v !== undefined) p[key] = idParam(path, key, v);
}

function paging(p: Params, path: string, q: { page?: number; size?: number; retCount?: boolean }): void {
  setId(p, path, 'page', q.page);
  setId(p, path, 'size', q.size);
  if (q.retCount) p.ret_count = 'true';
}
