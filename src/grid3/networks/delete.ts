/** "Delete a network": zos refuses deletion over RMB; cancelling the contracts (one batch) removes it. */
import { emit, type NetworksContext } from './context.js';
import { NetworkError } from './errors.js';
import { networkContracts } from './read-network.js';

export interface DeletedNetwork {
  network: string;
  cancelledContracts: number[];
  warnings: string[];
}

export async function deleteNetwork(ctx: NetworksContext, name: string): Promise<DeletedNetwork> {
  const { byName, warnings } = await networkContracts(ctx);
  const contracts = byName.get(name);
  if (!contracts?.length) throw new NetworkError(`you have no network named ${name}`);
  const ids = contracts.map((c) => c.contractId);
  emit(ctx, {
    step: 'chain',
    message: `cancelling contract${ids.length > 1 ? 's' : ''} ${ids.join(', ')} in one batch`,
  });
  await ctx.chain.nodeContractsBatch(ids.map((contractId) => ({ kind: 'cancel', contractId })));
  return { network: name, cancelledContracts: ids, warnings };
}
