/**
 * A stand-in gridproxy for the local devnet, on 127.0.0.1: gridproxy's own paths, query parameters, field
 * names, paging and headers (tfgrid-sdk-go `grid-proxy/internal/explorer`), so that our client and the grid's
 * own clients (@threefold/gridproxy_client, grid_client's raw `/nodes?…` calls) can be pointed at it.
 *
 * Its data comes from an injected source, because on the devnet the chain stand-in holds twins and contracts
 * and the node agents hold the nodes; this server only indexes and filters, as gridproxy does over its
 * database. It derives what gridproxy derives: a node's status from its last report and power state,
 * `dedicated`/`rentable`/`rented` from farm, renter and contracts, a contract's farm from its node.
 *
 * Faithful on purpose where clients meet gridproxy's strictness: an unknown query parameter is a 400 (gorilla
 * schema without IgnoreUnknownKeys), booleans parse as Go's strconv.ParseBool, lists are comma-separated or
 * repeated, empty values are ignored, errors are `{"error": "..."}`. Filters on data the devnet does not model
 * (GPUs, prices, regions, certification) are accepted and ignored.
 *
 * The same server answers the KYC service's read path (`/api/v1/status`, tf-kyc-verifier), whose paths do not
 * meet gridproxy's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PublicConfig, PublicIp } from '../../grid3/gridproxy-types.js';
import { NODE_FEATURES, NODE_STATUSES } from '../../grid3/gridproxy-types.js';

type Awaitable<T> = T | Promise<T>;

export interface Resources {
  cru: number;
  sru: number;
  hru: number;
  mru: number;
}

/** A node as the devnet knows it; the rest of gridproxy's node record is derived or zero. */
export interface SourceNode {
  nodeId: number;
  farmId: number;
  twinId: number;
  /** Unix seconds of the node's last uptime report: `status` is derived from it (up within 80 minutes). */
  updatedAt: number;
  /** The farmerbot's power state; absent is "never managed", which counts as on. */
  power?: { state: 'Up' | 'Down'; target: 'Up' | 'Down' };
  healthy?: boolean;
  publicConfig?: Partial<PublicConfig>;
  features?: string[];
  rentedByTwinId?: number;
  rentContractId?: number;
  extraFee?: number;
  country?: string;
  city?: string;
  created?: number;
  uptime?: number;
  totalResources?: Partial<Resources>;
  usedResources?: Partial<Resources>;
}

export interface SourceFarm {
  farmId: number;
  name: string;
  twinId: number;
  dedicated?: boolean;
  certificationType?: string;
  pricingPolicyId?: number;
  stellarAddress?: string;
  publicIps?: PublicIp[];
}

export interface SourceTwin {
  twinId: number;
  accountId: string;
  relay?: string;
  publicKey?: string;
}

export interface SourceContract {
  contract_id: number;
  twin_id: number;
  state: 'Created' | 'GracePeriod' | 'Deleted';
  created_at?: number;
  type: 'node' | 'rent' | 'name';
  /** farm_id and farm_name are derived from the node, as gridproxy joins them. */
  details: {
    nodeId?: number;
    deployment_data?: string;
    deployment_hash?: string;
    number_of_public_ips?: number;
    name?: string;
  };
}

export type SourceKyc = 'VERIFIED' | 'REJECTED' | 'PENDING';

export interface GridproxySource {
  nodes(): Awaitable<Iterable<SourceNode>>;
  farms(): Awaitable<Iterable<SourceFarm>>;
  twins(): Awaitable<Iterable<SourceTwin>>;
  contracts(): Awaitable<Iterable<SourceContract>>;
  /** An account's KYC outcome; undefined is "verification not found". Without it every account is VERIFIED. */
  kyc?(accountId: string): Awaitable<SourceKyc | undefined>;
}

export interface GridproxyServerOptions {
  port?: number;
  source: GridproxySource;
  /** Unix seconds now (tests move the clock to see nodes go down). */
  now?: () => number;
}

