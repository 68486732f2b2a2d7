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
import { getJson, GridproxyError, type FetchSettings, type Params } from './gridproxy-fetch.js';
import { toPage, type Page } from './gridproxy-page.js';
import {
  contractsRequest,
  farmsRequest,
  nodePath,
  nodesRequest,
  twinsRequest,
  type ContractsQuery,
  type FarmsQuery,
  type ListRequest,
  type NodesQuery,
  type TwinsQuery,
} from './gridproxy-queries.js';
import {
  parseNode,
  type GridContract,
  type GridFarm,
  type GridNode,
  type GridTwin,
} from './gridproxy-types.js';

export * from './gridproxy-types.js';
// The parts' public names are the client's: importers name them from here.
export { GridproxyError, type GridproxyErrorKind } from './gridproxy-fetch.js';
export { DEFAULT_PAGE_SIZE, type Page } from './gridproxy-page.js';
export type { ContractsQuery, FarmsQuery, NodesQuery, TwinsQuery } from './gridproxy-queries.js';

export type GridNetwork = 'main' | 'test' | 'qa' | 'dev';

export const GRID_NETWORKS: readonly GridNetwork[] = ['main', 'test', 'qa', 'dev'];

/** `https://gridproxy.<net>.grid.tf`, main without a prefix (grid_client `getDefaultUrls`). */
export function gridproxyUrl(network: GridNetwork): string {
  return network === 'main' ? 'https://gridproxy.grid.tf' : `https://gridproxy.${network}.grid.tf`;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A page of 50 nodes is ~100 KiB; 8 MiB leaves room for `size=1000` and still bounds a hostile reply. */
const DEFAULT_MAX_BYTES = 8 << 20;

export interface GridproxyOptions {
  network?: GridNetwork;
  /** A gridproxy base URL (http or https); wins over `network`. */
  url?: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** Cancels every request of this client (the app quitting). */
  signal?: AbortSignal;
}

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
    return this.list(nodesRequest(q));
  }

  /** One node by id (`/nodes/{id}`); null when gridproxy does not know it (404 "node not found"). */
  async node(nodeId: number): Promise<GridNode | null> {
    const path = nodePath(nodeId);
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
    return this.list(contractsRequest(q));
  }

  async twins(q: TwinsQuery): Promise<Page<GridTwin>> {
    return this.list(twinsRequest(q));
  }

  async farms(q: FarmsQuery = {}): Promise<Page<GridFarm>> {
    return this.list(farmsRequest(q));
  }

  private async list<T>(req: ListRequest<T>): Promise<Page<T>> {
    return toPage(await this.get(req.path, req.params, false), req);
  }

  private get(path: string, params: Params, nullOn404: boolean) {
    const s: FetchSettings = {
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      maxBytes: this.maxBytes,
      signal: this.signal,
    };
    return getJson(s, path, params, nullOn404);
  }
}
