/**
 * Building, signing, sending and waiting for the deployments of a network, with zos's rules:
 * - a new deployment is version 0 with its workloads at 0;
 * - an update is `old.version + 1`, and zos (zosbase `Deployment.Upgrade`) applies exactly the workloads
 *   whose version equals that new number — a changed workload left at any other version is silently kept
 *   as it was. grid_client bumps the workload with `+= 1` from its own version, which is only right while
 *   the workload's version tracks the deployment's; here the changed network workload gets the new
 *   deployment version itself, and every other workload keeps its version (and so stays untouched);
 * - the signature is sr25519 over the 16 challenge-hash bytes, the contract holds the hash;
 * - readiness is grid_client's: the node reports the workload at the version sent, in state `ok`
 *   (an `error` state is zos's verdict and is reported with its message).
 */
import { challengeHashHex, signDeployment, type DeploymentSigner } from '../../core/grid3/challenge.js';
import type { Deployment, NetworkWorkload, Workload } from '../../core/grid3/deployment.js';
import {
  DEFAULT_DEPLOY_TIMEOUT_MS,
  DEFAULT_POLL_MS,
  emit,
  nowMs,
  sleep,
  type NetworksContext,
} from './context.js';
import { NodeError, NodeTimeoutError } from './errors.js';
import { getDeployment, sendDeployment, type NodeRef } from './zos.js';

export function accountSigner(ctx: NetworksContext): DeploymentSigner {
  return { type: 'sr25519', sign: (m) => ctx.account.sign(m) };
}

/** A workload as it is sent: without the node's `result`. */
function bare<W extends Workload>(w: W): W {
  const { result: _result, ...rest } = w;
  return rest as W;
}

/** grid_client's new deployment (`DeploymentFactory.create`): one request of our twin, weight 1. */
export function newDeployment(twinId: number, workload: NetworkWorkload, metadata: string): Deployment {
  return {
    version: 0,
    twin_id: twinId,
    contract_id: 0,
    metadata,
    description: '',
    expiration: 0,
    signature_requirement: {
      requests: [{ twin_id: twinId, required: false, weight: 1 }],
      weight_required: 1,
      signatures: [],
    },
    workloads: [bare({ ...workload, version: 0 })],
  };
}

/** The update of `existing` that replaces its network workload by `planned` (see the rules above). */
export function updatedDeployment(existing: Deployment, planned: NetworkWorkload): Deployment {
  const version = existing.version + 1;
  let replaced = false;
  const workloads = existing.workloads.map((w) => {
    if (w.type === 'network' && w.name === planned.name) {
      replaced = true;
      return bare({ ...planned, version });
    }
    return bare(w);
  });
  if (!replaced) throw new Error(`the deployment has no network workload ${planned.name}`);
  return {
    version,
    twin_id: existing.twin_id,
    contract_id: existing.contract_id,
    metadata: existing.metadata,
    description: existing.description,
    expiration: existing.expiration,
    signature_requirement: {
      requests: existing.signature_requirement.requests.map((r) => ({ ...r })),
      weight_required: existing.signature_requirement.weight_required,
      signatures: [],
    },
    workloads,
  };
}

export async function sign(ctx: NetworksContext, d: Deployment): Promise<Deployment> {
  return signDeployment(d, ctx.twinId, accountSigner(ctx));
}

export { challengeHashHex };

/** Sends a signed deployment; progress names the node and contract. */
export async function send(
  ctx: NetworksContext,
  node: NodeRef,
  op: 'deploy' | 'update',
  d: Deployment,
): Promise<void> {
  emit(ctx, {
    step: 'send',
    nodeId: node.nodeId,
    contractId: d.contract_id,
    message: `sending ${op} v${d.version} of contract ${d.contract_id} to node ${node.nodeId}`,
  });
  await sendDeployment(ctx, node, op, d);
}

/**
 * Polls `zos.deployment.get` until the node runs `sent` (its version, and each workload of that version
 * in state `ok`). Throws NodeError with zos's message on `error`, NodeTimeoutError at the deadline.
 */
export async function waitReady(ctx: NetworksContext, node: NodeRef, sent: Deployment): Promise<void> {
  const deadline = nowMs(ctx) + (ctx.deployTimeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS);
  const pollMs = ctx.pollMs ?? DEFAULT_POLL_MS;
  const targets = sent.workloads.filter((w) => w.version === sent.version).map((w) => w.name);
  const where = `node ${node.nodeId} (contract ${sent.contract_id})`;
  emit(ctx, {
    step: 'wait',
    nodeId: node.nodeId,
    contractId: sent.contract_id,
    message: `waiting for ${where} to report ok`,
  });
  let last = 'no answer yet';
  for (;;) {
    let raw: unknown;
    try {
      raw = await getDeployment(ctx, node, sent.contract_id);
    } catch (e) {
      // A node that stops answering is reported at the deadline; a refusal is zos's answer now.
      if (!(e instanceof NodeTimeoutError)) throw e;
      last = (e as Error).message;
      raw = undefined;
    }
    const d = raw as Partial<Deployment> | undefined;
    if (d && d.version === sent.version && Array.isArray(d.workloads)) {
      let ready = 0;
      for (const name of targets) {
        const w = d.workloads.find((x) => x && x.name === name);
        if (!w || w.version !== sent.version) continue;
        if (w.result?.state === 'error') {
          const msg = String(w.result.message ?? '');
          throw new NodeError(node.nodeId, `${where}: zos could not apply workload ${name}: ${msg}`, {
            contractId: sent.contract_id,
            zosMessage: msg,
          });
        }
        if (w.result?.state === 'ok') ready++;
        else last = `workload ${name} is ${String(w.result?.state ?? 'without a result')}`;
      }
      if (ready === targets.length) {
        emit(ctx, {
          step: 'ready',
          nodeId: node.nodeId,
          contractId: sent.contract_id,
          message: `${where} is ok`,
        });
        return;
      }
    } else if (d) {
      last = `the node still has version ${String(d.version)}`;
    }
    if (nowMs(ctx) + pollMs > deadline) {
      const s = (ctx.deployTimeoutMs ?? DEFAULT_DEPLOY_TIMEOUT_MS) / 1000;
      throw new NodeTimeoutError(
        node.nodeId,
        `${where} did not report ok within ${s < 10 ? s.toFixed(1) : Math.round(s)} s (${last})`,
        { contractId: sent.contract_id },
      );
    }
    await sleep(pollMs);
  }
}
