/**
 * A Grid v3 devnet node: plays a 0-OS node to its users. It answers the `zos.*` commands grid_client sends
 * over RMB (zosbase pkg/zos_api/routes.go and deployment.go, network.go, system.go), checks deployments as
 * zos does (zos-verify.ts), runs them through a provision engine like zos's (zos-engine.ts), and lays
 * network resources out as zos does with real wireguard-go in the node's namespace (zos-network.ts). What it
 * holds is kept in stateDir (zos-storage.ts), so a restarted agent converges to it; cancelled contracts are
 * watched for on the chain and their networks removed.
 *
 * As in zos, what the RMB call refuses is what can be checked at once (decoding, Valid, twin_id = sender,
 * KYC, signatures, versions, name conflicts); the contract (exists, on this node, owned by the twin, hash)
 * is checked by the engine after the call returned, and a failure shows in every workload's result
 * ("contract hash does not match deployment hash"), which grid_client reads back with `get`.
 *
 * Commands and payloads (zos's JSON):
 *   zos.deployment.deploy / update   a Deployment → null, or an error with zos's message
 *   zos.deployment.get {contract_id} the sender's deployment with each workload's result
 *   zos.deployment.list              the sender's active deployments
 *   zos.deployment.delete            refused, as zos refuses it (cancel the contract)
 *   zos.network.list_wg_ports        the listen ports in use
 *   zos.network.public_config_get    {type, ipv4, ipv6, gw4, gw6, domain}, or "no public configuration"
 *   zos.network.interfaces           {"zos": [addresses], "ygg": []}
 *   zos.system.node_features_get     the feature list of a full (not light) zos node
 *   zos.system.version               {zos, zinit}
 */
import { grid3CryptoReady, type Grid3Account } from '../../core/grid3/account.js';
import { RmbClient, type RequestContext } from '../../grid3/rmb/client.js';
import type { TwinDirectory } from '../../grid3/rmb/twins.js';
import type { Chain } from '../../grid3/tfchain/types.js';
import { CANCEL_REASON, ZosEngine } from './zos-engine.js';
import { nodeAddresses } from './zos-network.js';
import { ZosStorage, type StoredDeployment } from './zos-storage.js';
import {
  accountKey,
  decodeDeployment,
  zosUpgrade,
  zosValid,
  zosVerify,
  ZosError,
  type ZosDeployment,
} from './zos-verify.js';

export interface PublicConfig {
  /** `a.b.c.d/nn` */
  ipv4?: string;
  /** `x::y/nn` */
  ipv6?: string;
  gw4?: string;
  gw6?: string;
  domain?: string;
}

export interface NodeAgentOptions {
  nodeId: number;
  twinId: number;
  /** The node twin's account: signs its RMB envelopes and opens what users encrypt to it. */
  account: Grid3Account;
  relayUrl: string;
  chain: Chain;
  /** Who the RMB peers are (their accounts and RMB keys), for the transport. */
  twins: TwinDirectory;
  /** The namespace that plays the node: network resources are made in it. */
  netns: string;
  /** What the farmer configured; none (a hidden node) answers "no public configuration". */
  publicConfig?: PublicConfig;
  stateDir: string;
  /** zos asks the KYC service; without this hook every twin counts as verified (the devnet's default). */
  kycVerified?: (twinId: number) => Promise<boolean>;
  /** How often the chain is asked whether stored contracts still exist. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

export interface NodeAgent {
  close(): Promise<void>;
}

/** zosbase pkg/monitord/system.go `GetNodeFeatures` of a node that is not zos-light. */
export const NODE_FEATURES = [
  'zmount',
  'network',
  'zdb',
  'zmachine',
  'volume',
  'ipv4',
  'ip',
  'gateway-name-proxy',
  'gateway-fqdn-proxy',
  'qsfs',
  'zlogs',
  'yggdrasil',
  'mycelium',
  'wireguard',
];

const MAX_DEPLOYMENTS_PER_TWIN = 1024;
const DELETE_REFUSED = 'deletion over the api is disabled, please cancel your contract instead';

function contractIdOf(payload: unknown): number {
  const v =
    payload && typeof payload === 'object' && Object.prototype.hasOwnProperty.call(payload, 'contract_id')
      ? (payload as { contract_id: unknown }).contract_id
      : 0;
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new ZosError('json: cannot unmarshal into Go struct field .contract_id of type uint64');
  return v;
}

/** A deployment as zos answers it: without the node's own bookkeeping. */
function view(d: StoredDeployment): ZosDeployment {
  const { validated: _validated, ...rest } = d;
  return rest;
}

export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  await grid3CryptoReady();
  const log = o.log ?? (() => undefined);
  const storage = new ZosStorage(o.stateDir, o.nodeId);
  const engine = new ZosEngine({
    nodeId: o.nodeId,
    netns: o.netns,
    chain: o.chain,
    storage,
    stateDir: o.stateDir,
    log,
  });

  /** zos `Twins.GetKey`: the twin's chain account key (what deployments are signed with). */
  const getKey = async (twinId: number): Promise<Uint8Array> => {
    const twin = await o.chain.twin(twinId);
    if (!twin) throw new Error(`could not get user with id '${twinId}': object not found`);
    return accountKey(twin.accountId);
  };

