/**
 * Grid v3 deployments as 0-OS takes them over RMB (`zos.deployment.deploy` / `update`), with the exact JSON
 * names of zosbase `pkg/gridtypes/deployment.go`, `workload.go` and `zos/{network,zmount}.go`, which
 * `@threefold/grid_client` 2.9.2 `dist/node/zos/*.js` mirrors. `JSON.stringify` of these objects is what a
 * node receives. Only the workload types this project writes are modelled: `network` (the WireGuard mesh)
 * and `zmount` (a disk, the simplest other type, used to prove a multi-workload challenge).
 *
 * Numbers are JSON numbers: versions and twin ids are uint32 in zos, `contract_id` uint64 (safe integers
 * only here), `expiration` an int64 Unix time (deprecated, 0), sizes in bytes.
 */

export type SignatureType = 'sr25519' | 'ed25519';

/** A twin whose signature counts towards `weight_required` (zos forces the deployer's to be required). */
export interface SignatureRequest {
  twin_id: number;
  required: boolean;
  weight: number;
}

/** `signature` is the hex of the signature over the 16 raw bytes of the challenge hash. */
export interface Signature {
  twin_id: number;
  signature: string;
  signature_type: SignatureType;
}

/**
 * `signature_style` is part of zos's challenge but not grid_client's: it must stay "" (zos's default, a
 * signature over the hash bytes; "polka-wallet" would sign `<Bytes>hex</Bytes>` and change the hash).
 * grid_client does not send it; zos reads a missing one as "".
 */
export interface SignatureRequirement {
  requests: SignatureRequest[];
  weight_required: number;
  signatures: Signature[];
  signature_style?: '';
}

/** zosbase `ResultState`: set by the node, never hashed. */
export type ResultState = 'init' | 'unchanged' | 'error' | 'ok' | 'deleted' | 'paused';

export interface WorkloadResult {
  created: number;
  state: ResultState;
  /** The error when `state` is "error". */
  message: string;
  data: unknown;
}

/** A peer of a network resource: another node's, or an access's (a laptop's, `endpoint: ""`). */
export interface NetworkPeer {
  /** The peer's /24 of the network's ip_range, canonical (see canonical.ts). */
  subnet: string;
  /** base64 of the peer's X25519 public key. */
  wireguard_public_key: string;
  /** Canonical prefixes: the subnet and the peer's `100.64.b.c/32`, or all it routes for. */
  allowed_ips: string[];
  /** `a.b.c.d:port`, `[v6]:port`, or "" for a peer that only dials in. Hashed exactly as written. */
  endpoint: string;
}

/** Optional mycelium of a network resource; zos refuses any `peers` for now. */
export interface Mycelium {
  /** 32 bytes, lowercase hex (zos hashes its bytes as lowercase hex, grid_client the string as written). */
  hex_key: string;
  peers: string[];
}

/** The `network` workload's data: one node's resource of a network (zos `zos.Network`). */
export interface NetworkData {
  /** The network's private IPv4 /16, canonical. */
  ip_range: string;
  /** This node's /24 of it, canonical. */
  subnet: string;
  /** base64 of this node's X25519 private key (in the clear; the RMB envelope is encrypted). */
  wireguard_private_key: string;
  wireguard_listen_port: number;
  peers: NetworkPeer[];
  mycelium?: Mycelium;
}

/** The `zmount` workload's data: a disk of `size` bytes. */
export interface ZmountData {
  size: number;
}

interface WorkloadBase {
  version: number;
  /** See `isValidWorkloadName`; unique in the deployment; a network's is the network's name. */
  name: string;
  metadata: string;
  description: string;
  /** Filled by the node; absent (or ignored) in what is sent. */
  result?: WorkloadResult;
}

export interface NetworkWorkload extends WorkloadBase {
  type: 'network';
  data: NetworkData;
}

export interface ZmountWorkload extends WorkloadBase {
  type: 'zmount';
  data: ZmountData;
}

export type Workload = NetworkWorkload | ZmountWorkload;
export type WorkloadType = Workload['type'];

export interface Deployment {
  /** 0 on creation, +1 on each update (zos checks `old.version + 1`). */
  version: number;
  twin_id: number;
  /** The node contract's id, set after the contract is created; not part of the challenge. */
  contract_id: number;
  metadata: string;
  description: string;
  /** Deprecated in zos; grid_client sends 0. */
  expiration: number;
  signature_requirement: SignatureRequirement;
  workloads: Workload[];
}

/**
 * zosbase `IsValidName`: 1–36 characters of `[a-zA-Z0-9_]`, not "ygg". (grid_client's models stop names
 * at 35 characters, `NameLength` in `modules/models.js`.)
 */
export function isValidWorkloadName(name: string): boolean {
  return /^[a-zA-Z0-9_]{1,36}$/.test(name) && name !== 'ygg';
}
