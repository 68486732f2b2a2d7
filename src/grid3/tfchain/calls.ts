/**
 * The pure half of submitting: ops → the list of calls that goes into one `utility.batchAll`. No chain,
 * no @polkadot: the live chain turns each call into `api.tx[section][method](...values)`, the devnet sends
 * the same list as JSON, and test/grid3/tfchain/extrinsics.test.ts encodes it with the real chain's
 * metadata to prove the names, order and types are the chain's own.
 *
 * Argument names and order follow pallet-smart-contract's `#[pallet::call]`s:
 *   create_node_contract(node_id u32, deployment_hash [u8;32], deployment_data Bytes ≤ 512,
 *                        public_ips u32, solution_provider_id Option<u64>)   call_index 0
 *   update_node_contract(contract_id u64, deployment_hash [u8;32], deployment_data Bytes)   call_index 1
 *   cancel_contract(contract_id u64)   call_index 2
 */
import { ChainInputError } from './errors.js';
import type { ContractOp } from './types.js';

/** The runtime's MaxDeploymentDataLength (substrate-node/runtime/src/lib.rs): longer data fails to decode. */
export const MAX_DEPLOYMENT_DATA = 512;

export type CallValue = number | Uint8Array | null;

export interface ChainCall {
  section: 'smartContractModule';
  method: 'createNodeContract' | 'updateNodeContract' | 'cancelContract';
  /** In the pallet's order, with the pallet's (snake_case) names. */
  args: { name: string; value: CallValue }[];
}

const U32_MAX = 0xffff_ffff;

function u32(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U32_MAX) {
    throw new ChainInputError(`${what} must be an integer in 0..${U32_MAX}`);
  }
  return v;
}

/** u64 ids kept as JS numbers: chain ids are far below 2^53, and a bigger one is refused, not rounded. */
function u64(what: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new ChainInputError(`${what} must be a safe integer ≥ ${min}`);
  }
  return v;
}

/**
 * On chain `deployment_hash` holds the ASCII bytes of the 32 hex characters (grid_client passes the hex
 * string and polkadot turns a non-0x string into its UTF-8 bytes); zos compares it with its own
 * lowercase MD5 hex, so it is lowercased here.
 */
export function deploymentHashBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new ChainInputError('deployment hash must be 32 hex characters (an MD5)');
  }
  return new TextEncoder().encode(hex.toLowerCase());
}

export function deploymentDataBytes(data: string): Uint8Array {
  if (typeof data !== 'string') throw new ChainInputError('deployment data must be a string');
  const bytes = new TextEncoder().encode(data);
  if (bytes.length > MAX_DEPLOYMENT_DATA) {
    throw new ChainInputError(
      `deployment data is ${bytes.length} bytes; the chain takes at most ${MAX_DEPLOYMENT_DATA}`,
    );
  }
  return bytes;
}

export function buildCall(op: ContractOp): ChainCall {
  switch (op.kind) {
    case 'create':
      return {
        section: 'smartContractModule',
        method: 'createNodeContract',
        args: [
          { name: 'node_id', value: u32('nodeId', op.nodeId) },
          { name: 'deployment_hash', value: deploymentHashBytes(op.deploymentHash) },
          { name: 'deployment_data', value: deploymentDataBytes(op.deploymentData) },
          { name: 'public_ips', value: u32('publicIps', op.publicIps) },
          {
            name: 'solution_provider_id',
            value:
              op.solutionProviderId === undefined ? null : u64('solutionProviderId', op.solutionProviderId),
          },
        ],
      };
    case 'update':
      return {
        section: 'smartContractModule',
        method: 'updateNodeContract',
        args: [
          { name: 'contract_id', value: u64('contractId', op.contractId, 1) },
          { name: 'deployment_hash', value: deploymentHashBytes(op.deploymentHash) },
          { name: 'deployment_data', value: deploymentDataBytes(op.deploymentData) },
        ],
      };
    case 'cancel':
      return {
        section: 'smartContractModule',
        method: 'cancelContract',
        args: [{ name: 'contract_id', value: u64('contractId', op.contractId, 1) }],
      };
    default:
      throw new ChainInputError(`unknown op ${JSON.stringify((op as { kind?: unknown }).kind)}`);
  }
}

/** Every op, in order; an empty batch is refused (it would cost a fee and do nothing). */
export function buildBatchCalls(ops: readonly ContractOp[]): ChainCall[] {
  if (!Array.isArray(ops) || ops.length === 0) throw new ChainInputError('a batch needs at least one op');
  return ops.map(buildCall);
}
