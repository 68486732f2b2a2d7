/**
 * What the planner needs to know about each node, fetched from the nodes themselves over RMB (as
 * grid_client does: `public_config_get`, then `interfaces` when that gives no public address, and
 * `list_wg_ports` for a node new to the network), every node at once; and the access node candidates
 * from gridproxy (grid_client's `getAccessNodes`: public IPv4 and IPv6 listed).
 */
import { nodeEndpointAddress } from '../../core/grid3/endpoints.js';
import type { AccessNodeCandidate, NodeFacts } from '../../core/grid3/network-plan.js';
import { emit, type NetworksContext } from './context.js';
import { interfaces, publicConfig, usedWgPorts, type NodeRef } from './zos.js';

export async function nodeFacts(ctx: NetworksContext, node: NodeRef, isNew: boolean): Promise<NodeFacts> {
  emit(ctx, {
    step: 'node-config',
    nodeId: node.nodeId,
    message: `asking node ${node.nodeId} for its public config`,
  });
  const [config, ports] = await Promise.all([
    publicConfig(ctx, node),
    isNew ? usedWgPorts(ctx, node) : Promise.resolve(undefined),
  ]);
  const facts: NodeFacts = { nodeId: node.nodeId, publicConfig: config };
  if (nodeEndpointAddress(config, null) === undefined) facts.interfaces = await interfaces(ctx, node);
  if (isNew) facts.usedPorts = ports;
  return facts;
}

export function accessCandidates(nodes: readonly NodeRef[]): AccessNodeCandidate[] {
  return nodes
    .filter((n) => n.grid.publicConfig.ipv4 !== '' && n.grid.publicConfig.ipv6 !== '')
    .map((n) => ({ nodeId: n.nodeId, ipv4: n.grid.publicConfig.ipv4, ipv6: n.grid.publicConfig.ipv6 }));
}
