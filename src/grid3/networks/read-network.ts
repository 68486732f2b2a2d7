/**
 * Reads a user's networks as the grid holds them: the node contracts gridproxy lists for the twin, grouped
 * by the network name in their deployment_data, and each deployment as its node answers
 * `zos.deployment.get`, all nodes asked at once. Everything read is untrusted (gridproxy is an index,
 * a node may run anything): a contract or deployment that is not what grid_client writes is skipped with
 * a message naming it, and never makes the whole read fail.
 */
import { challengeHashHex } from '../../core/grid3/challenge.js';
import type { Deployment, NetworkWorkload } from '../../core/grid3/deployment.js';
import { isWgKey } from '../../core/grid3/wg-keys.js';
import type { GridContract } from '../gridproxy.js';
import { emit, type NetworksContext } from './context.js';
import { readContractData } from './contract-data.js';
import { NodeError } from './errors.js';
import { getDeployment, resolveNode, type NodeRef } from './zos.js';

export interface NetworkContract {
  contractId: number;
  nodeId: number;
  state: 'Created' | 'GracePeriod';
  deploymentHash: string;
  deploymentData: string;
  name: string;
  projectName: string;
}

export interface NetworkMember {
  contract: NetworkContract;
  node: NodeRef;
  deployment: Deployment;
  /** The deployment's network workload (the one named as the network). */
  workload: NetworkWorkload;
}

export interface MemberFailure {
  contract: NetworkContract;
  error: Error;
}

export interface LoadedNetwork {
  name: string;
  projectName: string;
  /** In contract order: grid_client loads (and so orders peers) by it. */
  members: NetworkMember[];
  failures: MemberFailure[];
  warnings: string[];
}

const PAGE = 100;

/** The twin's live node contracts that are networks, by name, in contract order. */
export async function networkContracts(
  ctx: NetworksContext,
): Promise<{ byName: Map<string, NetworkContract[]>; warnings: string[] }> {
  emit(ctx, { step: 'contracts', message: `listing the node contracts of twin ${ctx.twinId}` });
  const warnings: string[] = [];
  const all: GridContract[] = [];
  for (let page = 1; ; page++) {
    const r = await ctx.proxy.contracts({
      twinId: ctx.twinId,
      type: 'node',
      state: ['Created', 'GracePeriod'],
      page,
      size: PAGE,
      retCount: true,
    });
    warnings.push(...r.warnings);
    all.push(...r.items);
    // Skipped elements make a short page, so the count header (not the page's length) says when to
    // stop; without one, an empty page does.
    if (r.count !== null ? page * PAGE >= r.count : r.items.length === 0 && r.warnings.length === 0) break;
    if (page >= 1000) break;
  }
  const byName = new Map<string, NetworkContract[]>();
  const seen = new Set<number>();
  for (const c of all.sort((a, b) => a.contract_id - b.contract_id)) {
    if (c.type !== 'node' || seen.has(c.contract_id)) continue;
    seen.add(c.contract_id);
    if (c.state === 'Deleted') continue;
    const data = readContractData(c.details.deployment_data);
    if (data.kind === 'other') continue;
    if (data.kind === 'malformed') {
      warnings.push(`contract ${c.contract_id} (node ${c.details.nodeId}) skipped: ${data.reason}`);
      continue;
    }
    const list = byName.get(data.name) ?? [];
    list.push({
      contractId: c.contract_id,
      nodeId: c.details.nodeId,
      state: c.state,
      deploymentHash: c.details.deployment_hash,
      deploymentData: c.details.deployment_data,
      name: data.name,
      projectName: data.projectName,
    });
    byName.set(data.name, list);
  }
  return { byName, warnings };
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Why a node's reply is not a deployment of this network we can use, or undefined if it is. */
function deploymentProblem(v: unknown, c: NetworkContract, twinId: number): string | undefined {
  if (!isObj(v)) return 'the reply is not a deployment';
  if (!isUint(v['version'])) return 'version is not a number';
  if (v['twin_id'] !== twinId) return `twin_id ${String(v['twin_id'])} is not ours (${twinId})`;
  if (v['contract_id'] !== c.contractId)
    return `contract_id ${String(v['contract_id'])} is not ${c.contractId}`;
  if (typeof v['metadata'] !== 'string' || typeof v['description'] !== 'string')
    return 'metadata or description missing';
  if (!isObj(v['signature_requirement'])) return 'no signature_requirement';
  const sr = v['signature_requirement'];
  if (!Array.isArray(sr['requests']) || !isUint(sr['weight_required']))
    return 'signature_requirement malformed';
  if (!Array.isArray(v['workloads'])) return 'workloads is not a list';
  const nets = v['workloads'].filter((w) => isObj(w) && w['type'] === 'network' && w['name'] === c.name);
  if (nets.length !== 1) return `it has ${nets.length} network workloads named ${c.name}`;
  for (const w of v['workloads']) {
    if (
      !isObj(w) ||
      typeof w['name'] !== 'string' ||
      typeof w['type'] !== 'string' ||
      !isUint(w['version'])
    ) {
      return 'a workload without name, type or version';
    }
    if (typeof w['metadata'] !== 'string' || typeof w['description'] !== 'string') {
      return `workload ${w['name']}: metadata or description missing`;
    }
  }
  const w = nets[0] as Record<string, unknown>;
  const d = w['data'];
  if (!isObj(d)) return 'the network workload has no data';
  if (typeof d['ip_range'] !== 'string' || typeof d['subnet'] !== 'string')
    return 'ip_range or subnet missing';
  if (!isWgKey(d['wireguard_private_key'])) return 'wireguard_private_key is not a key';
  const port = d['wireguard_listen_port'];
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) return 'bad listen port';
  if (!Array.isArray(d['peers'])) return 'peers is not a list';
  for (const p of d['peers']) {
    if (!isObj(p) || typeof p['subnet'] !== 'string' || !isWgKey(p['wireguard_public_key']))
      return 'a malformed peer';
    if (typeof p['endpoint'] !== 'string' || !Array.isArray(p['allowed_ips'])) return 'a malformed peer';
    if (!p['allowed_ips'].every((a) => typeof a === 'string')) return 'a malformed peer';
  }
  return undefined;
}