export interface GridproxyServer {
  url: string;
  close(): Promise<void>;
}

export async function startGridproxy(opts: GridproxyServerOptions): Promise<GridproxyServer> {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const server = createServer((req, res) => {
    handle(req, res, opts.source, now).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Go's json.Encoder ends the body with a newline; gridproxy allows any origin and exposes its headers.
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': '*',
    ...headers,
  });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse, src: GridproxySource, now: () => number) {
  const u = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = u.pathname;
  let m: RegExpMatchArray | null;
  if (path === '/nodes' || path === '/gateways') return listNodes(res, u, src, now(), path === '/gateways');
  if ((m = path.match(/^\/(nodes|gateways)\/([0-9]+)$/)))
    return oneNode(res, Number(m[2]), src, now(), m[1] === 'gateways');
  if ((m = path.match(/^\/(?:nodes|gateways)\/([0-9]+)\/status$/))) {
    const node = (await nodeRecords(src, now())).find((n) => n.nodeId === Number(m![1]));
    if (!node) throw new HttpError(404, 'node not found');
    return sendJson(res, 200, { status: node.status });
  }
  if (path === '/farms') return listFarms(res, u, src);
  if (path === '/twins') return listTwins(res, u, src);
  if (path === '/contracts') return listContracts(res, u, src);
  if ((m = path.match(/^\/contracts\/([0-9]+)$/))) {
    const c = (await contractRecords(src)).find((x) => x.contract_id === Number(m![1]));
    if (!c) throw new HttpError(404, 'contract not found');
    return sendJson(res, 200, publicContract(c));
  }
  if (path === '/ping') return sendJson(res, 200, { ping: 'pong' });
  if (path === '/version') return sendJson(res, 200, { ui_version: 'devnet', server_version: 'devnet' });
  if (path === '/api/v1/status') return kycStatus(res, u, src);
  if (path === '/api/v1/health') {
    return sendJson(res, 200, {
      result: { status: 'Healthy', timestamp: new Date().toISOString(), errors: [] },
    });
  }
  // gorilla/mux's answer to a path it has no route for.
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}

// ---------------------------------------------------------------------------------------------------------
// Query parameters, decoded as gridproxy's gorilla/schema decoder does.

type Kind = 'uint' | 'bool' | 'string' | 'float' | 'uints' | 'strings';
type Spec = Record<string, Kind>;
type Query = Record<string, number | boolean | string | number[] | string[]>;

const LIMIT: Spec = {
  size: 'uint',
  page: 'uint',
  ret_count: 'bool',
  randomize: 'bool',
  sort_by: 'string',
  sort_order: 'string',
  balance: 'float',
};

const NODE_FILTER: Spec = {
  status: 'strings',
  free_mru: 'uint',
  free_hru: 'uint',
  free_sru: 'uint',
  total_mru: 'uint',
  total_hru: 'uint',
  total_sru: 'uint',
  total_cru: 'uint',
  country: 'string',
  country_contains: 'string',
  city: 'string',
  city_contains: 'string',
  region: 'string',
  farm_name: 'string',
  farm_name_contains: 'string',
  farm_ids: 'uints',
  free_ips: 'uint',
  ipv4: 'bool',
  ipv6: 'bool',
  domain: 'bool',
  dedicated: 'bool',
  in_dedicated_farm: 'bool',
  rentable: 'bool',
  owned_by: 'uint',
  rented: 'bool',
  rented_by: 'uint',
  rentable_or_rented_by: 'uint',
  available_for: 'uint',
  node_id: 'uint',
  node_ids: 'uints',
  twin_id: 'uint',
  certification_type: 'string',
  has_gpu: 'bool',
  num_gpu: 'uint',
  gpu_device_id: 'string',
  gpu_device_name: 'string',
  gpu_vendor_id: 'string',
  gpu_vendor_name: 'string',
  gpu_available: 'bool',
  healthy: 'bool',
  price_min: 'float',
  price_max: 'float',
  excluded: 'uints',
  has_ipv6: 'bool',
  features: 'strings',
};

