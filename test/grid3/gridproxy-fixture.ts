/**
 * One small made-up grid for the gridproxy tests: two farms (one dedicated), nodes in every status and
 * public-config shape, a renter, contracts of every type and state, and KYC outcomes. Documentation
 * addresses only (198.51.100.0/24, 2001:db8::/32); accounts are the well-known substrate dev accounts.
 */
import type {
  GridproxySource,
  SourceContract,
  SourceFarm,
  SourceKyc,
  SourceNode,
  SourceTwin,
} from '../../src/devnet/v3/gridproxy-server.js';

export const NOW = 1_800_000_000;

export const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
export const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
export const CHARLIE = '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y';
export const DAVE = '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy';

/** The deploying user: twin 42 (Alice). */
export const USER_TWIN = 42;

const full = [
  'zmount',
  'zdb',
  'volume',
  'ipv4',
  'ip',
  'network',
  'zmachine',
  'wireguard',
  'mycelium',
  'yggdrasil',
];
const light = ['zmount', 'zdb', 'volume', 'network-light', 'zmachine-light', 'mycelium'];

export const FARMS: SourceFarm[] = [
  {
    farmId: 1,
    name: 'devfarm',
    twinId: 201,
    publicIps: [
      { id: 'ip1', ip: '198.51.100.200/24', gateway: '198.51.100.1', contract_id: 0 },
      { id: 'ip2', ip: '198.51.100.201/24', gateway: '198.51.100.1', contract_id: 3 },
    ],
  },
  { farmId: 2, name: 'dedicated-farm', twinId: 202, dedicated: true },
  { farmId: 3, name: 'bulk', twinId: 203 },
];

export const NODES: SourceNode[] = [
  {
    nodeId: 11,
    farmId: 1,
    twinId: 101,
    updatedAt: NOW - 60,
    healthy: true,
    features: full,
    publicConfig: {
      ipv4: '198.51.100.11/24',
      gw4: '198.51.100.1',
      ipv6: '2001:db8::11/64',
      gw6: '2001:db8::1',
    },
    totalResources: { cru: 8, mru: 16 << 30, sru: 500 << 30, hru: 0 },
    usedResources: { cru: 2, mru: 4 << 30, sru: 0, hru: 0 },
  },
  {
    nodeId: 12,
    farmId: 1,
    twinId: 102,
    updatedAt: NOW - 600,
    healthy: true,
    features: light,
    publicConfig: { ipv6: '2001:db8::12/64', gw6: '2001:db8::1' },
    totalResources: { cru: 4 },
  },
  {
    nodeId: 13,
    farmId: 2,
    twinId: 103,
    updatedAt: NOW - 60,
    healthy: true,
    features: full,
    publicConfig: { ipv4: '198.51.100.13/24', gw4: '198.51.100.1' },
    rentedByTwinId: USER_TWIN,
    rentContractId: 4,
    totalResources: { cru: 16 },
  },
  // Last report 2 hours ago: down.
  {
    nodeId: 14,
    farmId: 1,
    twinId: 104,
    updatedAt: NOW - 7200,
    healthy: true,
    features: full,
    publicConfig: { ipv4: '198.51.100.14/24' },
  },
  // Powered off by the farmerbot 3 hours ago: standby.
  {
    nodeId: 15,
    farmId: 1,
    twinId: 105,
    updatedAt: NOW - 3 * 3600,
    power: { state: 'Down', target: 'Down' },
    features: full,
  },
  // Up but unhealthy, no public config, an extra fee (so not available for everyone).
  { nodeId: 16, farmId: 1, twinId: 106, updatedAt: NOW - 60, healthy: false, features: full, extraFee: 10 },
];

export const TWINS: SourceTwin[] = [
  { twinId: USER_TWIN, accountId: ALICE, relay: 'relay.dev.grid.tf', publicKey: '02' + 'ab'.repeat(32) },
  { twinId: 7, accountId: BOB, relay: 'relay.dev.grid.tf', publicKey: '' },
  { twinId: 8, accountId: CHARLIE },
  ...NODES.map((n) => ({ twinId: n.twinId, accountId: `5${'C'.repeat(45)}${n.nodeId}` })),
];

const meta = (name: string) => JSON.stringify({ version: 3, type: 'network', name, projectName: '' });

export const CONTRACTS: SourceContract[] = [
  {
    contract_id: 1,
    twin_id: USER_TWIN,
    state: 'Created',
    created_at: NOW - 1000,
    type: 'node',
    details: { nodeId: 11, deployment_data: meta('mynet'), deployment_hash: 'a'.repeat(32) },
  },
  {
    contract_id: 2,
    twin_id: USER_TWIN,
    state: 'GracePeriod',
    created_at: NOW - 900,
    type: 'node',
    details: { nodeId: 12, deployment_data: meta('mynet'), deployment_hash: 'b'.repeat(32) },
  },
  {
    contract_id: 3,
    twin_id: USER_TWIN,
    state: 'Deleted',
    created_at: NOW - 800,
    type: 'node',
    details: {
      nodeId: 11,
      deployment_data: meta('old'),
      deployment_hash: 'c'.repeat(32),
      number_of_public_ips: 1,
    },
  },
  {
    contract_id: 4,
    twin_id: USER_TWIN,
    state: 'Created',
    created_at: NOW - 700,
    type: 'rent',
    details: { nodeId: 13 },
  },
  {
    contract_id: 5,
    twin_id: USER_TWIN,
    state: 'Created',
    created_at: NOW - 600,
    type: 'name',
    details: { name: 'alicegw' },
  },
  {
    contract_id: 6,
    twin_id: 7,
    state: 'Created',
    created_at: NOW - 500,
    type: 'node',
    details: { nodeId: 12, deployment_data: meta('bobnet'), deployment_hash: 'd'.repeat(32) },
  },
];

export const KYC: Record<string, SourceKyc> = {
  [ALICE]: 'VERIFIED',
  [BOB]: 'PENDING',
  [CHARLIE]: 'REJECTED',
};

/** 60 more up nodes in farm 3 (ids 100–159) when `bulk`, to page past gridproxy's default size of 50. */
export function fixtureSource(opts: { bulk?: boolean } = {}): GridproxySource {
  const bulk: SourceNode[] = opts.bulk
    ? Array.from({ length: 60 }, (_, i) => ({
        nodeId: 100 + i,
        farmId: 3,
        twinId: 1000 + i,
        updatedAt: NOW - 30,
        features: light,
      }))
    : [];
  return {
    nodes: () => [...NODES, ...bulk],
    farms: () => FARMS,
    twins: () => TWINS,
    contracts: () => CONTRACTS,
    kyc: (a) => KYC[a],
  };
}
