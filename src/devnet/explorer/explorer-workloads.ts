/**
 * The devnet explorer's node routes: the workloads a node must deploy or tear down, and the results it
 * reports, which must be for a workload of that reservation on that node and verify against the node's key
 * over the bytes of tfexplorer's Result.encode (whose own check is disabled upstream). Apart from the
 * customer routes (explorer-reservations.ts): here every signature is a node's.
 */
import { resultSignatureValid } from '../../core/overlay/result-signature.js';
import { HttpError, obj } from './explorer-http.js';
import { advance, NextAction, nodesOf, ResultState, type ExplorerContext } from './explorer-pipeline.js';

/** What a node must do: network workloads addressed to it, newest first per network. */
export function workloadsFor(ctx: ExplorerContext, nodeId: string, from: number) {
  const out: unknown[] = [];
  for (const r of ctx.db.reservations({})) {
    if (r.id < from || (r.next_action !== NextAction.deploy && r.next_action !== NextAction.delete)) continue;
    const data = JSON.parse(r.json);
    for (const net of data.networks ?? []) {
      const nr = (net.network_resources ?? []).find((x: { node_id: string }) => x.node_id === nodeId);
      if (!nr) continue;
      out.push({
        workload_id: `${r.id}-${net.workload_id}`,
        reservation_id: r.id,
        customer_tid: r.customer_tid,
        type: 'network',
        to_delete: r.next_action === NextAction.delete,
        epoch: r.created,
        content: { name: net.name, iprange: net.iprange, network_resource: nr },
      });
    }
  }
  return out;
}

export function putResult(
  ctx: ExplorerContext,
  workloadId: string,
  nodeId: string,
  body: unknown,
  deleted: boolean,
) {
  const rid = Number(workloadId.split('-')[0]);
  const r = ctx.db.reservation(rid);
  const node = ctx.db.node(nodeId);
  if (!r || !node) throw new HttpError(404, 'workload not found');
  // workloadPutResult (pkg/workloads/reservation.go): only a workload of this reservation on this node.
  if (
    !nodesOf(r).includes(nodeId) ||
    !workloadsFor(ctx, nodeId, rid).some((w) => (w as { workload_id: string }).workload_id === workloadId)
  ) {
    throw new HttpError(404, 'workload not found');
  }
  const b = obj(body ?? {});
  const state = deleted ? ResultState.deleted : Number(b.state);
  const message = String(b.message ?? '');
  if (
    !resultSignatureValid(String(node.public_key_hex), {
      state,
      message,
      data_json: b.data_json,
      signature: b.signature,
    })
  ) {
    throw new HttpError(401, 'invalid result signature');
  }
  ctx.db.putResult({
    reservation_id: rid,
    workload_id: workloadId,
    node_id: nodeId,
    category: 0,
    state,
    message,
    data_json: JSON.stringify(b.data_json ?? null),
    signature: String(b.signature),
    epoch: ctx.now(),
  });
  advance(ctx, ctx.db.reservation(rid)!);
  return { status: 200, body: {} };
}
