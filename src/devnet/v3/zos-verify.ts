/**
 * What a devnet node checks in a deployment before and after it takes it, in 0-OS's order and words:
 *
 * - decoding: zos `json.Unmarshal`s the payload into `gridtypes.Deployment`; a value of the wrong JSON
 *   type is refused, a missing field is its zero value, unknown fields are ignored (`decodeDeployment`).
 * - `Valid()` (zosbase pkg/gridtypes/deployment.go, workload.go, id.go, zos/network.go): workload versions
 *   not above the deployment's, names `^[a-zA-Z0-9_]+$` of at most 36 characters and not "ygg", unique
 *   names, a known type, data that decodes, and the network rules (ip_range, subnet, private key
 *   non-empty; each peer with a subnet, ≥ 1 allowed IP and a key; mycelium key of 32 bytes, no peers).
 * - `Verify()` (deployment.go): every signature request is checked with the requesting twin's chain key
 *   (sr25519 when the signature says so, else ed25519) over the 16 challenge-hash bytes; the deployer's
 *   request is forced to be required, must be present, and the weights must reach `weight_required`.
 * - `Upgrade()` (deployment.go): twin and contract unchanged, `version == old.version + 1`, new workloads
 *   at that version, no type change; only workloads at the new version are updated.
 * - the contract (pkg/provision/engine.go `validate`): a node contract of this node whose
 *   `deployment_hash` is the challenge hash.
 *
 * Everything here reads untrusted input: every value is type-checked before use and nothing is evaluated.
 * Addresses are read as Go reads them (`net.ParseCIDR`) and re-written in Go's form before hashing, via
 * src/core/grid3/canonical.ts, so the hash here is the one zos computes even for text a client did not
 * write canonically.
 */
import { accountPublicKey, verifyEd25519, verifySr25519 } from '../../core/grid3/account.js';
import { canonicalPrefix, Grid3FormatError } from '../../core/grid3/canonical.js';
import { challengeHash, challengeHashHex } from '../../core/grid3/challenge.js';
import type {
  Deployment,
  NetworkData,
  NetworkPeer,
  Signature,
  SignatureRequest,
  Workload,
  WorkloadResult,
} from '../../core/grid3/deployment.js';
import type { NodeContract } from '../../grid3/tfchain/types.js';

/** An error whose message is what zos answers (an RMB error, or a workload result's `message`). */
export class ZosError extends Error {
  override name = 'ZosError';
}

/** A workload as zos stores it: `data` is kept exactly as received (zos keeps the raw JSON). */
export interface ZosWorkload {
  version: number;
  name: string;
  type: string;
  data: unknown;
  metadata: string;
  description: string;
  result: WorkloadResult;
}

export interface ZosDeployment {
  version: number;
  twin_id: number;
  contract_id: number;
  metadata: string;
  description: string;
  expiration: number;
  signature_requirement: {
    requests: SignatureRequest[];
    weight_required: number;
    signatures: Signature[];
    signature_style: string;
  };
  workloads: ZosWorkload[];
}

/** The workload types this node runs: the network, and zmount as a stand-in (no disk is made). */
export const SUPPORTED_TYPES = ['network', 'zmount'] as const;

const UINT16 = 0xffff;
const UINT32 = 0xffff_ffff;

const jsonKind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;

