/**
 * The devnet explorer's reservation state machine: tfexplorer's NextAction and result states, and how a
 * reservation moves along its pipeline (Pipeline.Next, pkg/workloads/types/pipeline.go) with the quorum
 * checks for provisioning and deletion. Apart from the routes because every route that reads or changes a
 * reservation moves it first, and the server's timer moves them all.
 */
import type { ExplorerDb, ReservationRow } from './explorer-db.js';

export const NextAction = {
  create: 0,
  sign: 1,
  pay: 2,
  deploy: 3,
  delete: 4,
  invalid: 5,
  deleted: 6,
} as const;
export const ResultState = { error: 0, ok: 1, deleted: 2 } as const;

/** What the routes share: the explorer's database and its clock (unix seconds). */
export interface ExplorerContext {
  readonly db: ExplorerDb;
  readonly now: () => number;
}

/**
 * tfexplorer's Pipeline.Next (pkg/workloads/types/pipeline.go), plus the escrow's move from pay to deploy
 * (here: the pay call) and delete → deleted once every node reported the teardown.
 */
export function advance(ctx: ExplorerContext, r: ReservationRow): ReservationRow {
  const now = ctx.now();
  let next = r.next_action;
  if (next === NextAction.delete) {
    const results = ctx.db.results(r.id);
    const pending = nodesOf(r).filter((n) =>
      results.some(
        (x) => x.node_id === n && x.state !== ResultState.deleted && x.state !== ResultState.error,
      ),
    );
    if (pending.length === 0) next = NextAction.deleted;
  } else if (next < NextAction.delete) {
    const data = JSON.parse(r.json);
    const ok = new Set(
      ctx.db
        .results(r.id)
        .filter((x) => x.state === ResultState.ok)
        .map((x) => x.node_id),
    );
    const deployed = nodesOf(r).every((n) => ok.has(n));
    if (now >= r.expiration_reservation || quorum(ctx, r, 'delete', data.signing_request_delete, false))
      next = NextAction.delete;
    else if (now > r.expiration_provisioning && !deployed) next = NextAction.delete;
    else {
      if (next === NextAction.create) next = NextAction.sign;
      if (next === NextAction.sign && quorum(ctx, r, 'provision', data.signing_request_provision, true))
        next = NextAction.pay;
    }
  }
  if (next !== r.next_action) ctx.db.setNextAction(r.id, next);
  return { ...r, next_action: next };
}

/** checkProvisionSignatures / checkDeleteSignatures: a quorum of 0 means provisioning needs no signature,
 * and that deletion can never be triggered ("there is no way you can trigger deleting"). */
function quorum(
  ctx: ExplorerContext,
  r: ReservationRow,
  kind: 'provision' | 'delete',
  request: { signers?: number[]; quorum_min?: number } | undefined,
  zeroMeans: boolean,
): boolean {
  const min = Number(request?.quorum_min ?? 0);
  if (min === 0) return zeroMeans;
  const signers = new Set((request?.signers ?? []).map(Number));
  const signed = new Set(
    ctx.db
      .signatures(r.id, kind)
      .map((x) => x.tid)
      .filter((t) => signers.has(t)),
  );
  return signed.size >= min;
}

/** The nodes a reservation's networks ask something of. */
export function nodesOf(r: ReservationRow): string[] {
  const data = JSON.parse(r.json);
  return (data.networks ?? []).flatMap((n: { network_resources?: Array<{ node_id: string }> }) =>
    (n.network_resources ?? []).map((x) => x.node_id),
  );
}