  /** engine.go `CreateOrUpdate`: what is checked before anything is stored, in zos's order. */
  const admit = async (payload: unknown, ctx: RequestContext): Promise<ZosDeployment> => {
    const d = decodeDeployment(payload);
    zosValid(d);
    const sender = ctx.source.twin;
    if (d.twin_id !== sender)
      throw new ZosError(`twin id mismatch (deployment: ${d.twin_id}, message: ${sender})`);
    if (o.kycVerified && !(await o.kycVerified(sender)))
      throw new ZosError(`user with twin id ${sender} is not verified`);
    await zosVerify(d, getKey);
    return d;
  };

  const deploy = async (payload: unknown, ctx: RequestContext): Promise<null> => {
    const d = await admit(payload, ctx);
    if (d.version !== 0)
      throw new ZosError('expected version to be 0 on deployment creation: invalid version');
    // storage Create (synchronous from here: no other request interleaves).
    if (storage.get(d.twin_id, d.contract_id)) throw new ZosError('exists');
    // Not a zos limit: a deployment is stored before its contract is checked, so without a bound a twin
    // could fill the node's disk with deployments of contracts that do not exist (the contract watch
    // removes those, but only at its next pass).
    if (storage.byTwin(d.twin_id).length >= MAX_DEPLOYMENTS_PER_TWIN)
      throw new ZosError(`twin ${d.twin_id} has too many deployments on this node`);
    for (const w of d.workloads.filter((x) => x.type === 'network')) {
      const taken = storage
        .byTwin(d.twin_id)
        .some((other) => other.workloads.some((x) => x.type === 'network' && x.name === w.name));
      if (taken) throw new ZosError(`global workload with the same name '${w.name}' exists: conflict`);
    }
    const created = Math.floor(Date.now() / 1000);
    for (const w of d.workloads) w.result = { created, state: 'init', message: '', data: null };
    storage.put({ ...d, validated: false });
    void engine.enqueue({ op: 'provision', twin: d.twin_id, contract: d.contract_id, validate: true });
    return null;
  };

  const update = async (payload: unknown, ctx: RequestContext): Promise<null> => {
    const next = await admit(payload, ctx);
    const current = storage.get(next.twin_id, next.contract_id);
    if (!current) throw new ZosError('deployment does not exist');
    try {
      zosUpgrade(current, next);
    } catch (e) {
      throw new ZosError(`${(e as Error).message}: upgrade validation error`);
    }
    const source = structuredClone(view(current));
    // engine.go `Update`: version, signatures, description and metadata are stored now; workloads by the job.
    current.version = next.version;
    current.signature_requirement = next.signature_requirement;
    current.description = next.description;
    current.metadata = next.metadata;
    storage.put(current);
    void engine.enqueue({ op: 'update', target: next, source });
    return null;
  };

  /** A deployment whose contract is gone is removed before anyone is told about it. */
  const gone = async (d: StoredDeployment): Promise<boolean> => {
    try {
      const c = await o.chain.contract(d.contract_id);
      return !c || c.state === 'Deleted';
    } catch {
      return false; // the chain not answering is no reason to drop a deployment
    }
  };
  const removeIfGone = async (d: StoredDeployment): Promise<void> => {
    if (await gone(d))
      await engine.enqueue({
        op: 'deprovision',
        twin: d.twin_id,
        contract: d.contract_id,
        reason: CANCEL_REASON,
      });
  };

  const get = async (payload: unknown, ctx: RequestContext): Promise<ZosDeployment> => {
    const id = contractIdOf(payload);
    let d = storage.get(ctx.source.twin, id);
    if (d?.validated) {
      await removeIfGone(d);
      d = storage.get(ctx.source.twin, id);
    }
    if (!d) throw new ZosError('deployment not found');
    return view(d);
  };

  const list = (_payload: unknown, ctx: RequestContext): ZosDeployment[] =>
    storage
      .byTwin(ctx.source.twin)
      .filter((d) => d.workloads.some((w) => w.result.state !== 'deleted' && w.result.state !== 'error'))
      .map(view);

  const publicConfig = () => {
    const p = o.publicConfig;
    if (!p || (!p.ipv4 && !p.ipv6)) throw new ZosError('no public configuration');
    return {
      type: 'macvlan',
      ipv4: p.ipv4 ?? '',
      ipv6: p.ipv6 ?? '',
      gw4: p.gw4 ?? '',
      gw6: p.gw6 ?? '',
      domain: p.domain ?? '',
    };
  };

  engine.boot();

  let rmb: RmbClient;
  try {
    rmb = await RmbClient.connect({
      relayUrl: o.relayUrl,
      twinId: o.twinId,
      identity: o.account,
      twins: o.twins,
    });
  } catch (e) {
    await engine.close();
    throw e;
  }
  rmb.serve({
    'zos.deployment.deploy': deploy,
    'zos.deployment.update': update,
    'zos.deployment.get': get,
    'zos.deployment.list': list,
    'zos.deployment.delete': () => {
      throw new ZosError(DELETE_REFUSED);
    },
    'zos.network.list_wg_ports': () => engine.ports(),
    'zos.network.public_config_get': publicConfig,
    'zos.network.interfaces': () => ({ zos: nodeAddresses(o.netns, engine.ownLinks()), ygg: [] }),
    'zos.system.node_features_get': () => NODE_FEATURES,
    'zos.system.version': () => ({ zos: 'devnet', zinit: '' }),
  });

  // zos hears NodeContractCanceled events; the devnet chain has no event stream, so the agent asks.
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      for (const d of engine.deployments()) await removeIfGone(d);
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll().catch(() => undefined), o.pollIntervalMs ?? 5_000);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await rmb.close();
      // Network resources stay: a node that stops keeps its networks (and a restart converges to them).
      await engine.close();
    },
  };
}
