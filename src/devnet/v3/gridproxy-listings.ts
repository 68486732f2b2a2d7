/** The devnet gridproxy's farm, twin and contract lists, filtered and sorted as gridproxy does. */
import type { ServerResponse } from 'node:http';
import { page } from './gridproxy-paging.js';
import { checkFeatures, CONTRACT_FILTER, decode, FARM_FILTER, TWIN_FILTER } from './gridproxy-query.js';
import type { GridproxySource } from './gridproxy-source-types.js';
import { contractRecords, publicContract, twinRecord, type ContractRecord } from './gridproxy-views.js';

export async function listFarms(res: ServerResponse, u: URL, src: GridproxySource) {
  const { f, limit } = decode(u, FARM_FILTER);
  checkFeatures(f.node_features as string[] | undefined);
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

export async function listTwins(res: ServerResponse, u: URL, src: GridproxySource) {
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

export async function listContracts(res: ServerResponse, u: URL, src: GridproxySource) {
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