const FARM_FILTER: Spec = {
  free_ips: 'uint',
  total_ips: 'uint',
  stellar_address: 'string',
  pricing_policy_id: 'uint',
  farm_id: 'uint',
  twin_id: 'uint',
  name: 'string',
  name_contains: 'string',
  certification_type: 'string',
  dedicated: 'bool',
  node_free_mru: 'uint',
  node_free_hru: 'uint',
  node_free_sru: 'uint',
  node_total_cru: 'uint',
  node_status: 'strings',
  node_rented_by: 'uint',
  node_available_for: 'uint',
  node_has_gpu: 'bool',
  node_has_ipv6: 'bool',
  node_certified: 'bool',
  node_features: 'strings',
  country: 'string',
  region: 'string',
};

const TWIN_FILTER: Spec = { twin_id: 'uint', account_id: 'string', relay: 'string', public_key: 'string' };

const CONTRACT_FILTER: Spec = {
  contract_id: 'uint',
  twin_id: 'uint',
  node_id: 'uint',
  type: 'string',
  state: 'strings',
  name: 'string',
  number_of_public_ips: 'uint',
  deployment_data: 'string',
  deployment_hash: 'string',
  farm_name: 'string',
  farm_id: 'uint',
};

/** Go's strconv.ParseBool. */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function decode(u: URL, filter: Spec): { f: Query; limit: Limit } {
  const spec: Spec = { ...filter, ...LIMIT };
  const values = new Map<string, string[]>();
  for (const [k, v] of u.searchParams) {
    if (v === '') continue; // gridproxy's ignoreEmptyParams
    values.set(k, [...(values.get(k) ?? []), v]);
  }
  const out: Query = {};
  for (const [key, vs] of values) {
    const kind = spec[key];
    if (!kind) throw new HttpError(400, `failed to decode params: schema: invalid path "${key}"`);
    const bad = () =>
      new HttpError(400, `failed to decode params: schema: error converting value for "${key}"`);
    const uint = (s: string) => {
      if (!/^\+?\d{1,20}$/.test(s) || BigInt(s) > 0xffff_ffff_ffff_ffffn) throw bad();
      return Number(s);
    };
    const last = vs[vs.length - 1]!;
    switch (kind) {
      case 'uint':
        out[key] = uint(last);
        break;
      case 'bool':
        if (TRUE.has(last)) out[key] = true;
        else if (FALSE.has(last)) out[key] = false;
        else throw bad();
        break;
      case 'float':
        if (!Number.isFinite(Number(last))) throw bad();
        out[key] = Number(last);
        break;
      case 'string':
        out[key] = last;
        break;
      case 'strings':
        out[key] = vs.flatMap((v) => v.split(','));
        break;
      case 'uints':
        out[key] = vs.flatMap((v) => v.split(',')).map(uint);
        break;
    }
  }
  const limit: Limit = {
    size: (out.size as number | undefined) || 50,
    page: (out.page as number | undefined) || 1,
    retCount: out.ret_count === true,
    randomize: out.randomize === true,
    sortBy: (out.sort_by as string | undefined) ?? '',
    sortOrder: (out.sort_order as string | undefined) ?? '',
  };
  for (const k of Object.keys(LIMIT)) delete out[k];
  if (limit.sortOrder && !/^(asc|desc)$/i.test(limit.sortOrder)) {
    throw new HttpError(400, `"${limit.sortOrder}" is not a valid sort order`);
  }
  return { f: out, limit };
}

interface Limit {
  size: number;
  page: number;
  retCount: boolean;
  randomize: boolean;
  sortBy: string;
  sortOrder: string;
}

