/**
 * The devnet gridproxy's node endpoints (`/nodes`, `/gateways`, `/nodes/{id}`): filters and sort fields as
 * gridproxy's postgres.go applies them to its node view.
 */
import type { ServerResponse } from 'node:http';
import { NODE_STATUSES } from '../../grid3/gridproxy-types.js';
import { page } from './gridproxy-paging.js';
import { checkFeatures, decode, NODE_FILTER, type Query } from './gridproxy-query.js';
import { HttpError, sendJson } from './gridproxy-reply.js';
import type { GridproxySource, Resources } from './gridproxy-source-types.js';
import { nodeRecords, type NodeRecord } from './gridproxy-views.js';

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

export async function listNodes(
  res: ServerResponse,
  u: URL,
  src: GridproxySource,
  now: number,
  gateways: boolean,
) {
  const { f, limit } = decode(u, NODE_FILTER);
  for (const s of (f.status as string[] | undefined) ?? []) {
    // gridproxy has no check here (an unknown status breaks its SQL: a 500); a 400 says the same sooner.
    if (!(NODE_STATUSES as readonly string[]).includes(s))
      throw new HttpError(400, `invalid node status ${JSON.stringify(s)}`);
  }
  checkFeatures(f.features as string[] | undefined);
  let nodes = (await nodeRecords(src, now)).filter((n) => nodeMatches(n, f));
  if (gateways) nodes = nodes.filter((n) => n.publicConfig.domain !== '');
  // postgres.go: with available_for, the nodes the twin rents come first.
  const first =
    f.available_for !== undefined || f.rentable_or_rented_by !== undefined
      ? (n: NodeRecord) => (n.rented ? 0 : 1)
      : undefined;
  page(res, nodes, limit, 'Node', NODE_SORT, 'node_id', first);
}

export async function oneNode(
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
