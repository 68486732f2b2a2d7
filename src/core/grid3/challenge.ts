/**
 * The deployment's challenge, as zos computes it (zosbase `Deployment.Challenge`, `Workload.Challenge`,
 * `Network.Challenge`, `Peer.Challenge`, `Mycelium.Challenge`, `ZMount.Challenge`) and as grid_client 2.9.2
 * does (`dist/node/zos/{deployment,workload,znet,zmount}.js`): one string, fields concatenated without
 * separators, numbers in decimal, booleans `true`/`false`:
 *
 *   deployment  version twin_id metadata description expiration, each workload, each signature request
 *               (twin_id required weight), weight_required, signature_style (zos only, so "")
 *               — contract_id is left out (the contract is created from this hash first)
 *   workload    version name type metadata description, then its data
 *   network     ip_range subnet wireguard_private_key wireguard_listen_port, each peer
 *               (wireguard_public_key endpoint subnet, then each allowed IP), then the mycelium
 *               hex_key and each of its peers
 *   zmount      size
 *
 * Its MD5 is the challenge hash: the 16 bytes are what the deployer signs (ed25519 or sr25519, hex in
 * `signature_requirement.signatures`), and the node contract's `deployment_hash` holds the ASCII of the 32
 * lowercase hex characters. Where zos re-serialises a value (prefixes, the mycelium key) and grid_client
 * hashes the text, only one form agrees; `deploymentChallenge` refuses any other with a Grid3FormatError,
 * so a hash it returns is the one the node computes.
 *
 * sr25519 (the chain account's scheme, signing context "substrate") is not implemented here: the library
 * grid_client uses for it (@polkadot/util-crypto over @polkadot/wasm-crypto) is only a development
 * dependency of this project, through grid_client. `signDeployment` takes any `DeploymentSigner` and
 * `verifyDeploymentSignature` an sr25519 verify function, so one can be plugged in (test/core/grid3 does so
 * with @polkadot's and verifies grid_client's own sr25519 signatures).
 */
import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import { identityFromSeed } from '../crypto/identity-keys.js';
import { assertCanonicalPrefix, Grid3FormatError } from './canonical.js';
import type {
  Deployment,
  Mycelium,
  NetworkData,
  Signature,
  SignatureRequirement,
  SignatureType,
  Workload,
} from './deployment.js';

const UINT32_MAX = 0xffff_ffff;

function uint(value: number, where: string, max = Number.MAX_SAFE_INTEGER): string {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new Grid3FormatError(`${where}: ${value} is not an integer in 0–${max}`);
  }
  return String(value);
}

function int(value: number, where: string): string {
  if (!Number.isSafeInteger(value)) throw new Grid3FormatError(`${where}: ${value} is not an integer`);
  return String(value);
}

// In a /u pattern a surrogate range matches only surrogates that are not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Hashed as UTF-8; a lone surrogate would be U+FFFD in Go and an exception in crypto-js. */
function text(value: string, where: string): string {
  if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
    throw new Grid3FormatError(`${where}: not a well-formed string`);
  }
  return value;
}

function prefix(value: string, where: string): string {
  assertCanonicalPrefix(value, where);
  return value;
}

function myceliumChallenge(m: Mycelium, where: string): string {
  if (!/^[0-9a-f]{64}$/.test(m.hex_key)) {
    throw new Grid3FormatError(`${where}.hex_key: must be 32 bytes in lowercase hex`);
  }
  return m.hex_key + (m.peers ?? []).map((p, i) => text(p, `${where}.peers[${i}]`)).join('');
}

function networkChallenge(n: NetworkData, where: string): string {
  let out = prefix(n.ip_range, `${where}.ip_range`);
  out += prefix(n.subnet, `${where}.subnet`);
  out += text(n.wireguard_private_key, `${where}.wireguard_private_key`);
  out += uint(n.wireguard_listen_port, `${where}.wireguard_listen_port`, 0xffff);
  n.peers.forEach((p, i) => {
    const at = `${where}.peers[${i}]`;
    out += text(p.wireguard_public_key, `${at}.wireguard_public_key`);
    out += text(p.endpoint, `${at}.endpoint`);
    out += prefix(p.subnet, `${at}.subnet`);
    p.allowed_ips.forEach((a, j) => (out += prefix(a, `${at}.allowed_ips[${j}]`)));
  });
  if (n.mycelium) out += myceliumChallenge(n.mycelium, `${where}.mycelium`);
  return out;
}

