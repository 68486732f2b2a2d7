/**
 * The narrow TFChain surface overlay-connect needs: who am I (twin, balance, terms), and node contracts
 * created/updated/cancelled in one `utility.batchAll`. Two implementations stand behind it — the live
 * chain over @polkadot/api (live.ts) and the devnet's stand-in over loopback HTTP (devnet-client.ts) —
 * so nothing above this folder knows which one it talks to.
 */

/** What signs for the chain account: Grid3Account (src/core/grid3/account.ts) fits as it is. */
export interface ChainSigner {
  /** SS58 address (format 42) of the sr25519 public key. */
  readonly address: string;
  readonly publicKey: Uint8Array;
  /** sr25519, signing context "substrate" (what @polkadot/keyring's pair.sign does). */
  sign(message: Uint8Array): Uint8Array;
}

export interface Twin {
  id: number;
  accountId: string;
  /** The RMB relay host(s) as stored (UTF-8), or null when the twin never set one. */
  relay: string | null;
  /** The twin's RMB public key (secp256k1, compressed) as 0x hex, or null. */
  pk: string | null;
}

/** A node as the chain registers it: its twin is the one RMB messages for it must go to. */
export interface ChainNode {
  id: number;
  farmId: number;
  twinId: number;
}

export type ContractState = 'Created' | 'GracePeriod' | 'Deleted';

export interface NodeContract {
  contractId: number;
  twinId: number;
  nodeId: number;
  /** The 32 lowercase hex characters of the deployment's challenge hash (stored on chain as their ASCII bytes). */
  deploymentHash: string;
  /** deployment_data as UTF-8 (grid_client writes JSON there). */
  deploymentData: string;
  publicIps: number;
  state: ContractState;
  solutionProviderId: number | null;
}

export interface CreateOp {
  kind: 'create';
  nodeId: number;
  /** 32 hex characters (the MD5 challenge hash); lowercased before it becomes ASCII bytes. */
  deploymentHash: string;
  deploymentData: string;
  publicIps: number;
  solutionProviderId?: number;
}

export interface UpdateOp {
  kind: 'update';
  contractId: number;
  deploymentHash: string;
  deploymentData: string;
}

export interface CancelOp {
  kind: 'cancel';
  contractId: number;
}

export type ContractOp = CreateOp | UpdateOp | CancelOp;

/** One result per op, in the order given: the contract id the chain's event names. */
export type OpOutcome =
  | { kind: 'create'; contractId: number; nodeId: number }
  | { kind: 'update'; contractId: number }
  | { kind: 'cancel'; contractId: number };

/** An event as both implementations report it: the shape of polkadot's `event.data.toJSON()`. */
export interface ChainEvent {
  section: string;
  method: string;
  data: unknown[];
}

export interface Chain {
  twinByAccount(accountId: string): Promise<number | null>;
  twin(id: number): Promise<Twin | null>;
  /** Free balance in the chain's smallest unit (TFT has 7 decimals). */
  balance(accountId: string): Promise<bigint>;
  termsAccepted(accountId: string): Promise<boolean>;
  /**
   * All ops as ONE `utility.batchAll` signed by the signer: all apply or none does. Throws ChainError
   * naming the pallet error (TwinNotExists, NodeNotAvailableToDeploy, ContractIsNotUnique, …).
   */
  nodeContractsBatch(ops: readonly ContractOp[]): Promise<OpOutcome[]>;
  /**
   * A node contract, or null when there is none (or it is not a node contract). The live chain removes a
   * cancelled contract at once (billing's remove_contract), so there a cancelled id reads as null; the
   * devnet keeps it with state Deleted. Treat both as gone.
   */
  contract(id: number): Promise<NodeContract | null>;
  /**
   * A node (`tfgridModule.nodes`), or null when there is none: the authority for the node's twin, which
   * gridproxy (an index run by others) only repeats. Optional so that stand-ins made for other tests
   * (which never ask) still fit; both real clients have it.
   */
  node?(id: number): Promise<ChainNode | null>;
  close(): Promise<void>;
}
