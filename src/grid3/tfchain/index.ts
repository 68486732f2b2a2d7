/**
 * TFChain for overlay-connect. Importing this is cheap: @polkadot loads only when connectLiveChain is
 * called (live.ts imports it dynamically), so keep `import('./live.js')` out of the startup path too.
 */
export type {
  Chain,
  ChainSigner,
  ContractOp,
  CreateOp,
  UpdateOp,
  CancelOp,
  OpOutcome,
  NodeContract,
  ChainNode,
  Twin,
  ContractState,
} from './types.js';
export { ChainError, ChainInputError, ChainTimeoutError } from './errors.js';
export { buildBatchCalls, deploymentHashBytes, MAX_DEPLOYMENT_DATA, type ChainCall } from './calls.js';
export { connectDevnetChain, type DevnetChainOptions } from './devnet-client.js';

/** The live chain, loading @polkadot on first use. */
export async function connectLiveChain(
  options: import('./live.js').LiveChainOptions,
): Promise<import('./types.js').Chain> {
  const live = await import('./live.js');
  return live.connectLiveChain(options);
}