function typeError(v: unknown, field: string, goType: string): ZosError {
  // Go's UnmarshalTypeError text.
  return new ZosError(
    `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${goType}`,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a payload's `__proto__` or `constructor` key is data, never a prototype. */
function field(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function uintField(o: Record<string, unknown>, key: string, where: string, max: number, goType: string) {
  const v = field(o, key);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
    throw typeError(v, where, goType);
  return v;
}

function intField(o: Record<string, unknown>, key: string, where: string): number {
  const v = field(o, key);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw typeError(v, where, 'gridtypes.Timestamp');
  return v;
}

function stringField(o: Record<string, unknown>, key: string, where: string, goType = 'string'): string {
  const v = field(o, key);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, where, goType);
  return v;
}

function boolField(o: Record<string, unknown>, key: string, where: string): boolean {
  const v = field(o, key);
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw typeError(v, where, 'bool');
  return v;
}

function arrayField(o: Record<string, unknown>, key: string, where: string, goType: string): unknown[] {
  const v = field(o, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError(v, where, goType);
  return v;
}

function objectOf(v: unknown, where: string, goType: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw typeError(v, where, goType);
  return v;
}

const MAX_WORKLOADS = 256;
const MAX_REQUESTS = 64;

/** The payload of `zos.deployment.deploy` / `update` as zos decodes it; throws ZosError. */
export function decodeDeployment(payload: unknown): ZosDeployment {
  if (!isObject(payload)) throw typeError(payload, 'Deployment', 'gridtypes.Deployment');
  const o = payload;
  const sr = objectOf(
    field(o, 'signature_requirement'),
    'Deployment.signature_requirement',
    'gridtypes.SignatureRequirement',
  );
  const requests = arrayField(
    sr,
    'requests',
    'SignatureRequirement.requests',
    '[]gridtypes.SignatureRequest',
  );
  const signatures = arrayField(sr, 'signatures', 'SignatureRequirement.signatures', '[]gridtypes.Signature');
  const workloads = arrayField(o, 'workloads', 'Deployment.workloads', '[]gridtypes.Workload');
  // Bounds zos has not: a devnet node should not spend a key lookup per entry of a hostile list.
  if (requests.length > MAX_REQUESTS || signatures.length > MAX_REQUESTS || workloads.length > MAX_WORKLOADS)
    throw new ZosError('deployment too large');
  return {
    version: uintField(o, 'version', 'Deployment.version', UINT32, 'uint32'),
    twin_id: uintField(o, 'twin_id', 'Deployment.twin_id', UINT32, 'uint32'),
    contract_id: uintField(o, 'contract_id', 'Deployment.contract_id', Number.MAX_SAFE_INTEGER, 'uint64'),
    metadata: stringField(o, 'metadata', 'Deployment.metadata'),
    description: stringField(o, 'description', 'Deployment.description'),
    expiration: intField(o, 'expiration', 'Deployment.expiration'),
    signature_requirement: {
      requests: requests.map((r) => {
        const q = objectOf(r, 'SignatureRequirement.requests', 'gridtypes.SignatureRequest');
        return {
          twin_id: uintField(q, 'twin_id', 'SignatureRequest.twin_id', UINT32, 'uint32'),
          required: boolField(q, 'required', 'SignatureRequest.required'),
          weight: uintField(q, 'weight', 'SignatureRequest.weight', Number.MAX_SAFE_INTEGER, 'uint'),
        };
      }),
      weight_required: uintField(
        sr,
        'weight_required',
        'SignatureRequirement.weight_required',
        Number.MAX_SAFE_INTEGER,
        'uint',
      ),
      signatures: signatures.map((s) => {
        const g = objectOf(s, 'SignatureRequirement.signatures', 'gridtypes.Signature');
        return {
          twin_id: uintField(g, 'twin_id', 'Signature.twin_id', UINT32, 'uint32'),
          signature: stringField(g, 'signature', 'Signature.signature'),
          signature_type: stringField(
            g,
            'signature_type',
            'Signature.signature_type',
          ) as Signature['signature_type'],
        };
      }),
      signature_style: stringField(
        sr,
        'signature_style',
        'SignatureRequirement.signature_style',
        'gridtypes.SignatureStyle',
      ),
    },
    workloads: workloads.map((w) => {
      const x = objectOf(w, 'Deployment.workloads', 'gridtypes.Workload');
      return {
        version: uintField(x, 'version', 'Workload.version', UINT32, 'uint32'),
        name: stringField(x, 'name', 'Workload.name', 'gridtypes.Name'),
        type: stringField(x, 'type', 'Workload.type', 'gridtypes.WorkloadType'),
        // json.RawMessage: anything, kept as is; a missing one is JSON null.
        data: field(x, 'data') ?? null,
        metadata: stringField(x, 'metadata', 'Workload.metadata'),
        description: stringField(x, 'description', 'Workload.description'),
        // The result is the node's to write: whatever the client sent is dropped.
        result: { created: 0, state: 'init', message: '', data: null } as WorkloadResult,
      };
    }),
  };
}

/** gridtypes `IsValidName`, with its messages. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'name cannot be empty';
  if (name.length > 36) return 'name cannot exceed 36 characters';
  if (!/^[a-zA-Z0-9_]+$/.test(name)) return 'unsupported character in workload name';
  if (name === 'ygg') return `invalid name '${name}' is reserved`;
  return undefined;
}

/** A prefix as Go's `gridtypes.IPNet` reads it: "" is the nil IPNet, anything else is re-written canonically. */
function ipNet(v: unknown, where: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') throw typeError(v, where, 'gridtypes.IPNet');
  try {
    return canonicalPrefix(v);
  } catch (e) {
    if (e instanceof Grid3FormatError) throw new ZosError(`invalid CIDR address: ${v.slice(0, 100)}`);
    throw e;
  }
}

/** The network workload's data decoded as `zos.Network` (prefixes canonical), or a ZosError. */
export function decodeNetwork(raw: unknown): NetworkData {
  const wrap = (e: unknown): never => {
    throw new ZosError(
      `failed to load data into object of type '*zos.Network': ${e instanceof Error ? e.message : String(e)}`,
    );
  };
  try {
    const o = objectOf(raw, 'Network', 'zos.Network');
    const peers = arrayField(o, 'peers', 'Network.peers', '[]zos.Peer');
    if (peers.length > 1024) throw new ZosError('too many peers');
    const net: NetworkData = {
      ip_range: ipNet(field(o, 'ip_range'), 'Network.ip_range'),
      subnet: ipNet(field(o, 'subnet'), 'Network.subnet'),
      wireguard_private_key: stringField(o, 'wireguard_private_key', 'Network.wireguard_private_key'),
      wireguard_listen_port: uintField(
        o,
        'wireguard_listen_port',
        'Network.wireguard_listen_port',
        UINT16,
        'uint16',
      ),
      peers: peers.map((p): NetworkPeer => {
        const q = objectOf(p, 'Network.peers', 'zos.Peer');
        const allowed = arrayField(q, 'allowed_ips', 'Peer.allowed_ips', '[]gridtypes.IPNet');
        if (allowed.length > 1024) throw new ZosError('too many allowed IPs');
        return {
          subnet: ipNet(field(q, 'subnet'), 'Peer.subnet'),
          wireguard_public_key: stringField(q, 'wireguard_public_key', 'Peer.wireguard_public_key'),
          allowed_ips: allowed.map((a) => ipNet(a, 'Peer.allowed_ips')),
          endpoint: stringField(q, 'endpoint', 'Peer.endpoint'),
        };
      }),
    };
    const m = field(o, 'mycelium');
    if (m !== undefined && m !== null) {
      const y = objectOf(m, 'Network.mycelium', 'zos.Mycelium');
      const key = stringField(y, 'hex_key', 'Mycelium.hex_key', 'zos.Bytes');
      // zos.Bytes is hex text; zos hashes the bytes as lowercase hex.
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(key)) throw new ZosError('encoding/hex: invalid byte');
      net.mycelium = {
        hex_key: key.toLowerCase(),
        peers: arrayField(y, 'peers', 'Mycelium.peers', '[]zos.MyceliumPeer').map((p) => {
          if (typeof p !== 'string') throw typeError(p, 'Mycelium.peers', 'zos.MyceliumPeer');
          return p;
        }),
      };
    }
    return net;
  } catch (e) {
    return wrap(e);
  }
}

/** `zos.Network.Valid`, with its messages. */
function networkValid(n: NetworkData): void {
  if (n.ip_range === '') throw new ZosError('network IP range cannot be empty');
  if (n.subnet === '') throw new ZosError('network resource subnet cannot empty');
  if (n.wireguard_private_key === '')
    throw new ZosError('network resource wireguard private key cannot empty');
  for (const p of n.peers) {
    if (p.subnet === '') throw new ZosError('peer wireguard subnet cannot empty');
    if (p.allowed_ips.length === 0) throw new ZosError('peer wireguard allowedIPs cannot empty');
    if (p.wireguard_public_key === '') throw new ZosError('peer wireguard public key cannot empty');
  }
  if (n.mycelium) {
    if (n.mycelium.hex_key.length !== 64) throw new ZosError('invalid mycelium key length, expected 32');
    if (n.mycelium.peers.length !== 0)
      throw new ZosError('user defined peers list is not supported right now');
  }
}

function zmountSize(raw: unknown): number {
  try {
    const o = objectOf(raw, 'ZMount', 'zos.ZMount');
    return uintField(o, 'size', 'ZMount.size', Number.MAX_SAFE_INTEGER, 'gridtypes.Unit');
  } catch (e) {
    throw new ZosError(`failed to load data into object of type '*zos.ZMount': ${(e as Error).message}`);
  }
}

/** One workload decoded to the typed form the challenge needs. */
export function typedWorkload(w: ZosWorkload): Workload {
  const base = { version: w.version, name: w.name, metadata: w.metadata, description: w.description };
  if (w.type === 'network') return { ...base, type: 'network', data: decodeNetwork(w.data) };
  if (w.type === 'zmount') return { ...base, type: 'zmount', data: { size: zmountSize(w.data) } };
  throw new ZosError(`invalid reservation type '${w.type}'`);
}

/** `Deployment.Valid()`; throws ZosError with zos's message. */
export function zosValid(d: ZosDeployment): void {
  const names = new Set<string>();
  for (const wl of d.workloads) {
    if (wl.version > d.version)
      throw new ZosError(
        `workload '${wl.name}' version '${wl.version}' cannot be higher than deployment version '${d.version}'`,
      );
    const bad = nameProblem(wl.name);
    if (bad) throw new ZosError(`name '${wl.name}' is invalid: ${bad}`);
    if (names.has(wl.name)) throw new ZosError(`multiple workloads with the same name '${wl.name}'`);
    names.add(wl.name);
    // Workload.Valid: the type is known and its data decodes and is valid.
    if (!(SUPPORTED_TYPES as readonly string[]).includes(wl.type))
      throw new ZosError(`invalid reservation type '${wl.type}'`);
    const typed = typedWorkload(wl);
    if (typed.type === 'network') networkValid(typed.data);
  }
}

/** The deployment in the typed form of src/core/grid3 (what the challenge is computed over). */
export function typedDeployment(d: ZosDeployment): Deployment {
  if (d.signature_requirement.signature_style !== '')
    // "polka-wallet" signs `<Bytes>hex</Bytes>`; no client of this project writes it, so it is refused.
    throw new ZosError(`signature style '${d.signature_requirement.signature_style}' is not supported here`);
  return {
    version: d.version,
    twin_id: d.twin_id,
    contract_id: d.contract_id,
    metadata: d.metadata,
    description: d.description,
    expiration: d.expiration,
    signature_requirement: {
      requests: d.signature_requirement.requests,
      weight_required: d.signature_requirement.weight_required,
      signatures: d.signature_requirement.signatures,
      signature_style: '',
    },
    workloads: d.workloads.map(typedWorkload),
  };
}

/** `Deployment.ChallengeHash()` as 32 lowercase hex characters (what the contract must hold). */
export function zosChallengeHashHex(d: ZosDeployment): string {
  try {
    return challengeHashHex(typedDeployment(d));
  } catch (e) {
    if (e instanceof Grid3FormatError) throw new ZosError(`failed to compute deployment hash: ${e.message}`);
    throw e;
  }
}

/** The chain account of a twin (zos `Twins.GetKey`): 32 public-key bytes, or a ZosError. */
export type TwinKeyGetter = (twinId: number) => Promise<Uint8Array>;

/** `Deployment.Verify(getter)`; throws ZosError with zos's message. */
export async function zosVerify(d: ZosDeployment, getKey: TwinKeyGetter): Promise<void> {
  let message: Uint8Array;
  try {
    message = challengeHash(typedDeployment(d));
  } catch (e) {
    if (e instanceof Grid3FormatError) throw new ZosError(e.message);
    throw e;
  }
  const req = d.signature_requirement;
  const signatureOf = (twin: number) => req.signatures.find((s) => s.twin_id === twin);
  let originatorFound = false;
  let weight = 0;
  for (const request of req.requests) {
    let required = request.required;
    if (request.twin_id === d.twin_id) {
      originatorFound = true;
      // zos forces the deployer's own signature to be required.
      required = true;
    }
    const signature = signatureOf(request.twin_id);
    if (!signature && required)
      throw new ZosError(`missing required signature for twin '${request.twin_id}'`);
    let key: Uint8Array;
    try {
      key = await getKey(request.twin_id);
    } catch (e) {
      throw new ZosError(`failed to get public key for twin '${request.twin_id}': ${(e as Error).message}`);
    }
    const hex = signature?.signature ?? '';
    if (hex.length % 2 !== 0) throw new ZosError('invalid signature: encoding/hex: odd length hex string');
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new ZosError('invalid signature: encoding/hex: invalid byte');
    const sig = new Uint8Array(Buffer.from(hex, 'hex'));
    const ok =
      signature?.signature_type === 'sr25519'
        ? verifySr25519(message, sig, key)
        : verifyEd25519(message, sig, key);
    if (!ok) throw new ZosError('failed to verify signature');
    weight += request.weight;
  }
  if (!originatorFound) throw new ZosError('originator twin id must be in the signature requests');
  if (weight < req.weight_required) throw new ZosError('required signature weight is not reached');
}

/** The 32-byte key of an account id as the chain gives it (SS58 or 0x hex). */
export function accountKey(accountId: string): Uint8Array {
  return accountPublicKey(accountId);
}

export type UpgradeOp =
  { op: 'add' | 'update'; workload: ZosWorkload } | { op: 'remove'; workload: ZosWorkload };

/**
 * `Deployment.Upgrade(next)`: the operations that turn `current` into `next`, or a ZosError (wrapped by the
 * caller as zos does). Workloads of `next` below the new version are not operations: they keep what is
 * stored (data and result).
 */
export function zosUpgrade(current: ZosDeployment, next: ZosDeployment): UpgradeOp[] {
  try {
    zosValid(next);
  } catch (e) {
    throw new ZosError(`new deployment is invalid: ${(e as Error).message}`);
  }
  if (current.twin_id !== next.twin_id || current.contract_id !== next.contract_id)
    throw new ZosError('cannot change deployment or twin id');
  const expected = current.version + 1;
  if (next.version !== expected)
    throw new ZosError(`expecting deployment version ${expected}, got ${next.version}`);
  const byName = new Map(current.workloads.map((w) => [w.name, w]));
  const ops: UpgradeOp[] = [];
  for (const wl of next.workloads) {
    const older = byName.get(wl.name);
    if (!older) {
      if (wl.version !== expected)
        throw new ZosError(`invalid version number for workload '${wl.name}' expected '${expected}'`);
      ops.push({ op: 'add', workload: wl });
    } else {
      if (older.type !== wl.type) throw new ZosError(`cannot change workload type '${wl.name}'`);
      if (wl.version === expected) ops.push({ op: 'update', workload: { ...wl, result: older.result } });
    }
    byName.delete(wl.name);
  }
  for (const wl of byName.values()) ops.push({ op: 'remove', workload: wl });
  return ops;
}

/**
 * The contract check zos runs before it installs (engine.go `validate`), plus one zos leaves to the hash:
 * the contract's owner must be the deployment's twin. A cancelled contract (devnet: state Deleted; the
 * live chain: gone) counts as missing.
 */
export function contractProblem(
  contract: NodeContract | null,
  d: ZosDeployment,
  nodeId: number,
): string | undefined {
  if (!contract || contract.state === 'Deleted')
    return `failed to get deployment contract: contract ${d.contract_id} not found`;
  if (contract.nodeId !== nodeId) return 'invalid node address in contract';
  // zos does not compare owners (the hash binds the deployment's twin_id, which must be the sender and the
  // signer); checking it costs nothing and makes a borrowed contract id fail early and plainly.
  if (contract.twinId !== d.twin_id) return 'twin id mismatch';
  let hash: string;
  try {
    hash = zosChallengeHashHex(d);
  } catch (e) {
    return (e as Error).message;
  }
  if (contract.deploymentHash.toLowerCase() !== hash) return 'contract hash does not match deployment hash';
  return undefined;
}
