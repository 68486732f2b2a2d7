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

// ---------------------------------------------------------------------------------------------------------
// grid_client's network planner (primitives/network.js `Network`), with every lookup it makes answered
// from fixed data and its randomness made deterministic. Loading the module pulls most of the client
// (like primitives/deployment.js) and still connects nowhere; the stubs below are the only I/O it does.

/** Plain data standing in for RMB (zos.network.*, zos.deployment.get), gridproxy and graphql. */
export interface GcNetworkWorld {
  /** zos.network.public_config_get per node; null: the node answers an error (no public config). */
  publicConfig: Record<number, { ipv4: string; ipv6: string } | null>;
  /** zos.network.interfaces per node. */
  interfaces?: Record<number, Record<string, string[]>>;
  /** zos.network.list_wg_ports per node. */
  usedPorts?: Record<number, number[]>;
  /** gridproxy's access nodes (`Nodes.getAccessNodes`): node id → publicConfig. */
  accessNodes: Record<number, { ipv4: string; ipv6: string; domain?: string }>;
  /** Deployments for `load()` (loadNetworkFromContracts), in contract order. */
  deployments?: Array<{ contractId: number; nodeId: number; deployment: unknown }>;
}

/** The randomness grid_client's planner uses, replaced for the duration of one call. */
export interface GcRandomness {
  /** helpers/utils `getRandomNumber(min, max)`: the port draws. */
  int(min: number, max: number): number;
  /** tweetnacl `box.keyPair()`: a node's or an access's key pair. */
  secretKey(): Uint8Array;
  /** helpers/utils `randomChoice(choices)`: a hidden node's access node. */
  choose<T>(choices: T[]): T;
}

export interface GcZnetWithNode extends GcZnet {
  node_id: number;
}

export interface GcNetwork {
  name: string;
  ipRange: string;
  networks: GcZnetWithNode[];
  nodes: Array<{ node_id: number; contract_id: number; reserved_ips: string[] }>;
  accessPoints: Array<{ node_id: number; subnet: string; wireguard_public_key: string }>;
  userAccesses: Array<{ node_id: number; private_key?: string; subnet: string }>;
  deployments: unknown[];
  addNode(
    nodeId: number,
    mycelium?: boolean,
    description?: string,
    subnet?: string,
    myceliumSeeds?: Array<{ nodeId: number; seed: string }>,
  ): Promise<GcWorkload | undefined>;
  addAccess(nodeId: number, ipv4: boolean): Promise<string>;
  generatePeers(): Promise<void>;
  loadNetworkFromContracts(): Promise<void>;
  getUpdatedMetadata(nodeId: number, metadata: string): string;
  getWireguardConfig(subnet: string, privateKey: string, peerPublicKey: string, endpoint: string): string;
  getPublicKey(privateKey: string): string;
}

type Nacl = {
  box: {
    keyPair: {
      (): { secretKey: Uint8Array; publicKey: Uint8Array };
      fromSecretKey(s: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array };
    };
  };
};

/**
 * A grid_client `Network` over `world`. Its methods are wrapped so that, while one runs, grid_client's
 * `getRandomNumber`, `randomChoice` and `tweetnacl.box.keyPair` draw from `random` (they are looked up on
 * their modules at each call, so replacing the module properties reaches them) and its console logging
 * is silenced.
 */
export function gridClientNetwork(
  name: string,
  ipRange: string,
  world: GcNetworkWorld,
  random: GcRandomness,
): GcNetwork {
  const { Network } = load<{ Network: new (name: string, ipRange: string, config: unknown) => GcNetwork }>(
    'primitives/network.js',
  );
  const utils = load<{ getRandomNumber: GcRandomness['int']; randomChoice: GcRandomness['choose'] }>(
    'helpers/utils.js',
  );
  const nacl = gcRequire('tweetnacl') as Nacl;
  const config = {
    backendStorage: {},
    rmbClient: {},
    twinId: 7,
    graphqlURL: 'http://127.0.0.1:9/graphql',
    proxyURL: 'http://127.0.0.1:9',
  };
  const net = new Network(name, ipRange, config);
  const twinOf = (nodeId: number) => 100_000 + nodeId;
  const nodeOf = (twin: number) => twin - 100_000;
  const n = net as unknown as Record<string, unknown> & {
    rmb: { request: unknown };
    capacity: Record<string, unknown>;
  };
  n.rmb.request = async (twins: number[], cmd: string, payload: string) => {
    const nodeId = nodeOf(twins[0]!);
    switch (cmd) {
      case 'zos.network.list_wg_ports':
        return world.usedPorts?.[nodeId] ?? [];
      case 'zos.network.public_config_get': {
        const c = world.publicConfig[nodeId];
        if (!c) throw new Error(`node ${nodeId}: no public config`);
        return c;
      }
      case 'zos.network.interfaces':
        return world.interfaces?.[nodeId] ?? {};
      case 'zos.network.list_private_ips':
        return [];
      case 'zos.deployment.get': {
        const id = (JSON.parse(payload) as { contract_id: number }).contract_id;
        const d = world.deployments?.find((x) => x.contractId === id);
        if (!d) throw new Error(`no deployment ${id}`);
        return structuredClone(d.deployment);
      }
      default:
        throw new Error(`unexpected RMB call ${cmd}`);
    }
  };
  n.capacity.getNodeTwinId = async (nodeId: number) => twinOf(nodeId);
  n.capacity.getAccessNodes = async () => {
    if (Object.keys(world.accessNodes).length === 0)
      throw new Error("Couldn't find any node with public config.");
    return structuredClone(world.accessNodes);
  };
  n.capacity.getNode = async () => ({ features: ['network', 'wireguard', 'zmachine'] });
  n['getDeploymentContracts'] = async () =>
    (world.deployments ?? []).map((d) => ({ contractID: String(d.contractId), nodeID: d.nodeId }));

  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const saved = {
        int: utils.getRandomNumber,
        choose: utils.randomChoice,
        keyPair: nacl.box.keyPair,
        log: console.log,
      };
      const keyPair = Object.assign(
        () => {
          const secretKey = random.secretKey();
          return { secretKey, publicKey: saved.keyPair.fromSecretKey(secretKey).publicKey };
        },
        { fromSecretKey: saved.keyPair.fromSecretKey },
      );
      utils.getRandomNumber = random.int;
      utils.randomChoice = random.choose;
      nacl.box.keyPair = keyPair;
      console.log = () => {};
      try {
        return await f(...args);
      } finally {
        utils.getRandomNumber = saved.int;
        utils.randomChoice = saved.choose;
        nacl.box.keyPair = saved.keyPair;
        console.log = saved.log;
      }
    };
  for (const m of ['addNode', 'addAccess', 'generatePeers', 'loadNetworkFromContracts'] as const) {
    const f = (net[m] as (...a: unknown[]) => Promise<unknown>).bind(net);
    (net as unknown as Record<string, unknown>)[m] = wrap(f);
  }
  return net;
}
