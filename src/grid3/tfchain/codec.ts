/**
 * Reading the chain's values from the JSON polkadot's `toJSON()` gives for them (the live chain) — the
 * devnet stand-in answers in the same shape, so one reader serves both. Shapes (real metadata, checked
 * in test/grid3/tfchain/extrinsics.test.ts): Twin {id, accountId, relay: 0x|null, entities, pk: 0x|null};
 * Contract {version, state: {created: null}|{gracePeriod: n}|{deleted: cause}, contractId, twinId,
 * contractType: {nodeContract: {nodeId, deploymentHash: 0x, deploymentData: 0x, publicIps, …}},
 * solutionProviderId}.
 */
import { ChainError } from './errors.js';
import type {
  ChainEvent,
  ChainNode,
  ContractOp,
  ContractState,
  NodeContract,
  OpOutcome,
  Twin,
} from './types.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h))
    throw new ChainError('codec', 'BadHex', hex.slice(0, 20));
  return new Uint8Array(Buffer.from(h, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes).toString('hex');
}

/** Bytes from toJSON are 0x hex; a devnet or older node may give the text itself. */
function text(v: unknown): string {
  if (typeof v !== 'string') throw new ChainError('codec', 'BadValue', `expected bytes, got ${typeof v}`);
  return /^0x([0-9a-fA-F]{2})*$/.test(v) ? new TextDecoder().decode(hexToBytes(v)) : v;
}

function num(v: unknown, what: string): number {
  const n = typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new ChainError('codec', 'BadValue', what);
  return n;
}

/** An enum as toJSON gives it: a bare name for data-less variants, or {variant: data}. */
function variant(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isObj(v) && Object.keys(v).length === 1) return Object.keys(v)[0]!;
  throw new ChainError('codec', 'BadValue', 'expected an enum');
}

export function twinFromJson(v: unknown): Twin | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) throw new ChainError('codec', 'BadValue', 'twin');
  return {
    id: num(v.id, 'twin.id'),
    accountId: String(v.accountId),
    relay: v.relay === null || v.relay === undefined ? null : text(v.relay),
    pk: v.pk === null || v.pk === undefined ? null : String(v.pk).toLowerCase(),
  };
}

/** tfgridModule.nodes(id) as toJSON gives it (the fields we read). */
export function nodeFromJson(v: unknown): ChainNode | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v)) throw new ChainError('codec', 'BadValue', 'node');
  return {
    id: num(v.id, 'node.id'),
    farmId: num(v.farmId, 'node.farmId'),
    twinId: num(v.twinId, 'node.twinId'),
  };
}

const STATES: Record<string, ContractState> = {
  created: 'Created',
  graceperiod: 'GracePeriod',
  deleted: 'Deleted',
};

export function contractFromJson(v: unknown): NodeContract | null {
  if (v === null || v === undefined) return null;
  if (!isObj(v) || !isObj(v.contractType)) throw new ChainError('codec', 'BadValue', 'contract');
  const node = v.contractType.nodeContract;
  if (!isObj(node)) return null; // a name or rent contract
  const state = STATES[variant(v.state).toLowerCase()];
  if (!state) throw new ChainError('codec', 'BadValue', 'contract state');
  return {
    contractId: num(v.contractId, 'contractId'),
    twinId: num(v.twinId, 'twinId'),
    nodeId: num(node.nodeId, 'nodeId'),
    deploymentHash: text(node.deploymentHash),
    deploymentData: text(node.deploymentData),
    publicIps: num(node.publicIps, 'publicIps'),
    state,
    solutionProviderId:
      v.solutionProviderId === null || v.solutionProviderId === undefined
        ? null
        : num(v.solutionProviderId, 'solutionProviderId'),
  };
}

const WANTED = {
  create: 'ContractCreated',
  update: 'ContractUpdated',
  cancel: 'NodeContractCanceled',
} as const;

/**
 * The contract id of each op from the batch's events. pallet-utility's batch_all deposits ItemCompleted
 * after each call, so the events between two of them belong to one op; each op then has exactly one
 * event of its kind: ContractCreated(Contract) / ContractUpdated(Contract) / NodeContractCanceled
 * {contract_id, node_id, twin_id}. (A cancel also bills, which may add ContractBilled/TokensBurned.)
 */
export function outcomesFromEvents(ops: readonly ContractOp[], events: readonly ChainEvent[]): OpOutcome[] {
  const segments: ChainEvent[][] = [[]];
  for (const e of events) {
    if (e.section === 'utility' && e.method === 'ItemCompleted') segments.push([]);
    else segments[segments.length - 1]!.push(e);
  }
  if (segments.length - 1 !== ops.length) {
    throw new ChainError(
      'transaction',
      'UnexpectedEvents',
      `${ops.length} ops but ${segments.length - 1} ItemCompleted`,
    );
  }
  return ops.map((op, i) => {
    const hits = segments[i]!.filter(
      (e) => e.section === 'smartContractModule' && e.method === WANTED[op.kind],
    );
    if (hits.length !== 1) {
      throw new ChainError(
        'transaction',
        'UnexpectedEvents',
        `op ${i} (${op.kind}): ${hits.length} ${WANTED[op.kind]}`,
      );
    }
    const data = hits[0]!.data;
    if (op.kind === 'cancel') {
      const id = num(isObj(data[0]) ? data[0].contractId : data[0], 'contract_id');
      if (id !== op.contractId)
        throw new ChainError('transaction', 'UnexpectedEvents', `cancelled ${id}, asked ${op.contractId}`);
      return { kind: 'cancel', contractId: id };
    }
    const contract = contractFromJson(data[0]);
    if (!contract) throw new ChainError('transaction', 'UnexpectedEvents', `op ${i}: not a node contract`);
    if (op.kind === 'create') {
      if (contract.nodeId !== op.nodeId)
        throw new ChainError('transaction', 'UnexpectedEvents', `op ${i}: node ${contract.nodeId}`);
      return { kind: 'create', contractId: contract.contractId, nodeId: contract.nodeId };
    }
    if (contract.contractId !== op.contractId)
      throw new ChainError('transaction', 'UnexpectedEvents', `op ${i}: contract ${contract.contractId}`);
    return { kind: 'update', contractId: contract.contractId };
  });
}
