/**
 * "Create a network" with this device's access: every node asked for its public config and used
 * WireGuard ports, planned with grid_client's planner, one node contract per node created in ONE batch
 * (deployment_data as grid_client writes it), then each node's deployment sent and its `ok` awaited.
 *
 * On a failure after the contracts exist, they are cancelled again in one batch (what grid_client's
 * rollback does for created contracts), and the error says which node failed and that nothing is left;
 * if even the cancel fails, it lists the contracts that still exist.
 */
import { challengeHashHex } from '../../core/grid3/challenge.js';
import type { Deployment } from '../../core/grid3/deployment.js';
import { isValidWorkloadName } from '../../core/grid3/deployment.js';
import { planNetwork } from '../../core/grid3/network-plan.js';
import { privateEndpointRange } from '../../core/wgconf/values.js';
import { emit, type NetworksContext } from './context.js';
import { networkContractData } from './contract-data.js';
import { send, sign, newDeployment, waitReady } from './deployments.js';
import { JourneyFailedError, NetworkError } from './errors.js';
import { accessCandidates, nodeFacts } from './node-facts.js';
import { networkContracts } from './read-network.js';
import { resolveNode, type NodeRef } from './zos.js';

export interface CreateNetworkInput {
  name: string;
  /** A private /16, `a.b.0.0/16`. */
  ipRange: string;
  nodeIds: number[];
  /** The node this device dials: one of nodeIds, with a public IPv4. */
  accessNodeId: number;
  /** Write this device's private key into user_accesses (see connect.ts). */
  shareKey?: boolean;
}

export interface CreatedNetwork {
  network: string;
  ipRange: string;
  contracts: Array<{ nodeId: number; contractId: number; subnet: string }>;
  access: {
    nodeId: number;
    subnet: string;
    address: string;
    publicKey: string;
    /** For the caller to seal. */
    privateKey: string;
    config: string;
    endpoint: string;
  };
  warnings: string[];
}

export async function createNetwork(
  ctx: NetworksContext,
  input: CreateNetworkInput,
): Promise<CreatedNetwork> {
  const { name, ipRange, nodeIds, accessNodeId } = input;
  if (!isValidWorkloadName(name))
    throw new NetworkError(`network name "${name}" must be 1–36 of [a-zA-Z0-9_] and not "ygg"`);
  if (nodeIds.length === 0) throw new NetworkError('a network needs at least one node');
  if (new Set(nodeIds).size !== nodeIds.length) throw new NetworkError('a node is listed twice');
  if (!nodeIds.includes(accessNodeId))
    throw new NetworkError(`the access node ${accessNodeId} is not one of the nodes`);

  const { byName, warnings } = await networkContracts(ctx);
  if (byName.has(name)) throw new NetworkError(`you already have a network named ${name}`);

  const refs: NodeRef[] = await Promise.all(nodeIds.map((id) => resolveNode(ctx, id, true)));
  if (!ctx.nodeTwin) warnings.push('the nodes’ twins come from gridproxy only: the chain was not asked');
  const facts = await Promise.all(refs.map((n) => nodeFacts(ctx, n, true)));
  emit(ctx, { step: 'plan', message: `planning network ${name} on nodes ${nodeIds.join(', ')}` });
  const plan = planNetwork({
    name,
    ipRange,
    nodes: facts,
    accessNodeCandidates: accessCandidates(refs),
    addAccesses: [{ nodeId: accessNodeId, storePrivateKey: input.shareKey === true }],
  });
  warnings.push(...plan.warnings);
  const access = plan.addedAccesses[0]!;

  const metadata = networkContractData(name, ctx.projectName ?? '');
  const signed = await Promise.all(
    plan.nodes.map((n) => sign(ctx, newDeployment(ctx.twinId, n.workload, metadata))),
  );
  emit(ctx, {
    step: 'chain',
    message: `creating ${signed.length} node contract${signed.length > 1 ? 's' : ''} in one batch`,
  });
  const outcomes = await ctx.chain.nodeContractsBatch(
    signed.map((d, i) => ({
      kind: 'create',
      nodeId: plan.nodes[i]!.nodeId,
      deploymentHash: challengeHashHex(d),
      deploymentData: metadata,
      publicIps: 0,
    })),
  );
  const created = outcomes.map((o) => o.contractId);
  const refOf = (nodeId: number) => refs.find((r) => r.nodeId === nodeId)!;
  let deployments: Deployment[] = [];

  try {
    // contract_id is not part of the challenge: the signature stays valid.
    deployments = signed.map((d, i) => {
      const o = outcomes[i];
      if (!o || o.kind !== 'create' || o.nodeId !== plan.nodes[i]!.nodeId) {
        throw new NetworkError(`the chain's answer names no contract for node ${plan.nodes[i]!.nodeId}`);
      }
      return { ...d, contract_id: o.contractId };
    });
    await Promise.all(deployments.map((d, i) => send(ctx, refOf(plan.nodes[i]!.nodeId), 'deploy', d)));
    await Promise.all(deployments.map((d, i) => waitReady(ctx, refOf(plan.nodes[i]!.nodeId), d)));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    emit(ctx, { step: 'rollback', message: `${why}; cancelling contracts ${created.join(', ')}` });
    try {
      await ctx.chain.nodeContractsBatch(created.map((contractId) => ({ kind: 'cancel', contractId })));
    } catch (e2) {
      throw new JourneyFailedError(
        `network ${name} was not created: ${why}. Cancelling its contracts failed too ` +
          `(${(e2 as Error).message}): contracts ${created.join(', ')} still exist; delete network ${name} to cancel them`,
        e,
        'rollback-failed',
        created,
      );
    }
    throw new JourneyFailedError(
      `network ${name} was not created: ${why}. Its contracts ${created.join(', ')} were cancelled; nothing is left`,
      e,
      'rolled-back',
    );
  }

  const range = privateEndpointRange(access.endpoint);
  if (range) {
    warnings.push(
      `Endpoint ${access.endpoint} is ${range}: this tunnel can connect only from inside that network; use the peer's public address`,
    );
  }
  return {
    network: name,
    ipRange: plan.ipRange,
    contracts: deployments.map((d, i) => ({
      nodeId: plan.nodes[i]!.nodeId,
      contractId: d.contract_id,
      subnet: plan.nodes[i]!.workload.data.subnet,
    })),
    access: {
      nodeId: access.nodeId,
      subnet: access.subnet,
      address: access.address,
      publicKey: access.publicKey,
      privateKey: access.privateKey!,
      config: access.config!,
      endpoint: access.endpoint,
    },
    warnings,
  };
}