function workloadChallenge(w: Workload, where: string): string {
  let out = uint(w.version, `${where}.version`, UINT32_MAX);
  out += text(w.name, `${where}.name`);
  out += w.type;
  out += text(w.metadata, `${where}.metadata`);
  out += text(w.description, `${where}.description`);
  switch (w.type) {
    case 'network':
      return out + networkChallenge(w.data, `${where}.data`);
    case 'zmount':
      return out + uint(w.data.size, `${where}.data.size`);
    default:
      throw new Grid3FormatError(`${where}: unsupported workload type "${(w as { type: string }).type}"`);
  }
}

function requirementChallenge(r: SignatureRequirement): string {
  let out = '';
  r.requests.forEach((q, i) => {
    const at = `signature_requirement.requests[${i}]`;
    out += uint(q.twin_id, `${at}.twin_id`, UINT32_MAX);
    if (typeof q.required !== 'boolean') throw new Grid3FormatError(`${at}.required: not a boolean`);
    out += String(q.required);
    out += uint(q.weight, `${at}.weight`);
  });
  out += uint(r.weight_required, 'signature_requirement.weight_required');
  if ((r.signature_style ?? '') !== '') {
    throw new Grid3FormatError('signature_requirement.signature_style: only "" is supported');
  }
  return out;
}

/** The challenge string (grid_client's `Deployment.challenge()`); throws Grid3FormatError. */
export function deploymentChallenge(d: Deployment): string {
  let out = uint(d.version, 'version', UINT32_MAX);
  out += uint(d.twin_id, 'twin_id', UINT32_MAX);
  out += text(d.metadata, 'metadata');
  out += text(d.description, 'description');
  out += int(d.expiration, 'expiration');
  d.workloads.forEach((w, i) => (out += workloadChallenge(w, `workloads[${i}]`)));
  return out + requirementChallenge(d.signature_requirement);
}

/** The 16 bytes of the challenge hash: what zos verifies signatures over. */
export function challengeHash(d: Deployment): Uint8Array {
  return new Uint8Array(createHash('md5').update(deploymentChallenge(d), 'utf8').digest());
}

/** 32 lowercase hex characters (grid_client's `challenge_hash()`). */
export function challengeHashHex(d: Deployment): string {
  return Buffer.from(challengeHash(d)).toString('hex');
}

/** The node contract's `deployment_hash`: the ASCII bytes of the hex hash. */
export function contractDeploymentHash(d: Deployment): Uint8Array {
  return new Uint8Array(Buffer.from(challengeHashHex(d), 'ascii'));
}

/** Signs the 16 challenge-hash bytes. */
export interface DeploymentSigner {
  readonly type: SignatureType;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * An ed25519 signer from a 32-byte seed. (A TFChain ed25519 account's seed is the mnemonic's mini-secret;
 * deriving it is the chain client's business, not this module's.)
 */
export function ed25519Signer(seed: Uint8Array): DeploymentSigner & { publicKey: Uint8Array } {
  const id = identityFromSeed(seed);
  return {
    type: 'ed25519',
    publicKey: id.publicKey,
    sign: (message) => nacl.sign.detached(message, id.secretKey),
  };
}

/**
 * A copy of `d` with `twin_id`'s signature over the challenge hash, replacing any earlier one of that
 * twin (as zos's `Deployment.Sign` does). Signatures are not part of the challenge.
 */
export async function signDeployment(
  d: Deployment,
  twinId: number,
  signer: DeploymentSigner,
): Promise<Deployment> {
  const signature = Buffer.from(await signer.sign(challengeHash(d))).toString('hex');
  const entry: Signature = { twin_id: twinId, signature, signature_type: signer.type };
  const others = d.signature_requirement.signatures.filter((s) => s.twin_id !== twinId);
  return {
    ...d,
    signature_requirement: { ...d.signature_requirement, signatures: [...others, entry] },
  };
}

export type Sr25519Verify = (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * Whether `signature` verifies over `d`'s challenge hash with `publicKey` (32 bytes), as zos checks it: a
 * type other than "sr25519" is read as ed25519. sr25519 needs `sr25519Verify`; without it, it throws.
 */
export function verifyDeploymentSignature(
  d: Deployment,
  signature: Signature,
  publicKey: Uint8Array,
  sr25519Verify?: Sr25519Verify,
): boolean {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(signature.signature)) return false;
  const sig = new Uint8Array(Buffer.from(signature.signature, 'hex'));
  const message = challengeHash(d);
  if (signature.signature_type === 'sr25519') {
    if (!sr25519Verify) throw new Grid3FormatError('sr25519 verification is not available here');
    return sr25519Verify(message, sig, publicKey);
  }
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  return nacl.sign.detached.verify(message, sig, publicKey);
}
