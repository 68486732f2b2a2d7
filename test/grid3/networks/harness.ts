/**
 * A small v3 grid on 127.0.0.1 for the network journeys: the REAL chain stand-in (startChain, reached
 * through connectDevnetChain), the REAL relay, the REAL gridproxy stand-in fed by the devnet adapter
 * (src/devnet/v3/gridproxy-source.ts) from the chain, and one small zos responder per node: an RmbClient
 * of the node's twin answering zos.* and checking what zos checks (sender twin, sr25519 signature with the
 * chain account, hash equals the contract's, version + 1, changed workloads at the new version).
 */
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { Grid3Account, verifySr25519 } from '../../../src/core/grid3/account.js';
import { challengeHash, challengeHashHex } from '../../../src/core/grid3/challenge.js';
import type { Deployment, Workload } from '../../../src/core/grid3/deployment.js';
import { startChain, type RunningChain } from '../../../src/devnet/v3/chain-server.js';
import { devnetGridproxySource } from '../../../src/devnet/v3/gridproxy-source.js';
import {
  startGridproxy,
  type GridproxyServer,
  type SourceNode,
} from '../../../src/devnet/v3/gridproxy-server.js';
import { startRelay, type RelayHandle } from '../../../src/devnet/v3/relay.js';
import { Gridproxy } from '../../../src/grid3/gridproxy.js';
import { chainTwins } from '../../../src/grid3/networks/chain-twins.js';
import type { NetworksContext, ProgressEvent } from '../../../src/grid3/networks/context.js';
import { RmbClient, RmbHandlerError, type RequestContext } from '../../../src/grid3/rmb/client.js';
import { connectDevnetChain } from '../../../src/grid3/tfchain/devnet-client.js';
import type { Chain } from '../../../src/grid3/tfchain/types.js';

export interface NodeSpec {
  id: number;
  twinId: number;
  ipv4?: string;
  ipv6?: string;
  /** zos.network.interfaces `zos` addresses. */
  zos?: string[];
}

/** One node's zos stand-in. */
export class ZosResponder {
  readonly deployments = new Map<number, Deployment>();
  /** Every deployment received (deploy and update), as sent. */
  readonly received: Array<{ op: 'deploy' | 'update'; deployment: Deployment }> = [];
  /** Commands this node never answers. */
  readonly silent = new Set<string>();
  /** Runs before an update is checked (a test's other client acting first). */
  beforeUpdate: ((stored: Deployment) => void) | undefined;
  /** Replaces the reply to zos.deployment.get (a node that answers garbage). */
  getOverride: ((contractId: number) => unknown) | undefined;
  /** Runs after a zos.deployment.get is answered (another client acting between our reads). */
  afterGet: ((stored: Deployment) => void) | undefined;
  /** Workloads stay in state "init" (a node that never finishes). */
  pending = false;
  /** zos.deployment.get answers after this long (a slow node). */
  getDelayMs = 0;

  constructor(
    readonly spec: NodeSpec,
    private readonly chain: Chain,
    readonly rmb: RmbClient,
  ) {
    const never = () => new Promise<never>(() => undefined);
    const guard =
      (cmd: string, f: (p: unknown, c: RequestContext) => unknown) => (p: unknown, c: RequestContext) =>
        this.silent.has(cmd) ? never() : f(p, c);
    rmb.serve({
      'zos.deployment.deploy': guard('zos.deployment.deploy', (p, c) => this.deploy(p as Deployment, c)),
      'zos.deployment.update': guard('zos.deployment.update', (p, c) => this.update(p as Deployment, c)),
      'zos.deployment.get': guard('zos.deployment.get', (p, c) => this.get(p as { contract_id: number }, c)),
      'zos.network.public_config_get': guard('zos.network.public_config_get', () => {
        if (!spec.ipv4 && !spec.ipv6) throw new RmbHandlerError(1, 'no public config');
        return {
          type: 'macvlan',
          ipv4: spec.ipv4 ?? '',
          ipv6: spec.ipv6 ?? '',
          gw4: '',
          gw6: '',
          domain: '',
        };
      }),
      'zos.network.interfaces': guard('zos.network.interfaces', () => ({ zos: spec.zos ?? [] })),
      'zos.network.list_wg_ports': guard('zos.network.list_wg_ports', () =>
        [...this.deployments.values()].flatMap((d) =>
          d.workloads.flatMap((w) => (w.type === 'network' ? [w.data.wireguard_listen_port] : [])),
        ),
      ),
    });
  }

