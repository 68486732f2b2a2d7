/**
 * A thin client for gridproxy, the grid's REST index of nodes, farms, twins and contracts
 * (tfgrid-sdk-go `grid-proxy`), over the global `fetch`.
 *
 * gridproxy is an index run by someone else, so every reply is untrusted: the body is bounded in size, each
 * element is checked field by field (gridproxy-types.ts), a malformed element is skipped with a warning rather
 * than failing the whole list, and an element that contradicts the filter we asked for (a node of another
 * twin when asked by twin) is skipped the same way. Whatever goes wrong with the request itself becomes a
 * GridproxyError naming the path and the HTTP status, never a TypeError from deep inside a parser.
 */
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

export * from './gridproxy-types.js';

export type GridNetwork = 'main' | 'test' | 'qa' | 'dev';

export const GRID_NETWORKS: readonly GridNetwork[] = ['main', 'test', 'qa', 'dev'];

/** `https://gridproxy.<net>.grid.tf`, main without a prefix (grid_client `getDefaultUrls`). */
export function gridproxyUrl(network: GridNetwork): string {
  return network === 'main' ? 'https://gridproxy.grid.tf' : `https://gridproxy.${network}.grid.tf`;
}

/** gridproxy's page size when `size` is not given (`types.DefaultLimit`). */
export const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_TIMEOUT_MS = 10_000;
/** A page of 50 nodes is ~100 KiB; 8 MiB leaves room for `size=1000` and still bounds a hostile reply. */
const DEFAULT_MAX_BYTES = 8 << 20;

export type GridproxyErrorKind =
  'http' | 'timeout' | 'network' | 'too-large' | 'not-json' | 'bad-reply' | 'bad-query';

export class GridproxyError extends Error {
  override readonly name = 'GridproxyError';
  constructor(
    readonly kind: GridproxyErrorKind,
    /** Path and query of the request, e.g. `/nodes?twin_id=7` (no secret ever goes into a gridproxy query). */
    readonly path: string,
    /** The HTTP status, when there was a reply. */
    readonly status: number | undefined,
    message: string,
  ) {
    super(`gridproxy GET ${path}${status === undefined ? '' : `: HTTP ${status}`}: ${message}`);
  }
}

export interface Page<T> {
  items: T[];
  /** The `count` header (the total matching the filter, across pages); null unless `retCount` was asked. */
  count: number | null;
  /** One line per skipped element or doubtful header: the reply's faults, for the log or the UI. */
  warnings: string[];
}

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

export interface GridproxyOptions {
  network?: GridNetwork;
  /** A gridproxy base URL (http or https); wins over `network`. */
  url?: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** Cancels every request of this client (the app quitting). */
  signal?: AbortSignal;
}

type Params = Record<string, string>;

export class Gridproxy {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly signal: AbortSignal | undefined;

  constructor(opts: GridproxyOptions = {}) {
    const base = opts.url ?? gridproxyUrl(opts.network ?? 'main');
    let u: URL;
    try {
      u = new URL(base);
    } catch {
      throw new GridproxyError('bad-query', '/', undefined, `not a URL: ${JSON.stringify(base)}`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      throw new GridproxyError('bad-query', '/', undefined, `not an http(s) URL: ${JSON.stringify(base)}`);
    }
    this.baseUrl = base.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.signal = opts.signal;
  }

  async nodes(q: NodesQuery = {}): Promise<Page<GridNode>> {
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
      if (statuses.length && !statuses.includes(n.status))
        return `status ${n.status} is not among those asked`;
      if (q.ipv4 !== undefined && !!n.publicConfig.ipv4 !== q.ipv4)
        return `ipv4 is not ${q.ipv4 ? 'set' : 'empty'} as asked`;
      if (q.ipv6 !== undefined && !!n.publicConfig.ipv6 !== q.ipv6)
        return `ipv6 is not ${q.ipv6 ? 'set' : 'empty'} as asked`;
      if (q.healthy !== undefined && n.healthy !== q.healthy) return `healthy is not ${q.healthy} as asked`;
      const missing = q.features?.filter((f) => !n.features.includes(f)) ?? [];
      if (missing.length) return `features lack ${missing.join(',')}`;
      return undefined;
    };
    return this.list(path, p, parseNode, want, (n) => `node ${n.nodeId}`);
  }

  /** One node by id (`/nodes/{id}`); null when gridproxy does not know it (404 "node not found"). */
  async node(nodeId: number): Promise<GridNode | null> {
    const path = `/nodes/${idParam('/nodes/{id}', 'nodeId', nodeId)}`;
    const r = await this.get(path, {}, true);
    if (r === null) return null;
    const parsed = parseNode(r.body);
    if (!parsed.ok) throw new GridproxyError('bad-reply', path, 200, parsed.reason);
    if (parsed.value.nodeId !== nodeId) {
      throw new GridproxyError(
        'bad-reply',
        path,
        200,
        `the reply is node ${parsed.value.nodeId}, not ${nodeId}`,
      );
    }
    return parsed.value;
  }

