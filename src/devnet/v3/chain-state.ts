/**
 * The devnet's TFChain state and the rules of the pallets our client meets, as pallet-smart-contract
 * (grid_contract.rs) and pallet-tfgrid apply them:
 *   create: the signer's twin (TwinNotExists); the node (NodeNotExists); a node in standby, rented by
 *     another twin, or dedicated and not rented is NodeNotAvailableToDeploy; (node, hash) already held by
 *     a contract not deleted — whoever's twin holds it — is ContractIsNotUnique; public IPs come from the
 *     node's farm (FarmHasNotEnoughPublicIPs); a solution provider must exist (NoSuchSolutionProvider).
 *   update: the contract (ContractNotExists), owned by the signer's twin (TwinNotAuthorizedToUpdateContract);
 *     the (node, hash) index moves to the new hash without a uniqueness check, as in the pallet.
 *   cancel: the contract (ContractNotExists), owned by the signer (TwinNotAuthorizedToCancelContract);
 *     state Deleted. The real chain then removes it at once; the devnet keeps it, Deleted, to inspect.
 *   batchAll: all or nothing. As on the chain, the fee is paid and the nonce used even when the batch fails.
 * Events carry the JSON polkadot's toJSON gives the real ones, so the client's one reader serves both.
 */
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { bytesToHex } from '../../grid3/tfchain/codec.js';
import type { ChainCall } from '../../grid3/tfchain/calls.js';
import { ChainError } from '../../grid3/tfchain/errors.js';
import type { ChainEvent, ContractState } from '../../grid3/tfchain/types.js';

export interface GenesisAccount {
  account: string;
  free: bigint | number | string;
  termsAccepted?: boolean;
  kycVerified?: boolean;
}
export interface GenesisTwin {
  id?: number;
  account: string;
  relay?: string | null;
  /** 0x hex of the RMB (secp256k1 compressed) key. */
  pk?: string | null;
}
export interface GenesisFarm {
  id: number;
  dedicated?: boolean;
  /** How many public IPs the farm has free for contracts. */
  publicIps?: number;
}
export interface GenesisNode {
  id: number;
  farmId: number;
  twinId: number;
  /** Twin id of the rent contract's owner, or null. */
  rentedBy?: number | null;
  dedicated?: boolean;
  standby?: boolean;
}
export interface Genesis {
  accounts?: GenesisAccount[];
  twins?: GenesisTwin[];
  farms?: GenesisFarm[];
  nodes?: GenesisNode[];
  /** Flat fee per transaction (smallest unit; TFT has 7 decimals). Default 0.01 TFT. */
  fee?: bigint | number;
}

interface Account {
  free: bigint;
  nonce: number;
  termsAccepted: boolean;
  kycVerified: boolean;
}
interface StoredTwin {
  id: number;
  account: string;
  relay: string | null;
  pk: string | null;
}
interface StoredNode extends Required<Omit<GenesisNode, 'rentedBy'>> {
  rentedBy: number | null;
}
interface StoredContract {
  contractId: number;
  twinId: number;
  nodeId: number;
  /** The 32 bytes as 0x hex. */
  deploymentHash: string;
  deploymentData: string;
  publicIps: number;
  state: ContractState;
}

/** SS58 in the chain's format (42), checksum checked: one spelling per account for the maps. */
export function canonicalAccount(account: string): string {
  try {
    const pk = decodeAddress(account);
    if (pk.length !== 32) throw new Error('length');
    return encodeAddress(pk, 42);
  } catch {
    throw new ChainError('transaction', 'BadFormat', 'not an account id');
  }
}

const fail = (name: string, detail?: string): never => {
  throw new ChainError('smartContractModule', name, detail);
};

export class ChainState {
  readonly fee: bigint;
  private readonly accounts = new Map<string, Account>();
  private readonly twins = new Map<number, StoredTwin>();
  private readonly twinIds = new Map<string, number>();
  private readonly farms = new Map<number, Required<GenesisFarm>>();
  private readonly nodes = new Map<number, StoredNode>();
  private contracts = new Map<number, StoredContract>();
  private byNodeHash = new Map<string, number>();
  private lastContractId = 0;
  private lastTwinId = 0;

  constructor(genesis: Genesis = {}) {
    this.fee = BigInt(genesis.fee ?? 100_000);
    for (const a of genesis.accounts ?? []) {
      const acc = this.account(a.account);
      acc.free = BigInt(a.free);
      acc.termsAccepted = a.termsAccepted ?? false;
      acc.kycVerified = a.kycVerified ?? false;
    }
    for (const t of genesis.twins ?? []) this.createTwin(t);
    for (const f of genesis.farms ?? [])
      this.farms.set(f.id, { id: f.id, dedicated: f.dedicated ?? false, publicIps: f.publicIps ?? 0 });
    for (const n of genesis.nodes ?? []) {
      if (!this.farms.has(n.farmId))
        this.farms.set(n.farmId, { id: n.farmId, dedicated: false, publicIps: 0 });
      this.nodes.set(n.id, {
        id: n.id,
        farmId: n.farmId,
        twinId: n.twinId,
        rentedBy: n.rentedBy ?? null,
        dedicated: n.dedicated ?? false,
        standby: n.standby ?? false,
      });
    }
  }