/** A node's deployment for a contract, checked; throws NodeError when it cannot be used. */
export async function readMember(
  ctx: NetworksContext,
  c: NetworkContract,
  node: NodeRef,
): Promise<{ member: NetworkMember; warnings: string[] }> {
  const raw = await getDeployment(ctx, node, c.contractId);
  const problem = deploymentProblem(raw, c, ctx.twinId);
  if (problem) {
    throw new NodeError(c.nodeId, `node ${c.nodeId} contract ${c.contractId}: ${problem}`, {
      contractId: c.contractId,
    });
  }
  const deployment = raw as Deployment;
  const workload = deployment.workloads.find(
    (w) => w.type === 'network' && w.name === c.name,
  ) as NetworkWorkload;
  const warnings: string[] = [];
  try {
    if (challengeHashHex(deployment) !== c.deploymentHash.toLowerCase()) {
      warnings.push(
        `node ${c.nodeId} contract ${c.contractId}: the deployment on the node does not hash to the contract's ` +
          '(an update may be under way)',
      );
    }
  } catch (e) {
    warnings.push(
      `node ${c.nodeId} contract ${c.contractId}: its deployment cannot be hashed: ${(e as Error).message}`,
    );
  }
  return { member: { contract: c, node, deployment, workload }, warnings };
}

/**
 * One network's members, every node asked in parallel. `checkChain`: check each node's twin against the
 * chain (before a write). Failures are kept apart: listing shows the rest; a write refuses to plan
 * without every node.
 */
export async function loadMembers(
  ctx: NetworksContext,
  name: string,
  contracts: readonly NetworkContract[],
  checkChain: boolean,
): Promise<LoadedNetwork> {
  const warnings: string[] = [];
  const nodes = new Map<number, Promise<NodeRef>>();
  for (const c of contracts) {
    if (!nodes.has(c.nodeId)) nodes.set(c.nodeId, resolveNode(ctx, c.nodeId, checkChain));
  }
  const byNode = new Set<number>();
  const unique = contracts.filter((c) => {
    if (byNode.has(c.nodeId)) {
      warnings.push(`network ${name}: contract ${c.contractId} is a second one on node ${c.nodeId}; ignored`);
      return false;
    }
    byNode.add(c.nodeId);
    return true;
  });
  const results = await Promise.allSettled(
    unique.map(async (c) => {
      emit(ctx, {
        step: 'read',
        nodeId: c.nodeId,
        contractId: c.contractId,
        message: `reading contract ${c.contractId} from node ${c.nodeId}`,
      });
      return readMember(ctx, c, await nodes.get(c.nodeId)!);
    }),
  );
  const members: NetworkMember[] = [];
  const failures: MemberFailure[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      members.push(r.value.member);
      warnings.push(...r.value.warnings);
    } else {
      const error = r.reason instanceof Error ? r.reason : new Error(String(r.reason));
      failures.push({ contract: unique[i]!, error });
    }
  });
  return { name, projectName: contracts[0]?.projectName ?? '', members, failures, warnings };
}