/** Sorts (default field, or a `sort_by` among the type's sort fields), pages, and writes the count headers. */
function page<T>(
  res: ServerResponse,
  items: T[],
  limit: Limit,
  typeName: string,
  keys: Record<string, (t: T) => number | string | boolean>,
  defaultKey: string,
  first?: (t: T) => number,
): void {
  if (limit.sortBy && !keys[limit.sortBy]) {
    throw new HttpError(400, `"${limit.sortBy}" is not a sort field for ${typeName} type`);
  }
  const key = keys[limit.sortBy || defaultKey]!;
  const tie = keys[defaultKey]!;
  const dir = /^desc$/i.test(limit.sortOrder) && limit.sortBy ? -1 : 1;
  const cmp = (a: number | string | boolean, b: number | string | boolean) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = limit.randomize
    ? items
        .map((t) => [Math.random(), t] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, t]) => t)
    : [...items].sort(
        (a, b) => (first ? first(a) - first(b) : 0) || dir * cmp(key(a), key(b)) || cmp(tie(a), tie(b)),
      );
  const start = (limit.page - 1) * limit.size;
  const headers: Record<string, string> = {};
  if (limit.retCount) {
    headers.count = String(items.length);
    headers.size = String(limit.size);
    headers.pages = String(Math.ceil(items.length / limit.size));
  }
  sendJson(res, 200, sorted.slice(start, start + limit.size), headers);
}

// ---------------------------------------------------------------------------------------------------------
// Nodes.

const UP_WITHIN = 2 * 40 * 60; // nodestatus: two 40-minute report cycles
const STANDBY_WITHIN = 24 * 60 * 60;

function decideStatus(n: SourceNode, now: number): 'up' | 'down' | 'standby' {
  const p = n.power;
  const on = !p || (p.state === 'Up' && p.target === 'Up');
  if (n.updatedAt >= now - UP_WITHIN && on) return 'up';
  if (!on && n.updatedAt >= now - STANDBY_WITHIN) return 'standby';
  return 'down';
}

function res4(r: Partial<Resources> | undefined): Resources {
  return { cru: r?.cru ?? 0, sru: r?.sru ?? 0, hru: r?.hru ?? 0, mru: r?.mru ?? 0 };
}

type NodeRecord = ReturnType<typeof nodeRecord>;

function nodeRecord(n: SourceNode, farm: SourceFarm | undefined, liveContracts: number, now: number) {
  const renter = n.rentedByTwinId ?? 0;
  const farmDedicated = farm?.dedicated ?? false;
  const pc = n.publicConfig ?? {};
  return {
    id: `node-${n.nodeId}`,
    nodeId: n.nodeId,
    farmId: n.farmId,
    farmName: farm?.name ?? '',
    twinId: n.twinId,
    country: n.country ?? '',
    gridVersion: 3,
    city: n.city ?? '',
    uptime: n.uptime ?? 0,
    created: n.created ?? 0,
    farmingPolicyId: 1,
    updatedAt: n.updatedAt,
    total_resources: res4(n.totalResources),
    used_resources: res4(n.usedResources),
    location: { country: n.country ?? '', city: n.city ?? '', longitude: null, latitude: null },
    publicConfig: {
      domain: pc.domain ?? '',
      gw4: pc.gw4 ?? '',
      gw6: pc.gw6 ?? '',
      ipv4: pc.ipv4 ?? '',
      ipv6: pc.ipv6 ?? '',
    },
    status: decideStatus(n, now),
    certificationType: 'Diy',
    // converters.go: a node is "dedicated" (whole-node rental only) when nothing else runs on it.
    dedicated: farmDedicated || liveContracts === 0 || renter !== 0 || (n.extraFee ?? 0) > 0,
    inDedicatedFarm: farmDedicated,
    rentContractId: n.rentContractId ?? 0,
    rented: renter !== 0,
    rentable: renter === 0 && (farmDedicated || liveContracts === 0),
    rentedByTwinId: renter,
    serialNumber: '',
    power: { state: n.power?.state ?? '', target: n.power?.target ?? '' },
    num_gpu: 0,
    extraFee: n.extraFee ?? 0,
    healthy: n.healthy ?? true,
    dmi: {
      bios: { vendor: '', version: '' },
      baseboard: { manufacturer: '', product_name: '' },
      processor: [],
      memory: [],
    },
    speed: { upload: 0, download: 0 },
    gpus: [],
    price_usd: 0,
    farm_free_ips: (farm?.publicIps ?? []).filter((ip) => ip.contract_id === 0).length,
    features: [...(n.features ?? [])],
  };
}

