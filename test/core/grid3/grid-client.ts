/**
 * grid_client 2.9.2's own classes, for parity tests only (src/ never imports it). Its package `exports`
 * only ".", whose index loads the whole client (tfchain, RMB, stellar, algorand: ~2 250 modules); these are
 * loaded by file instead, from `dist/node` (the build `require` gets), with Node's require so that they
 * are the very CommonJS modules grid_client runs. Loading them opens no connection (checked by patching
 * net/tls/http/dns while loading): zos/* pulls @polkadot/keyring + wasm-crypto, class-transformer,
 * class-validator, crypto-js and axios (~830 modules); primitives/deployment.js (DeploymentFactory) pulls
 * ./nodes and with it most of the client, still without connecting.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** `.../@threefold/grid_client/dist/node` (resolving does not load the index). */
export const GRID_CLIENT_DIST = dirname(require.resolve('@threefold/grid_client'));
const gcRequire = createRequire(join(GRID_CLIENT_DIST, 'index.js'));
const load = <T>(file: string): T => gcRequire(join(GRID_CLIENT_DIST, file)) as T;

type Ctor<T> = new () => T;

export interface GcChallengeable {
  challenge(): string;
}
export interface GcDeployment extends GcChallengeable {
  version: number;
  twin_id: number;
  contract_id: number;
  expiration: number;
  metadata: string;
  description: string;
  workloads: GcWorkload[];
  signature_requirement: GcSignatureRequirement;
  challenge_hash(): string;
  from_hex(s: string): Uint8Array;
  sign(twinId: number, mnemonic: string, type: 'ed25519' | 'sr25519', hash?: string): Promise<void>;
}
export interface GcSignatureRequirement extends GcChallengeable {
  requests: GcSignatureRequest[];
  weight_required: number;
  signatures: Array<{ twin_id: number; signature: string; signature_type: string }>;
}
export interface GcSignatureRequest extends GcChallengeable {
  twin_id: number;
  required: boolean;
  weight: number;
}
export interface GcWorkload extends GcChallengeable {
  version: number;
  name: string;
  type: string;
  data: GcChallengeable;
  metadata: string;
  description: string;
}
export interface GcZnet extends GcChallengeable {
  ip_range: string;
  subnet: string;
  wireguard_private_key: string;
  wireguard_listen_port: number;
  peers: GcPeer[];
  mycelium?: GcMycelium;
}
export interface GcPeer extends GcChallengeable {
  subnet: string;
  wireguard_public_key: string;
  allowed_ips: string[];
  endpoint: string;
}
export interface GcMycelium extends GcChallengeable {
  hex_key: string;
  peers: string[];
}
export interface GcZmount extends GcChallengeable {
  size: number;
}
export interface GcDeploymentFactory {
  create(
    workloads: GcWorkload[],
    expiration: number,
    metadata?: string,
    description?: string,
    version?: number,
  ): GcDeployment;
  fromObj(plain: unknown): Promise<GcDeployment>;
}

export const gc = {
  ...load<{
    Deployment: Ctor<GcDeployment>;
    SignatureRequirement: Ctor<GcSignatureRequirement>;
    SignatureRequest: Ctor<GcSignatureRequest>;
  }>('zos/deployment.js'),
  ...load<{ Workload: Ctor<GcWorkload>; WorkloadTypes: Record<string, string> }>('zos/workload.js'),
  ...load<{ Znet: Ctor<GcZnet>; Peer: Ctor<GcPeer>; Mycelium: Ctor<GcMycelium> }>('zos/znet.js'),
  ...load<{ Zmount: Ctor<GcZmount> }>('zos/zmount.js'),
};

export function deploymentFactory(twinId: number): GcDeploymentFactory {
  const { DeploymentFactory } = load<{
    DeploymentFactory: new (config: { twinId: number }) => GcDeploymentFactory;
  }>('primitives/deployment.js');
  return new DeploymentFactory({ twinId });
}

/** The @polkadot/util-crypto grid_client's keyring uses (sr25519 and ed25519 from a mnemonic). */
export function polkadotCrypto() {
  return gcRequire('@polkadot/util-crypto') as {
    cryptoWaitReady(): Promise<boolean>;
    mnemonicToMiniSecret(mnemonic: string): Uint8Array;
    ed25519PairFromSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
    sr25519PairFromSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
    sr25519Verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  };
}