  private account(account: string): Account {
    const key = canonicalAccount(account);
    let a = this.accounts.get(key);
    if (!a) {
      a = { free: 0n, nonce: 0, termsAccepted: false, kycVerified: false };
      this.accounts.set(key, a);
    }
    return a;
  }

  // ---- the devnet's own levers (genesis, `devnet up`, tests) ----

  fund(account: string, amount: bigint | number): bigint {
    const a = this.account(account);
    a.free += BigInt(amount);
    return a.free;
  }

  setTerms(account: string, accepted: boolean): void {
    this.account(account).termsAccepted = accepted;
  }

  setKyc(account: string, verified: boolean): void {
    this.account(account).kycVerified = verified;
  }

  /** pallet-tfgrid's create_twin: one twin per account; ids count up from 1. */
  createTwin(t: GenesisTwin): number {
    const account = canonicalAccount(t.account);
    this.account(account);
    if (this.twinIds.has(account)) throw new ChainError('tfgridModule', 'TwinWithPubkeyExists');
    const id = t.id ?? this.lastTwinId + 1;
    if (this.twins.has(id)) throw new ChainError('tfgridModule', 'TwinExists');
    this.lastTwinId = Math.max(this.lastTwinId, id);
    this.twins.set(id, { id, account, relay: t.relay ?? null, pk: t.pk ?? null });
    this.twinIds.set(account, id);
    return id;
  }

  /** What `devnet up` gives its user: funded, terms accepted, KYC verified, and a twin. */
  createVerifiedTwin(t: GenesisTwin & { free?: bigint | number }): number {
    this.fund(t.account, t.free ?? 1_000n * 10_000_000n);
    this.setTerms(t.account, true);
    this.setKyc(t.account, true);
    return this.twinIds.get(canonicalAccount(t.account)) ?? this.createTwin(t);
  }

  addNode(n: GenesisNode): void {
    if (!this.farms.has(n.farmId)) this.farms.set(n.farmId, { id: n.farmId, dedicated: false, publicIps: 0 });
    this.nodes.set(n.id, {
      id: n.id,
      farmId: n.farmId,
      twinId: n.twinId,
      rentedBy: n.rentedBy ?? null,
      dedicated: n.dedicated ?? false,
      standby: n.standby ?? false,
    });
  }

  // ---- reads, in the JSON shapes of polkadot's toJSON ----

  accountInfo(account: string): {
    free: string;
    nonce: number;
    termsAccepted: boolean;
    kycVerified: boolean;
  } {
    const a = this.accounts.get(canonicalAccount(account));
    return {
      free: String(a?.free ?? 0n),
      nonce: a?.nonce ?? 0,
      termsAccepted: a?.termsAccepted ?? false,
      kycVerified: a?.kycVerified ?? false,
    };
  }

  twinIdByAccount(account: string): number | null {
    return this.twinIds.get(canonicalAccount(account)) ?? null;
  }

  twinJson(id: number): unknown {
    const t = this.twins.get(id);
    if (!t) return null;
    return {
      id: t.id,
      accountId: t.account,
      relay: t.relay === null ? null : bytesToHex(new TextEncoder().encode(t.relay)),
      entities: [],
      pk: t.pk,
    };
  }

  /** tfgridModule.nodes(id) as toJSON gives it: the fields the Chain interface reads. */
  nodeJson(id: number): unknown {
    const n = this.nodes.get(id);
    return n ? { id: n.id, farmId: n.farmId, twinId: n.twinId } : null;
  }

  contractJson(id: number): unknown {
    const c = this.contracts.get(id);
    return c ? contractToJson(c) : null;
  }

  // ---- the one write: a signed utility.batchAll ----

  /**
   * Apply a verified transaction. Throws ChainError for an invalid transaction (stale nonce, no fee: not
   * included, nothing changes) or a dispatch error (the fee is paid and the nonce used, the calls undone).
   */
  submit(account: string, nonce: number, calls: ChainCall[]): ChainEvent[] {
    const key = canonicalAccount(account);
    const acc = this.accounts.get(key);
    // An account the chain never saw has nothing to pay the fee with, as on the chain.
    if (acc && nonce !== acc.nonce)
      throw new ChainError('transaction', nonce < acc.nonce ? 'Stale' : 'Future');
    if (!acc || acc.free < this.fee)
      throw new ChainError(
        'transaction',
        'Payment',
        'Inability to pay some fees, e.g. account balance too low',
      );
    acc.free -= this.fee;
    acc.nonce += 1;
    const saved = {
      contracts: new Map(this.contracts),
      byNodeHash: new Map(this.byNodeHash),
      lastContractId: this.lastContractId,
      farms: structuredClone(this.farms),
    };
    try {
      const events: ChainEvent[] = [];
      for (const call of calls) {
        events.push(...this.dispatch(key, call), { section: 'utility', method: 'ItemCompleted', data: [] });
      }
      events.push(
        { section: 'utility', method: 'BatchCompleted', data: [] },
        { section: 'system', method: 'ExtrinsicSuccess', data: [] },
      );
      return events;
    } catch (e) {
      // batchAll: one failing call reverts them all.
      this.contracts = saved.contracts;
      this.byNodeHash = saved.byNodeHash;
      this.lastContractId = saved.lastContractId;
      for (const [id, f] of saved.farms) this.farms.set(id, f);
      throw e;
    }
  }

