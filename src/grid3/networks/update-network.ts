/**
 * Changing an existing network's accesses (connect, disconnect): read every node's deployment, plan with
 * grid_client's planner, update every changed deployment (version + 1), all their contracts in ONE
 * batch, then each node, then wait for each node's `ok`.
 *
 * Another client (the dashboard, another device) may change the network between our read and our write.
 * Two places catch it: just before the chain write every changed deployment is read again (a version
 * or hash that moved means our plan is stale), and a node that answers "expecting deployment version"
 * has moved after it. Either way the network is read again and planned again, once.
 */
import { challengeHashHex } from '../../core/grid3/challenge.js';
import { nodeEndpointAddress } from '../../core/grid3/endpoints.js';
import { planNetwork, type NetworkPlan, type NetworkPlanInput } from '../../core/grid3/network-plan.js';
import type { ContractOp } from '../tfchain/types.js';
import { emit, type NetworksContext } from './context.js';
import { JourneyFailedError, NetworkError, NodeError, isVersionRace } from './errors.js';
import { send, sign, updatedDeployment, waitReady } from './deployments.js';
import { accessCandidates, nodeFacts } from './node-facts.js';
import { loadMembers, networkContracts, readMember, type LoadedNetwork } from './read-network.js';

/** The network read for a write: every node answered. */
export async function loadForWrite(ctx: NetworksContext, name: string): Promise<LoadedNetwork> {
  const { byName } = await networkContracts(ctx);
  const contracts = byName.get(name);
  if (!contracts?.length) throw new NetworkError(`you have no network named ${name}`);
  const loaded = await loadMembers(ctx, name, contracts, true);
  const failed = loaded.failures[0];
  if (failed) {
    // Planning without a node would drop it from every peer list: refuse rather than cut it off.
    const e = failed.error;
    if (e instanceof NodeError) {
      e.message = `network ${name} cannot be changed while node ${e.nodeId} cannot be read: ${e.message}`;
      throw e;
    }
    throw new NetworkError(`network ${name} cannot be changed: ${e.message}`);
  }
  if (!ctx.nodeTwin)
    loaded.warnings.push('the nodes’ twins come from gridproxy only: the chain was not asked');
  return loaded;
}

/** Raised inside an attempt when the network moved under us; the caller re-reads and retries once. */
class StalePlan extends Error {}

export type AccessChange = Pick<NetworkPlanInput, 'addAccesses' | 'removeAccesses' | 'random'>;

export interface AppliedPlan {
  plan: NetworkPlan;
  loaded: LoadedNetwork;
  updatedContracts: number[];
  warnings: string[];
}

function partial(name: string, cause: unknown, all: number[], sentTo: number[]): JourneyFailedError {
  const why = cause instanceof Error ? cause.message : String(cause);
  const pending = all.filter((n) => !sentTo.includes(n));
  return new JourneyFailedError(
    `network ${name}: ${why}. The contracts of nodes ${all.join(', ')} were updated; ` +
      (pending.length ? `nodes ${pending.join(', ')} did not get the new deployment; ` : '') +
      'the network is half-changed: run the same action again to finish it, or its reverse to undo it',
    cause,
    'partial',
  );
}

/**
 * One attempt: plan from `loaded` with `change`, write, send, wait. `change` sees the loaded network
 * (a retry must not add a second access for the same device).
 */
