/**
 * The `user_accesses` list grid_client 2.9.2 keeps in the metadata of **every** network workload of a
 * network (`primitives/network.js getUpdatedMetadata`): `{"version":3,"user_accesses":[{"node_id":N,
 * "private_key":"<b64>","subnet":"a.b.c.0/24"}]}`. The dashboard rebuilds an access's wg-quick config from
 * an entry (`high_level/network.js getWireguardConfigs`).
 *
 * Here the list is read from all workloads and merged (grid_client keeps the last one it loads and
 * crashes in `addAccess` when that one has none), entries are kept as they are, unknown fields included
 * (other devices' entries belong to them), and an entry may omit `private_key`: a device's key stays on the
 * device unless its user opts in.
 */
import { Grid3FormatError } from './canonical.js';
import { subnetIndex, type IpRange } from './subnets.js';
import { isWgKey } from './wg-keys.js';

export interface UserAccess {
  /** The access node the device dials. */
  node_id: number;
  /** Absent when the device keeps its key to itself. */
  private_key?: string;
  /** The device's /24 of the network (its address is `100.64.b.c`). */
  subnet: string;
  /** Fields other clients wrote, kept as they are. */
  [field: string]: unknown;
}

/** A workload's metadata as an object; "" (grid_client's new workloads) is `{}`. */
export function parseWorkloadMetadata(metadata: string): { value: Record<string, unknown>; ok: boolean } {
  if (metadata === '') return { value: {}, ok: true };
  try {
    const v: unknown = JSON.parse(metadata);
    if (v && typeof v === 'object' && !Array.isArray(v))
      return { value: v as Record<string, unknown>, ok: true };
  } catch {
    // not JSON: reported by the caller
  }
  return { value: {}, ok: false };
}

/** Why an entry cannot be used, or undefined if it can. */
function entryProblem(range: IpRange, e: unknown): string | undefined {
  if (!e || typeof e !== 'object' || Array.isArray(e)) return 'not an object';
  const r = e as Record<string, unknown>;
  if (!Number.isSafeInteger(r['node_id']) || (r['node_id'] as number) <= 0) return 'node_id is not a node id';
  if (typeof r['subnet'] !== 'string' || subnetIndex(range, r['subnet']) === undefined) {
    return `subnet is not a /24 of ${range.text}`;
  }
  if ('private_key' in r && r['private_key'] !== undefined && !isWgKey(r['private_key'])) {
    return 'private_key is not a WireGuard key';
  }
  return undefined;
}

/**
 * The entries of one workload's metadata that are usable; the others are named in `problems` (they are
 * dropped: grid_client would make a broken config of them).
 */
export function readUserAccesses(
  range: IpRange,
  metadata: string,
): { entries: UserAccess[]; problems: string[] } {
  const { value, ok } = parseWorkloadMetadata(metadata);
  const problems: string[] = ok ? [] : ['metadata is not a JSON object'];
  const list = value['user_accesses'];
  if (list === undefined || list === null) return { entries: [], problems };
  if (!Array.isArray(list)) return { entries: [], problems: [...problems, 'user_accesses is not a list'] };
  const entries: UserAccess[] = [];
  list.forEach((e: unknown, i) => {
    const problem = entryProblem(range, e);
    if (problem) problems.push(`user_accesses[${i}]: ${problem}`);
    else entries.push(e as UserAccess);
  });
  return { entries, problems };
}

/**
 * The union of several workloads' lists, in first-seen order, one entry per subnet (a subnet is one
 * device's). When two workloads disagree on a subnet the first entry is kept, unless only a later one
 * carries the private key (it is the more useful of the two for the dashboard).
 */
export function mergeUserAccesses(lists: ReadonlyArray<readonly UserAccess[]>): UserAccess[] {
  const bySubnet = new Map<string, UserAccess>();
  for (const list of lists) {
    for (const e of list) {
      const seen = bySubnet.get(e.subnet);
      if (!seen || (seen.private_key === undefined && e.private_key !== undefined)) bySubnet.set(e.subnet, e);
    }
  }
  return [...bySubnet.values()];
}

/**
 * The workload metadata with `version` 3 and this `user_accesses` list, every other field kept, in the
 * key order grid_client produces (it parses, assigns both keys, and stringifies). Metadata that is not a
 * JSON object is replaced (grid_client's load would throw on it).
 */
export function writeUserAccesses(metadata: string, entries: readonly UserAccess[]): string {
  const { value } = parseWorkloadMetadata(metadata);
  value['version'] = 3;
  value['user_accesses'] = entries;
  return JSON.stringify(value);
}

/** An entry as grid_client writes one (`{node_id, private_key, subnet}`), the key omitted if not kept. */
export function userAccessEntry(nodeId: number, subnet: string, privateKey?: string): UserAccess {
  if (privateKey !== undefined && !isWgKey(privateKey)) throw new Grid3FormatError('not a WireGuard key');
  return privateKey === undefined
    ? { node_id: nodeId, subnet }
    : { node_id: nodeId, private_key: privateKey, subnet };
}