  async contracts(q: ContractsQuery = {}): Promise<Page<GridContract>> {
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
    return this.list(path, p, parseContract, want, (c) => `contract ${c.contract_id}`);
  }

  async twins(q: TwinsQuery): Promise<Page<GridTwin>> {
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
    return this.list(path, p, parseTwin, want, (t) => `twin ${t.twinId}`);
  }

  async farms(q: FarmsQuery = {}): Promise<Page<GridFarm>> {
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
    return this.list(path, p, parseFarm, want, (f) => `farm ${f.farmId}`);
  }

  private async list<T>(
    path: string,
    params: Params,
    parseOne: (v: unknown) => Parsed<T>,
    want: (t: T) => string | undefined,
    label: (t: T) => string,
  ): Promise<Page<T>> {
    const r = await this.get(path, params, false);
    const where = withQuery(path, params);
    if (!r) throw new GridproxyError('http', where, 404, 'not found');
    if (!Array.isArray(r.body))
      throw new GridproxyError('bad-reply', where, 200, 'the reply is not a JSON list');
    const warnings: string[] = [];
    const size = Number(params.size ?? DEFAULT_PAGE_SIZE);
    let elements: unknown[] = r.body;
    if (elements.length > size) {
      warnings.push(
        `${path}: the reply has ${elements.length} elements for a page of ${size}; kept the first ${size}`,
      );
      elements = elements.slice(0, size);
    }
    const items: T[] = [];
    elements.forEach((el, i) => {
      const parsed = parseOne(el);
      if (!parsed.ok) {
        warnings.push(`${path}[${i}] skipped: ${parsed.reason}`);
        return;
      }
      const why = want(parsed.value);
      if (why) warnings.push(`${path}[${i}] skipped (${label(parsed.value)}): ${why}`);
      else items.push(parsed.value);
    });
    let count: number | null = null;
    if (params.ret_count === 'true') {
      const h = r.headers.get('count');
      if (h !== null && /^\d{1,15}$/.test(h.trim())) count = Number(h.trim());
      else
        warnings.push(
          `${path}: the count header is ${h === null ? 'missing' : `not a number (${JSON.stringify(h.slice(0, 20))})`}`,
        );
    }
    return { items, count, warnings };
  }

  /** GET and parse JSON; null on a 404 when `nullOn404`, a GridproxyError for every other failure. */
  private async get(
    path: string,
    params: Params,
    nullOn404: boolean,
  ): Promise<{ body: unknown; headers: Headers } | null> {
    const where = withQuery(path, params);
    const url = this.baseUrl + where;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    let res: Response;
    try {
      // No redirect: an index that bounces us elsewhere is not the index we were given.
      res = await fetch(url, { signal, redirect: 'error', headers: { accept: 'application/json' } });
    } catch (e) {
      throw transportError(e, where, timeout, this.timeoutMs);
    }
    let text: string;
    try {
      text = await readBounded(res, this.maxBytes);
    } catch (e) {
      if (e instanceof TooLarge) {
        throw new GridproxyError(
          'too-large',
          where,
          res.status,
          `the reply is larger than ${this.maxBytes} bytes`,
        );
      }
      throw transportError(e, where, timeout, this.timeoutMs);
    }
    if (res.status === 404 && nullOn404) return null;
    if (res.status !== 200) {
      throw new GridproxyError(
        'http',
        where,
        res.status,
        errorText(text) ?? (res.statusText || 'request failed'),
      );
    }
    try {
      return { body: JSON.parse(text) as unknown, headers: res.headers };
    } catch {
      throw new GridproxyError(
        'not-json',
        where,
        res.status,
        `the reply is not JSON (${JSON.stringify(text.slice(0, 40))})`,
      );
    }
  }
}

class TooLarge extends Error {}

/** Reads the body, refusing (and cancelling) it as soon as it passes `max` bytes. */
async function readBounded(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new TooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** gridproxy answers failures with `{"error": "..."}` (its `mw.AsHandlerFunc`); keep one short line of it. */
function errorText(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && typeof (v as { error?: unknown }).error === 'string') {
      return oneLine((v as { error: string }).error);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim() ? oneLine(text) : undefined;
}

function oneLine(s: string): string {
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function transportError(e: unknown, where: string, timeout: AbortSignal, ms: number): GridproxyError {
  if (timeout.aborted) return new GridproxyError('timeout', where, undefined, `no reply within ${ms} ms`);
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'AbortError') return new GridproxyError('timeout', where, undefined, 'cancelled');
  const cause = err?.cause?.code ?? err?.cause?.message;
  return new GridproxyError(
    'network',
    where,
    undefined,
    oneLine(`${err?.message ?? String(e)}${cause ? ` (${cause})` : ''}`),
  );
}

function withQuery(path: string, params: Params): string {
  const qs = new URLSearchParams(params).toString();
  return qs ? `${path}?${qs}` : path;
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