  /** zos's checks common to deploy and update. */
  private async check(d: Deployment, c: RequestContext): Promise<void> {
    if (d.twin_id !== c.source.twin)
      throw new RmbHandlerError(1, 'twin id mismatch (deployment twin and sender)');
    const twin = await this.chain.twin(d.twin_id);
    const sig = d.signature_requirement.signatures.find((s) => s.twin_id === d.twin_id);
    if (!twin || !sig || sig.signature_type !== 'sr25519') throw new RmbHandlerError(1, 'signature missing');
    if (!verifySr25519(challengeHash(d), new Uint8Array(Buffer.from(sig.signature, 'hex')), twin.accountId)) {
      throw new RmbHandlerError(1, 'failed to validate deployment signature');
    }
    const contract = await this.chain.contract(d.contract_id);
    if (!contract || contract.state === 'Deleted') throw new RmbHandlerError(1, 'contract not found');
    if (contract.nodeId !== this.spec.id) throw new RmbHandlerError(1, 'contract is not for this node');
    if (contract.twinId !== d.twin_id) throw new RmbHandlerError(1, 'contract twin mismatch');
    if (contract.deploymentHash !== challengeHashHex(d))
      throw new RmbHandlerError(1, 'contract hash does not match');
    for (const w of d.workloads) {
      if (w.type === 'network' && (!w.data.ip_range || !w.data.subnet || !w.data.wireguard_private_key)) {
        throw new RmbHandlerError(1, `invalid workload ${w.name}`);
      }
    }
  }

  private ok(w: Workload, created: number): Workload {
    return { ...w, result: { created, state: this.pending ? 'init' : 'ok', message: '', data: null } };
  }

  private async deploy(d: Deployment, c: RequestContext): Promise<null> {
    this.received.push({ op: 'deploy', deployment: structuredClone(d) });
    await this.check(d, c);
    if (this.deployments.has(d.contract_id)) throw new RmbHandlerError(1, 'exists');
    if (d.version !== 0 || d.workloads.some((w) => w.version !== 0))
      throw new RmbHandlerError(1, 'invalid version');
    const now = Math.floor(Date.now() / 1000);
    this.deployments.set(d.contract_id, { ...d, workloads: d.workloads.map((w) => this.ok(w, now)) });
    return null;
  }

  private async update(d: Deployment, c: RequestContext): Promise<null> {
    this.received.push({ op: 'update', deployment: structuredClone(d) });
    const old = this.deployments.get(d.contract_id);
    if (!old) throw new RmbHandlerError(1, 'deployment not found');
    this.beforeUpdate?.(old);
    await this.check(d, c);
    const expected = old.version + 1;
    if (d.version !== expected)
      throw new RmbHandlerError(1, `expecting deployment version ${expected}, got ${d.version}`);
    const now = Math.floor(Date.now() / 1000);
    const workloads = d.workloads.map((w) => {
      const before = old.workloads.find((o) => o.name === w.name);
      if (w.version === expected) return this.ok(w, now);
      if (!before)
        throw new RmbHandlerError(
          1,
          `invalid version number for workload '${w.name}' expected '${expected}'`,
        );
      // zos leaves such a workload as it was: a change sent at another version would be lost silently.
      const { result: _r, ...a } = before;
      if (JSON.stringify(a) !== JSON.stringify(w)) {
        throw new RmbHandlerError(1, `test node: workload ${w.name} changed without version ${expected}`);
      }
      return before;
    });
    this.deployments.set(d.contract_id, { ...d, workloads });
    return null;
  }

  private async get(p: { contract_id: number }, c: RequestContext): Promise<unknown> {
    if (this.getDelayMs) await new Promise((r) => setTimeout(r, this.getDelayMs));
    if (this.getOverride) return this.getOverride(p.contract_id);
    const d = this.deployments.get(p.contract_id);
    if (!d) throw new RmbHandlerError(1, 'deployment not found');
    if (d.twin_id !== c.source.twin) throw new RmbHandlerError(1, 'access denied');
    const copy = structuredClone(d);
    this.afterGet?.(d);
    return copy;
  }
}

export interface Grid {
  chain: RunningChain;
  relay: RelayHandle;
  gridproxy: GridproxyServer;
  user: Grid3Account;
  userTwin: number;
  /** The chain as the user writes to it. */
  userChain: Chain;
  readChain: Chain;
  proxy: Gridproxy;
  rmb: RmbClient;
  nodes: Map<number, ZosResponder>;
  /** What the gridproxy source lists (tests may lie through it). */
  sourceNodes: SourceNode[];
  /** The chain's node → twin (the chain stand-in's genesis; the Chain interface has no node read). */
  nodeTwins: Map<number, number>;
  context(o?: Partial<NetworksContext> & { events?: ProgressEvent[] }): NetworksContext;
  close(): Promise<void>;
}