  private dispatch(account: string, call: ChainCall): ChainEvent[] {
    const arg = (name: string): unknown => call.args.find((a) => a.name === name)?.value;
    switch (call.method) {
      case 'createNodeContract':
        return this.create(
          account,
          arg('node_id') as number,
          arg('deployment_hash') as Uint8Array,
          arg('deployment_data') as Uint8Array,
          arg('public_ips') as number,
          arg('solution_provider_id') as number | null,
        );
      case 'updateNodeContract':
        return this.update(
          account,
          arg('contract_id') as number,
          arg('deployment_hash') as Uint8Array,
          arg('deployment_data') as Uint8Array,
        );
      case 'cancelContract':
        return this.cancel(account, arg('contract_id') as number);
    }
  }

  private create(
    account: string,
    nodeId: number,
    hash: Uint8Array,
    data: Uint8Array,
    publicIps: number,
    provider: number | null,
  ): ChainEvent[] {
    const twinId = this.twinIds.get(account) ?? fail('TwinNotExists');
    const node = this.nodes.get(nodeId) ?? fail('NodeNotExists');
    if (node.standby) fail('NodeNotAvailableToDeploy', 'node is in standby');
    const farm = this.farms.get(node.farmId) ?? fail('FarmNotExists');
    if (node.rentedBy !== null ? node.rentedBy !== twinId : node.dedicated || farm.dedicated) {
      fail(
        'NodeNotAvailableToDeploy',
        node.rentedBy !== null ? 'rented by another twin' : 'dedicated node without a rent contract',
      );
    }
    const hashHex = bytesToHex(hash);
    const held = this.byNodeHash.get(`${nodeId}:${hashHex}`);
    if (held !== undefined && this.contracts.get(held)?.state !== 'Deleted') fail('ContractIsNotUnique');
    if (publicIps > farm.publicIps) fail('FarmHasNotEnoughPublicIPs');
    if (provider !== null) fail('NoSuchSolutionProvider');
    farm.publicIps -= publicIps;
    const contract: StoredContract = {
      contractId: ++this.lastContractId,
      twinId,
      nodeId,
      deploymentHash: hashHex,
      deploymentData: bytesToHex(data),
      publicIps,
      state: 'Created',
    };
    this.contracts.set(contract.contractId, contract);
    this.byNodeHash.set(`${nodeId}:${hashHex}`, contract.contractId);
    return [{ section: 'smartContractModule', method: 'ContractCreated', data: [contractToJson(contract)] }];
  }

  private owned(account: string, contractId: number, notMine: string): StoredContract {
    const c = this.contracts.get(contractId);
    if (!c || c.state === 'Deleted') return fail('ContractNotExists');
    if (this.twins.get(c.twinId)?.account !== account) fail(notMine);
    return c;
  }

  private update(account: string, contractId: number, hash: Uint8Array, data: Uint8Array): ChainEvent[] {
    const old = this.owned(account, contractId, 'TwinNotAuthorizedToUpdateContract');
    const c = { ...old, deploymentHash: bytesToHex(hash), deploymentData: bytesToHex(data) };
    this.byNodeHash.delete(`${old.nodeId}:${old.deploymentHash}`);
    this.byNodeHash.set(`${c.nodeId}:${c.deploymentHash}`, contractId);
    this.contracts.set(contractId, c);
    return [{ section: 'smartContractModule', method: 'ContractUpdated', data: [contractToJson(c)] }];
  }

  private cancel(account: string, contractId: number): ChainEvent[] {
    const old = this.owned(account, contractId, 'TwinNotAuthorizedToCancelContract');
    this.contracts.set(contractId, { ...old, state: 'Deleted' });
    this.byNodeHash.delete(`${old.nodeId}:${old.deploymentHash}`);
    const farm = this.farms.get(this.nodes.get(old.nodeId)?.farmId ?? -1);
    if (farm) farm.publicIps += old.publicIps;
    return [
      {
        section: 'smartContractModule',
        method: 'NodeContractCanceled',
        data: [contractId, old.nodeId, old.twinId],
      },
    ];
  }
}

function contractToJson(c: StoredContract): unknown {
  return {
    version: 4,
    state:
      c.state === 'Created'
        ? { created: null }
        : c.state === 'Deleted'
          ? { deleted: 'CanceledByUser' }
          : { gracePeriod: 0 },
    contractId: c.contractId,
    twinId: c.twinId,
    contractType: {
      nodeContract: {
        nodeId: c.nodeId,
        deploymentHash: c.deploymentHash,
        deploymentData: c.deploymentData,
        publicIps: c.publicIps,
        publicIpsList: [],
      },
    },
    solutionProviderId: null,
  };
}