async function attempt(
  ctx: NetworksContext,
  loaded: LoadedNetwork,
  change: (loaded: LoadedNetwork) => AccessChange,
): Promise<AppliedPlan> {
  const refs = loaded.members.map((m) => m.node);
  const facts = await Promise.all(refs.map((n) => nodeFacts(ctx, n, false)));
  const ipRange = loaded.members[0]!.workload.data.ip_range;
  emit(ctx, { step: 'plan', message: `planning network ${loaded.name}` });
  const plan = planNetwork({
    name: loaded.name,
    ipRange,
    nodes: facts,
    accessNodeCandidates: accessCandidates(refs),
    existing: loaded.members.map((m) => ({ nodeId: m.contract.nodeId, workload: m.workload })),
    ...change(loaded),
  });
  const changed = loaded.members.filter((m) => plan.changedNodeIds.includes(m.contract.nodeId));
  const unsigned = changed.map((m) => {
    const planned = plan.nodes.find((n) => n.nodeId === m.contract.nodeId)!;
    return updatedDeployment(m.deployment, planned.workload);
  });

  // Read again just before writing: a deployment that moved since the plan makes the plan stale.
  const again = await Promise.all(changed.map((m) => readMember(ctx, m.contract, m.node)));
  again.forEach((r, i) => {
    const before = changed[i]!.deployment;
    const now = r.member.deployment;
    if (now.version !== before.version || challengeHashHex(now) !== challengeHashHex(before)) {
      throw new StalePlan(
        `node ${changed[i]!.contract.nodeId}: the deployment changed since it was read ` +
          `(version ${before.version} → ${now.version})`,
      );
    }
  });

  const signed = await Promise.all(unsigned.map((d) => sign(ctx, d)));
  const ops: ContractOp[] = signed.map((d, i) => ({
    kind: 'update',
    contractId: d.contract_id,
    deploymentHash: challengeHashHex(d),
    // The contract keeps its deployment_data (grid_client reuses the old contract's).
    deploymentData: changed[i]!.contract.deploymentData,
  }));
  if (ops.length) {
    emit(ctx, {
      step: 'chain',
      message: `updating contract${ops.length > 1 ? 's' : ''} ${signed.map((d) => d.contract_id).join(', ')} in one batch`,
    });
    await ctx.chain.nodeContractsBatch(ops);
  }

  const nodesOf = (list: typeof changed) => list.map((m) => m.contract.nodeId);
  // The nodes others dial first, hidden nodes after them. Applying an update may reset a node's WireGuard
  // sessions (the devnet's agent re-creates the link; zos re-applies the interface's whole config); a hidden node handshakes with its access node
  // only when its own link comes up, and the access node cannot dial it. Updated before its access node,
  // a hidden node would keep a session the access node has just forgotten, and be cut off from the
  // network until WireGuard rekeys, two minutes later.
  const hidden = new Set(
    facts.filter((f) => nodeEndpointAddress(f.publicConfig, f.interfaces) === undefined).map((f) => f.nodeId),
  );
  const all = signed.map((d, i) => ({ d, m: changed[i]! }));
  const waves = [false, true]
    .map((h) => all.filter(({ m }) => hidden.has(m.contract.nodeId) === h))
    .filter((w) => w.length);
  const sentTo: number[] = [];
  for (const wave of waves) {
    const sendResults = await Promise.allSettled(
      wave.map(async ({ d, m }) => {
        await send(ctx, m.node, 'update', d);
        sentTo.push(m.contract.nodeId);
      }),
    );
    const rejected = sendResults.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const raced = rejected.find((r) => r.reason instanceof NodeError && isVersionRace(r.reason.zosMessage));
    if (raced) throw new StalePlan((raced.reason as Error).message);
    if (rejected[0]) throw partial(loaded.name, rejected[0].reason, nodesOf(changed), sentTo);

    const waits = await Promise.allSettled(wave.map(({ d, m }) => waitReady(ctx, m.node, d)));
    const failedWait = waits.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failedWait) throw partial(loaded.name, failedWait.reason, nodesOf(changed), [...sentTo]);
  }
  return {
    plan,
    loaded,
    updatedContracts: signed.map((d) => d.contract_id),
    warnings: [...loaded.warnings, ...plan.warnings],
  };
}

/** Plans and applies `change`, re-reading and retrying once on a version race. */
export async function applyChange(
  ctx: NetworksContext,
  name: string,
  change: (loaded: LoadedNetwork) => AccessChange,
): Promise<AppliedPlan> {
  let loaded = await loadForWrite(ctx, name);
  try {
    return await attempt(ctx, loaded, change);
  } catch (e) {
    if (!(e instanceof StalePlan)) throw e;
    emit(ctx, { step: 'retry', message: `${e.message}; reading network ${name} again and retrying once` });
    loaded = await loadForWrite(ctx, name);
    try {
      return await attempt(ctx, loaded, change);
    } catch (e2) {
      if (e2 instanceof StalePlan) {
        throw new NetworkError(`network ${name} keeps changing under us (${e2.message}); try again later`);
      }
      throw e2;
    }
  }
}
