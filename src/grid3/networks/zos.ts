/**
 * The zos commands the journeys send, each to the node's twin, each failure turned into a NodeError that
 * names the node (and the contract) and keeps zos's own message. Which twin a node is comes from gridproxy
 * and, when the caller can ask the chain, is checked against it: a deployment carries the node's WireGuard
 * private key, so it must never go to a twin gridproxy merely claims is the node.
 */
import type { Deployment } from '../../core/grid3/deployment.js';
import type { NodeInterfaces, NodePublicConfig } from '../../core/grid3/endpoints.js';
import type { GridNode } from '../gridproxy.js';
import { RmbRemoteError, RmbTimeoutError } from '../rmb/client.js';
import type { NetworksContext } from './context.js';
import { NodeError, NodeTimeoutError, NodeTwinMismatchError } from './errors.js';

/** A node as the journeys reach it. */
export interface NodeRef {
  nodeId: number;
  twinId: number;
  /** gridproxy's record (public config, status), when gridproxy has the node. */
  grid: GridNode;
}

/**
 * The node's record from gridproxy, its twin checked against the chain's when `checkChain` (before a
 * write) and the context can ask the chain.
 */
export async function resolveNode(
  ctx: NetworksContext,
  nodeId: number,
  checkChain: boolean,
): Promise<NodeRef> {
  let grid: GridNode | null;
  try {
    grid = await ctx.proxy.node(nodeId);
  } catch (e) {
    throw new NodeError(nodeId, `node ${nodeId}: gridproxy: ${(e as Error).message}`);
  }
  if (!grid) throw new NodeError(nodeId, `node ${nodeId} is not known to gridproxy`);
  if (checkChain && ctx.nodeTwin) {
    const chainTwin = await ctx.nodeTwin(nodeId);
    if (chainTwin === null) throw new NodeError(nodeId, `node ${nodeId} does not exist on the chain`);
    if (chainTwin !== grid.twinId) {
      throw new NodeTwinMismatchError(
        nodeId,
        `node ${nodeId}: gridproxy says its twin is ${grid.twinId}, the chain says ${chainTwin}; refused ` +
          '(nothing is sent to a twin that is not the node)',
      );
    }
  }
  return { nodeId, twinId: grid.twinId, grid };
}

/** One zos call; any failure becomes a NodeError naming the node. */
export async function zos(
  ctx: NetworksContext,
  node: NodeRef,
  command: string,
  payload?: unknown,
  contractId?: number,
): Promise<unknown> {
  const where =
    contractId === undefined ? `node ${node.nodeId}` : `node ${node.nodeId} (contract ${contractId})`;
  try {
    return await ctx.rmb.request(
      node.twinId,
      command,
      payload,
      ctx.rmbTimeoutMs === undefined ? {} : { timeoutMs: ctx.rmbTimeoutMs },
    );
  } catch (e) {
    if (e instanceof RmbTimeoutError) {
      throw new NodeTimeoutError(node.nodeId, `${where} did not answer ${command}: ${e.message}`, {
        contractId,
        command,
      });
    }
    if (e instanceof RmbRemoteError) {
      throw new NodeError(node.nodeId, `${where} refused ${command}: ${e.remoteMessage}`, {
        contractId,
        command,
        zosMessage: e.remoteMessage,
      });
    }
    throw new NodeError(node.nodeId, `${where}: ${command} failed: ${(e as Error)?.message ?? String(e)}`, {
      contractId,
      command,
    });
  }
}

export async function getDeployment(
  ctx: NetworksContext,
  node: NodeRef,
  contractId: number,
): Promise<unknown> {
  return zos(ctx, node, 'zos.deployment.get', { contract_id: contractId }, contractId);
}

export async function sendDeployment(
  ctx: NetworksContext,
  node: NodeRef,
  op: 'deploy' | 'update',
  d: Deployment,
): Promise<void> {
  await zos(ctx, node, `zos.deployment.${op}`, d, d.contract_id);
}

/** The node's public config, or null when it has none (zos answers an error then). */
export async function publicConfig(ctx: NetworksContext, node: NodeRef): Promise<NodePublicConfig | null> {
  try {
    const v = await zos(ctx, node, 'zos.network.public_config_get');
    return v && typeof v === 'object' ? (v as NodePublicConfig) : null;
  } catch (e) {
    // A node without a public config answers an error; one that does not answer at all is a real problem.
    if (e instanceof NodeTimeoutError) throw e;
    return null;
  }
}

export async function interfaces(ctx: NetworksContext, node: NodeRef): Promise<NodeInterfaces | null> {
  const v = await zos(ctx, node, 'zos.network.interfaces');
  return v && typeof v === 'object' ? (v as NodeInterfaces) : null;
}

export async function usedWgPorts(ctx: NetworksContext, node: NodeRef): Promise<unknown> {
  return zos(ctx, node, 'zos.network.list_wg_ports');
}
