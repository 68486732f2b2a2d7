/**
 * The data a devnet gridproxy indexes, as its injected source hands it over: the devnet's own view of nodes,
 * farms, twins and contracts, before gridproxy's derived fields (gridproxy-views.ts) are added.
 */
import type { PublicConfig, PublicIp } from '../../grid3/gridproxy-types.js';

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