/**
 * For the bench, whose client and nodes are other processes: `userMnemonic` and `nodeMnemonics` give the
 * accounts (else fresh ones), and `externalNodes` starts no zos responder here (each node runs its own,
 * scripts/bench-grid3-node.ts).
 */
export async function startGrid(
  specs: NodeSpec[],
  o: { userMnemonic?: string; nodeMnemonics?: string[]; externalNodes?: boolean } = {},
): Promise<Grid> {
  const user = await Grid3Account.fromMnemonic(o.userMnemonic ?? mnemonicGenerate());
  const nodeAccounts = await Promise.all(
    specs.map((_, i) => Grid3Account.fromMnemonic(o.nodeMnemonics?.[i] ?? mnemonicGenerate())),
  );
  const chain = await startChain({
    genesis: {
      accounts: [
        { account: user.address, free: 1000n * 10_000_000n, termsAccepted: true, kycVerified: true },
      ],
      twins: [
        { account: user.address, relay: '127.0.0.1', pk: user.rmbPublicKeyHex },
        ...specs.map((s, i) => ({
          id: s.twinId,
          account: nodeAccounts[i]!.address,
          relay: '127.0.0.1',
          pk: nodeAccounts[i]!.rmbPublicKeyHex,
        })),
      ],
      farms: [{ id: 1 }],
      nodes: specs.map((s) => ({ id: s.id, farmId: 1, twinId: s.twinId })),
    },
  });
  const readChain = connectDevnetChain({ url: chain.url });
  const userChain = connectDevnetChain({ url: chain.url, signer: user });
  const userTwin = (await readChain.twinByAccount(user.address))!;
  const twins = chainTwins(readChain);
  const relay = await startRelay({ twins });
  const nodes = new Map<number, ZosResponder>();
  for (const [i, s] of o.externalNodes ? [] : specs.entries()) {
    const rmb = await RmbClient.connect({
      relayUrl: relay.url,
      twinId: s.twinId,
      identity: nodeAccounts[i]!,
      twins,
      pingIntervalMs: 0,
    });
    nodes.set(s.id, new ZosResponder(s, readChain, rmb));
  }
  const now = Math.floor(Date.now() / 1000);
  const sourceNodes: SourceNode[] = specs.map((s) => ({
    nodeId: s.id,
    farmId: 1,
    twinId: s.twinId,
    updatedAt: now,
    publicConfig: { ipv4: s.ipv4 ?? '', ipv6: s.ipv6 ?? '' },
    features: ['network', 'wireguard', 'zmachine'],
  }));
  const gridproxy = await startGridproxy({
    source: devnetGridproxySource({ chain: readChain, nodes: () => sourceNodes }),
  });
  const proxy = new Gridproxy({ url: gridproxy.url });
  const rmb = await RmbClient.connect({
    relayUrl: relay.url,
    twinId: userTwin,
    identity: user,
    twins,
    pingIntervalMs: 0,
    timeoutMs: 1_500,
  });
  const nodeTwins = new Map(specs.map((s) => [s.id, s.twinId]));
  return {
    chain,
    relay,
    gridproxy,
    user,
    userTwin,
    userChain,
    readChain,
    proxy,
    rmb,
    nodes,
    sourceNodes,
    nodeTwins,
    context(o = {}) {
      const { events, ...rest } = o;
      return {
        account: user,
        twinId: userTwin,
        chain: userChain,
        proxy,
        rmb,
        nodeTwin: async (id) => nodeTwins.get(id) ?? null,
        pollMs: 20,
        deployTimeoutMs: 5_000,
        ...(events ? { progress: (e: ProgressEvent) => void events.push(e) } : {}),
        ...rest,
      };
    },
    async close() {
      await rmb.close();
      for (const n of nodes.values()) await n.rmb.close();
      await gridproxy.close();
      await relay.close();
      await userChain.close();
      await readChain.close();
      await chain.close();
    },
  };
}

/** The [Peer] PublicKey and Endpoint of a wg-quick text. */
export function peerOf(config: string): { publicKey: string; endpoint: string; address: string } {
  const get = (k: string) => new RegExp(`^${k} = (.+)$`, 'm').exec(config)?.[1] ?? '';
  return { publicKey: get('PublicKey'), endpoint: get('Endpoint'), address: get('Address') };
}