async function nodeRecords(src: GridproxySource, now: number): Promise<NodeRecord[]> {
  const [nodes, farms, contracts] = await Promise.all([src.nodes(), src.farms(), src.contracts()]);
  const farmById = new Map([...farms].map((f) => [f.farmId, f]));
  const live = new Map<number, number>();
  for (const c of contracts) {
    if (c.type === 'node' && c.state !== 'Deleted' && c.details.nodeId !== undefined) {
      live.set(c.details.nodeId, (live.get(c.details.nodeId) ?? 0) + 1);
    }
  }
  return [...nodes].map((n) => nodeRecord(n, farmById.get(n.farmId), live.get(n.nodeId) ?? 0, now));
}

const NODE_SORT: Record<string, (n: NodeRecord) => number | string | boolean> = {
  node_id: (n) => n.nodeId,
  farm_id: (n) => n.farmId,
  twin_id: (n) => n.twinId,
  country: (n) => n.country,
  city: (n) => n.city,
  uptime: (n) => n.uptime,
  created: (n) => n.created,
  updated_at: (n) => n.updatedAt,
  status: (n) => (n.status === 'up' ? 1 : n.status === 'standby' ? 2 : 3),
  dedicated_farm: (n) => n.inDedicatedFarm,
  rent_contract_id: (n) => n.rentContractId,
  rented: (n) => n.rented,
  rentable: (n) => n.rentable,
  num_gpu: (n) => n.num_gpu,
  extra_fee: (n) => n.extraFee,
  price_usd: (n) => n.price_usd,
  free_cru: (n) => n.total_resources.cru - n.used_resources.cru,
  ...Object.fromEntries(
    (['cru', 'sru', 'hru', 'mru'] as const).flatMap((r) => [
      [`total_${r}`, (n: NodeRecord) => n.total_resources[r]],
      [`used_${r}`, (n: NodeRecord) => n.used_resources[r]],
    ]),
  ),
};

function nodeMatches(n: NodeRecord, f: Query): boolean {
  const free = (r: keyof Resources) => n.total_resources[r] - n.used_resources[r];
  const eqi = (a: string, b: unknown) => a.toLowerCase() === String(b).toLowerCase();
  const has = (a: string, b: unknown) => a.toLowerCase().includes(String(b).toLowerCase());
  const checks: [string, () => boolean][] = [
    ['status', () => (f.status as string[]).includes(n.status)],
    ['ipv4', () => (n.publicConfig.ipv4 !== '') === f.ipv4],
    ['ipv6', () => (n.publicConfig.ipv6 !== '') === f.ipv6],
    ['has_ipv6', () => (n.publicConfig.ipv6 !== '') === f.has_ipv6],
    ['domain', () => (n.publicConfig.domain !== '') === f.domain],
    ['features', () => (f.features as string[]).every((x) => n.features.includes(x))],
    ['farm_ids', () => (f.farm_ids as number[]).includes(n.farmId)],
    ['node_id', () => n.nodeId === f.node_id],
    ['node_ids', () => (f.node_ids as number[]).includes(n.nodeId)],
    ['excluded', () => !(f.excluded as number[]).includes(n.nodeId)],
    ['twin_id', () => n.twinId === f.twin_id],
    ['healthy', () => n.healthy === f.healthy],
    // postgres.go: rented by the twin, or free for anyone (not rented, not in a dedicated farm, no extra fee).
    [
      'available_for',
      () => n.rentedByTwinId === f.available_for || (!n.rented && !n.inDedicatedFarm && n.extraFee === 0),
    ],
    ['rented_by', () => n.rentedByTwinId === f.rented_by],
    ['rentable_or_rented_by', () => n.rentable || n.rentedByTwinId === f.rentable_or_rented_by],
    ['rented', () => n.rented === f.rented],
    ['rentable', () => n.rentable === f.rentable],
    ['dedicated', () => n.dedicated === f.dedicated],
    ['in_dedicated_farm', () => n.inDedicatedFarm === f.in_dedicated_farm],
    ['free_mru', () => free('mru') >= (f.free_mru as number)],
    ['free_sru', () => free('sru') >= (f.free_sru as number)],
    ['free_hru', () => free('hru') >= (f.free_hru as number)],
    ['total_cru', () => n.total_resources.cru >= (f.total_cru as number)],
    ['total_mru', () => n.total_resources.mru >= (f.total_mru as number)],
    ['total_sru', () => n.total_resources.sru >= (f.total_sru as number)],
    ['total_hru', () => n.total_resources.hru >= (f.total_hru as number)],
    ['free_ips', () => n.farm_free_ips >= (f.free_ips as number)],
    ['country', () => eqi(n.country, f.country)],
    ['country_contains', () => has(n.country, f.country_contains)],
    ['city', () => eqi(n.city, f.city)],
    ['city_contains', () => has(n.city, f.city_contains)],
    ['farm_name', () => eqi(n.farmName, f.farm_name)],
    ['farm_name_contains', () => has(n.farmName, f.farm_name_contains)],
  ];
  return checks.every(([key, ok]) => f[key] === undefined || ok());
}

