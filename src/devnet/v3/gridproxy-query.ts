/**
 * The devnet gridproxy's query parameters, decoded as gridproxy's gorilla/schema decoder does: an unknown
 * parameter is a 400 (no IgnoreUnknownKeys), booleans are Go's strconv.ParseBool, lists are comma-separated or
 * repeated, empty values are ignored. Each endpoint's accepted parameters are listed here, including those on
 * data the devnet does not model, so that clients sending them are not refused.
 */
import { NODE_FEATURES } from '../../grid3/gridproxy-types.js';
import { HttpError } from './gridproxy-reply.js';

type Kind = 'uint' | 'bool' | 'string' | 'float' | 'uints' | 'strings';
export type Spec = Record<string, Kind>;
export type Query = Record<string, number | boolean | string | number[] | string[]>;

const LIMIT: Spec = {
  size: 'uint',
  page: 'uint',
  ret_count: 'bool',
  randomize: 'bool',
  sort_by: 'string',
  sort_order: 'string',
  balance: 'float',
};

export const NODE_FILTER: Spec = {
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

export const FARM_FILTER: Spec = {
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

export const TWIN_FILTER: Spec = {
  twin_id: 'uint',
  account_id: 'string',
  relay: 'string',
  public_key: 'string',
};

export const CONTRACT_FILTER: Spec = {
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

export function decode(u: URL, filter: Spec): { f: Query; limit: Limit } {
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

export interface Limit {
  size: number;
  page: number;
  retCount: boolean;
  randomize: boolean;
  sortBy: string;
  sortOrder: string;
}

/** Every named feature must be one gridproxy knows (its `features` and `node_features` checks). */
export function checkFeatures(features: string[] | undefined): void {
  for (const feat of features ?? []) {
    if (!(NODE_FEATURES as readonly string[]).includes(feat))
      throw new HttpError(400, `${feat} is not a valid node feature`);
  }
}
