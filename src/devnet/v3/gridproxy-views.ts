/**
 * gridproxy's derived views of the source's records, as its database views compute them: a node's status
 * from its last report and power state, `dedicated`/`rentable`/`rented` from farm, renter and contracts, the
 * farm's free IPs; a contract's farm joined through its node; a twin with its optional fields filled.
 */
import type {
  Resources,
  SourceFarm,
  SourceNode,
  SourceTwin,
  GridproxySource,
} from './gridproxy-source-types.js';

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

export type NodeRecord = ReturnType<typeof nodeRecord>;

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

export async function nodeRecords(src: GridproxySource, now: number): Promise<NodeRecord[]> {
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

export function twinRecord(t: SourceTwin) {
  return { twinId: t.twinId, accountId: t.accountId, relay: t.relay ?? '', publicKey: t.publicKey ?? '' };
}

export type ContractRecord = Awaited<ReturnType<typeof contractRecords>>[number];

export async function contractRecords(src: GridproxySource) {
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
export function publicContract({ contract_id, twin_id, state, created_at, type, details }: ContractRecord) {
  return { contract_id, twin_id, state, created_at, type, details };
}