async function listNodes(res: ServerResponse, u: URL, src: GridproxySource, now: number, gateways: boolean) {
  const { f, limit } = decode(u, NODE_FILTER);
  for (const s of (f.status as string[] | undefined) ?? []) {
    // gridproxy has no check here (an unknown status breaks its SQL: a 500); a 400 says the same sooner.
    if (!(NODE_STATUSES as readonly string[]).includes(s))
      throw new HttpError(400, `invalid node status ${JSON.stringify(s)}`);
  }
  for (const feat of (f.features as string[] | undefined) ?? []) {
    if (!(NODE_FEATURES as readonly string[]).includes(feat))
      throw new HttpError(400, `${feat} is not a valid node feature`);
  }
  let nodes = (await nodeRecords(src, now)).filter((n) => nodeMatches(n, f));
  if (gateways) nodes = nodes.filter((n) => n.publicConfig.domain !== '');
  // postgres.go: with available_for, the nodes the twin rents come first.
  const first =
    f.available_for !== undefined || f.rentable_or_rented_by !== undefined
      ? (n: NodeRecord) => (n.rented ? 0 : 1)
      : undefined;
  page(res, nodes, limit, 'Node', NODE_SORT, 'node_id', first);
}

async function oneNode(
  res: ServerResponse,
  nodeId: number,
  src: GridproxySource,
  now: number,
  gateway: boolean,
) {
  const n = (await nodeRecords(src, now)).find((x) => x.nodeId === nodeId);
  if (!n) throw new HttpError(404, 'node not found');
  if (gateway && n.publicConfig.domain === '') throw new HttpError(404, 'gateway not found');
  // `/nodes/{id}` is gridproxy's NodeWithNestedCapacity: the resources sit under `capacity`.
  const { total_resources, used_resources, ...rest } = n;
  sendJson(res, 200, { ...rest, capacity: { total_resources, used_resources } });
}

// ---------------------------------------------------------------------------------------------------------
// Farms, twins, contracts.

