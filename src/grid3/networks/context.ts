/**
 * What the Grid v3 network journeys (list, connect, disconnect, import, create, delete) are given: one
 * context of narrow interfaces, so that the same code runs against the live grid and the devnet, and
 * nothing here knows about Electron, the CLI or the key store. Each interface is the least the journeys
 * call; the real implementations (Grid3Account, Gridproxy, RmbClient, the Chain clients) fit as they are.
 */
import type { ContractsQuery, GridContract, GridNode, Page } from '../gridproxy.js';
import type { Chain } from '../tfchain/types.js';

/** The deployer: its sr25519 key signs the challenge hashes (Grid3Account fits). */
export interface NetworksSigner {
  readonly address: string;
  sign(message: Uint8Array): Uint8Array;
}

/** The gridproxy calls the journeys make (Gridproxy fits). */
export interface NetworksProxy {
  contracts(q: ContractsQuery): Promise<Page<GridContract>>;
  node(nodeId: number): Promise<GridNode | null>;
}

/** RmbClient fits: a request to a twin, its JSON reply, or a throw (RmbTimeoutError, RmbRemoteError, …). */
export interface NetworksRmb {
  request(
    twin: number,
    command: string,
    payload?: unknown,
    opts?: { timeoutMs?: number; retries?: number },
  ): Promise<unknown>;
}

/**
 * The chain's view of a node's twin. The Chain interface (src/grid3/tfchain/types.ts) has no node lookup
 * yet; until it does, the caller may supply one (the live chain: `tfgridModule.nodes(id).twinId`). Without
 * it a gridproxy twin is used unchecked for reads, and writes say so in a warning.
 */
export type NodeTwinLookup = (nodeId: number) => Promise<number | null>;

export interface ProgressEvent {
  step:
    | 'contracts'
    | 'read'
    | 'node-config'
    | 'plan'
    | 'chain'
    | 'send'
    | 'wait'
    | 'ready'
    | 'retry'
    | 'rollback';
  nodeId?: number;
  contractId?: number;
  message: string;
}

export interface NetworksContext {
  account: NetworksSigner;
  twinId: number;
  chain: Pick<Chain, 'nodeContractsBatch'>;
  proxy: NetworksProxy;
  rmb: NetworksRmb;
  /** The chain's twin of a node (see NodeTwinLookup). */
  nodeTwin?: NodeTwinLookup;
  /** Whether this device holds the private key of this WireGuard public key (its sealed keys). */
  isMine?: (publicKey: string) => boolean;
  progress?: (e: ProgressEvent) => void;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  /** Per RMB request (grid_client: 20 s, one retry — the RMB client's own). */
  rmbTimeoutMs?: number;
  /** How long every node has to report `ok` after a deploy or update (grid_client: 10 minutes). */
  deployTimeoutMs?: number;
  /** Between two `zos.deployment.get` polls (grid_client: 2 s). */
  pollMs?: number;
  /** grid_client's `projectName`, written into deployment_data; "" as the dashboard's networks have it. */
  projectName?: string;
}

export const DEFAULT_DEPLOY_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_POLL_MS = 2_000;

export function emit(ctx: NetworksContext, e: ProgressEvent): void {
  try {
    ctx.progress?.(e);
  } catch {
    // A listener's fault must not stop a journey half-way through its writes.
  }
}

export const nowMs = (ctx: NetworksContext): number => (ctx.now ? ctx.now() : Date.now());

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