async function listFarms(res: ServerResponse, u: URL, src: GridproxySource) {
  const { f, limit } = decode(u, FARM_FILTER);
  for (const feat of (f.node_features as string[] | undefined) ?? []) {
    if (!(NODE_FEATURES as readonly string[]).includes(feat))
      throw new HttpError(400, `${feat} is not a valid node feature`);
  }
  const farms = [...(await src.farms())].map((x) => ({
    name: x.name,
    farmId: x.farmId,
    twinId: x.twinId,
    pricingPolicyId: x.pricingPolicyId ?? 1,
    certificationType: x.certificationType ?? 'NotCertified',
    stellarAddress: x.stellarAddress ?? '',
    dedicated: x.dedicated ?? false,
    publicIps: (x.publicIps ?? []).map((ip) => ({ ...ip })),
  }));
  const freeIps = (x: (typeof farms)[number]) => x.publicIps.filter((ip) => ip.contract_id === 0).length;
  const matches = farms.filter((x) => {
    const checks: [string, () => boolean][] = [
      ['farm_id', () => x.farmId === f.farm_id],
      ['twin_id', () => x.twinId === f.twin_id],
      ['name', () => x.name.toLowerCase() === String(f.name).toLowerCase()],
      ['name_contains', () => x.name.toLowerCase().includes(String(f.name_contains).toLowerCase())],
      ['dedicated', () => x.dedicated === f.dedicated],
      ['free_ips', () => freeIps(x) >= (f.free_ips as number)],
      ['total_ips', () => x.publicIps.length >= (f.total_ips as number)],
      ['pricing_policy_id', () => x.pricingPolicyId === f.pricing_policy_id],
      ['stellar_address', () => x.stellarAddress === f.stellar_address],
      ['certification_type', () => x.certificationType === f.certification_type],
    ];
    return checks.every(([key, ok]) => f[key] === undefined || ok());
  });
  page(
    res,
    matches,
    limit,
    'Farm',
    {
      name: (x) => x.name,
      farm_id: (x) => x.farmId,
      twin_id: (x) => x.twinId,
      dedicated: (x) => x.dedicated,
      public_ips: (x) => x.publicIps.length,
      free_ips: freeIps,
      total_ips: (x) => x.publicIps.length,
      used_ips: (x) => x.publicIps.length - freeIps(x),
    },
    'farm_id',
  );
}

function twinRecord(t: SourceTwin) {
  return { twinId: t.twinId, accountId: t.accountId, relay: t.relay ?? '', publicKey: t.publicKey ?? '' };
}

async function listTwins(res: ServerResponse, u: URL, src: GridproxySource) {
  const { f, limit } = decode(u, TWIN_FILTER);
  const twins = [...(await src.twins())]
    .map(twinRecord)
    .filter(
      (t) =>
        (f.twin_id === undefined || t.twinId === f.twin_id) &&
        (f.account_id === undefined || t.accountId === f.account_id) &&
        (f.relay === undefined || t.relay === f.relay) &&
        (f.public_key === undefined || t.publicKey === f.public_key),
    );
  page(
    res,
    twins,
    limit,
    'Twin',
    {
      twin_id: (t) => t.twinId,
      account_id: (t) => t.accountId,
      relay: (t) => t.relay,
      public_key: (t) => t.publicKey,
    },
    'twin_id',
  );
}

type ContractRecord = Awaited<ReturnType<typeof contractRecords>>[number];

async function contractRecords(src: GridproxySource) {
  const [contracts, nodes, farms] = await Promise.all([src.contracts(), src.nodes(), src.farms()]);
  const farmOfNode = new Map([...nodes].map((n) => [n.nodeId, n.farmId]));
  const farmById = new Map([...farms].map((f) => [f.farmId, f]));
  return [...contracts].map((c) => {
    const nodeId = c.details.nodeId ?? 0;
    // gridproxy LEFT JOINs the farm through the node: unknown node, zero farm.
    const farm = farmById.get(farmOfNode.get(nodeId) ?? -1);
    const farmPart = { farm_name: farm?.name ?? '', farm_id: farm?.farmId ?? 0 };
    const details =
      c.type === 'node'
        ? {
            nodeId,
            deployment_data: c.details.deployment_data ?? '',
            deployment_hash: c.details.deployment_hash ?? '',
            number_of_public_ips: c.details.number_of_public_ips ?? 0,
            ...farmPart,
          }
        : c.type === 'rent'
          ? { nodeId, ...farmPart }
          : { name: c.details.name ?? '' };
    return {
      contract_id: c.contract_id,
      twin_id: c.twin_id,
      state: c.state,
      created_at: c.created_at ?? 0,
      type: c.type,
      details,
      // kept out of the JSON: filter-only columns of gridproxy's union view
      _nodeId: c.type === 'name' ? 0 : nodeId,
      _name: c.type === 'name' ? (c.details.name ?? '') : '',
      ...farmPart,
    };
  });
}

/** The contract as gridproxy writes it, without the union view's filter-only columns. */
function publicContract({ contract_id, twin_id, state, created_at, type, details }: ContractRecord) {
  return { contract_id, twin_id, state, created_at, type, details };
}

async function listContracts(res: ServerResponse, u: URL, src: GridproxySource) {
  const { f, limit } = decode(u, CONTRACT_FILTER);
  const states = ((f.state as string[] | undefined) ?? []).map((s) => s.toLowerCase());
  const matches = (await contractRecords(src)).filter((c: ContractRecord) => {
    const d = c.details as {
      deployment_data?: string;
      deployment_hash?: string;
      number_of_public_ips?: number;
    };
    const checks: [string, () => boolean][] = [
      ['contract_id', () => c.contract_id === f.contract_id],
      ['twin_id', () => c.twin_id === f.twin_id],
      ['node_id', () => c._nodeId === f.node_id],
      ['type', () => c.type === f.type],
      // postgres.go: LOWER(state) IN (lowered states)
      ['state', () => states.includes(c.state.toLowerCase())],
      ['name', () => c._name === f.name],
      ['number_of_public_ips', () => (d.number_of_public_ips ?? 0) >= (f.number_of_public_ips as number)],
      ['deployment_data', () => (d.deployment_data ?? '') === f.deployment_data],
      ['deployment_hash', () => (d.deployment_hash ?? '') === f.deployment_hash],
      ['farm_name', () => c.farm_name.toLowerCase() === String(f.farm_name).toLowerCase()],
      ['farm_id', () => c.farm_id === f.farm_id],
    ];
    return checks.every(([key, ok]) => f[key] === undefined || ok());
  });
  const out = matches.map(publicContract);
  page(
    res,
    out,
    limit,
    'Contract',
    {
      contract_id: (c) => c.contract_id,
      twin_id: (c) => c.twin_id,
      state: (c) => c.state,
      created_at: (c) => c.created_at,
      type: (c) => c.type,
    },
    'contract_id',
  );
}

// ---------------------------------------------------------------------------------------------------------
// KYC (tf-kyc-verifier `GET /api/v1/status`): by client_id (SS58 address) or twin_id.

async function kycStatus(res: ServerResponse, u: URL, src: GridproxySource) {
  let clientId = u.searchParams.get('client_id') ?? '';
  const twinId = u.searchParams.get('twin_id') ?? '';
  if (!clientId && !twinId) {
    return sendJson(res, 400, { error: 'either client_id or twin_id must be provided' });
  }
  if (!clientId) {
    const twin = [...(await src.twins())].find((t) => String(t.twinId) === twinId);
    // The real service asks the chain for the twin's address; a twin it cannot find is an external error.
    if (!twin)
      return sendJson(res, 503, {
        error: `looking up twinID address from TFChain: twin ${twinId} not found`,
      });
    clientId = twin.accountId;
  }
  const outcome = src.kyc ? await src.kyc(clientId) : 'VERIFIED';
  if (outcome === undefined) return sendJson(res, 404, { error: 'verification not found' });
  // The service only ever says VERIFIED or REJECTED; a review that may still change is final=false.
  sendJson(res, 200, {
    result: {
      final: outcome !== 'PENDING',
      idenfyRef: '',
      clientId,
      status: outcome === 'VERIFIED' ? 'VERIFIED' : 'REJECTED',
    },
  });
}
