/**
 * The devnet explorer's customer routes: creating a reservation (`json` must be `data_reservation`, the
 * customer's signature must verify against the phonebook key, at least one hour, not expired), signing its
 * provisioning or deletion (signProvision/signDelete with userCanSign), paying for it (the devnet's stand-in
 * for tfexplorer's escrow), and the reservation as the API shows it. Apart from the routes a node calls
 * (explorer-workloads.ts): here every signature is a customer's.
 */
import type { ReservationRow } from './explorer-db.js';
import { verifyHex } from '../../core/crypto/identity-keys.js';
import { HttpError, obj } from './explorer-http.js';
import { advance, NextAction, type ExplorerContext } from './explorer-pipeline.js';

export function createReservation(ctx: ExplorerContext, body: unknown) {
  const r = obj(body);
  if (typeof r.json !== 'string') throw new HttpError(400, 'json is required');
  let decoded: unknown;
  try {
    decoded = JSON.parse(r.json);
  } catch {
    throw new HttpError(400, 'json is not valid json');
  }
  if (!deepEqual(decoded, r.data_reservation))
    throw new HttpError(400, 'json data does not match the reservation data');
  const data = obj(decoded);
  const now = ctx.now();
  const expiration = Number(data.expiration_reservation);
  const provisioning = Number(data.expiration_provisioning);
  if (!Number.isFinite(expiration) || expiration <= now)
    throw new HttpError(400, 'creating for a reservation that expires in the past');
  if (expiration - now < 3600) throw new HttpError(400, 'the minimum duration for a reservation is 1 hour');
  const tid = Number(r.customer_tid);
  if (!tid) throw new HttpError(400, 'customer_tid is required');
  // tfexplorer's create (pkg/workloads/reservation.go): the user first, then the signature's encoding, then
  // the signature, each a 400. (Go appends its wrapped error after a colon; the devnet says the first part.)
  const user = ctx.db.user(tid);
  if (!user) throw new HttpError(400, `cannot find user with id '${tid}'`);
  const sig = String(r.customer_signature ?? '');
  if (!/^([0-9a-fA-F]{2})+$/.test(sig))
    throw new HttpError(400, 'invalid signature format, expecting hex encoded string');
  if (!verifyHex(user.pubkey, r.json, sig)) throw new HttpError(400, 'failed to verify customer signature');
  const networks = Array.isArray(data.networks) ? data.networks.map(obj) : [];
  for (const net of networks) {
    for (const nr of Array.isArray(net.network_resources) ? net.network_resources.map(obj) : []) {
      if (!ctx.db.node(String(nr.node_id))) throw new HttpError(400, `node ${nr.node_id} not found`);
    }
  }
  const id = ctx.db.addReservation({
    json: r.json,
    customer_tid: tid,
    customer_signature: sig,
    next_action: NextAction.create,
    created: now,
    expiration_provisioning: Number.isFinite(provisioning) ? provisioning : now + 600,
    expiration_reservation: expiration,
  });
  advance(ctx, ctx.db.reservation(id)!);
  return { status: 201, body: { reservation_id: id } };
}

/** signProvision / signDelete with userCanSign (pkg/workloads/reservation.go): the signer must be one of
 * the request's signers and sign once; the signature covers str(id) + json (Reservation.SignatureVerify). */
export function sign(ctx: ExplorerContext, id: number, kind: 'provision' | 'delete', body: unknown) {
  const b = obj(body);
  const sig = String(b.signature ?? '');
  if (!/^([0-9a-fA-F]{2})*$/.test(sig))
    throw new HttpError(400, 'invalid signature expecting hex encoded string');
  const found = ctx.db.reservation(id);
  if (!found) throw new HttpError(404, 'reservation not found');
  const r = advance(ctx, found);
  if (kind === 'provision' && r.next_action !== NextAction.sign)
    throw new HttpError(401, 'reservation not expecting signatures');
  const data = JSON.parse(r.json);
  const request = kind === 'provision' ? data.signing_request_provision : data.signing_request_delete;
  const tid = Number(b.tid);
  if (!(request?.signers ?? []).map(Number).includes(tid))
    throw new HttpError(401, `signature not required for user '${tid}'`);
  if (ctx.db.signatures(id, kind).some((x) => x.tid === tid))
    throw new HttpError(400, `user ${tid} has already signed the reservation for deletion`);
  const user = ctx.db.user(tid);
  if (!user) throw new HttpError(404, 'customer id not found');
  if (!verifyHex(user.pubkey, `${id}${r.json}`, sig)) throw new HttpError(401, 'failed to verify signature');
  ctx.db.addSignature({ reservation_id: id, kind, tid, signature: sig, epoch: ctx.now() });
  advance(ctx, ctx.db.reservation(id)!);
  return { status: 201, body: {} };
}

/** The devnet's stand-in for tfexplorer's escrow: the customer pays by signing str(id) + json once the
 * reservation waits for payment; a reservation past its provisioning deadline is never deployed. */
export function pay(ctx: ExplorerContext, id: number, body: unknown) {
  const found = ctx.db.reservation(id);
  if (!found) throw new HttpError(404, 'reservation not found');
  const r = advance(ctx, found);
  if (r.next_action !== NextAction.pay)
    throw new HttpError(400, `reservation is not waiting for payment (next action ${r.next_action})`);
  const b = obj(body);
  if (Number(b.tid) !== r.customer_tid)
    throw new HttpError(401, 'payment must come from the reservation customer');
  const user = ctx.db.user(r.customer_tid);
  if (!user || !verifyHex(user.pubkey, `${id}${r.json}`, String(b.signature ?? '')))
    throw new HttpError(401, 'failed to verify signature');
  ctx.db.setNextAction(id, NextAction.deploy);
  return { status: 201, body: {} };
}

/** A reservation as the API shows it: its data decoded, with every node's result. */
export function view(ctx: ExplorerContext, r: ReservationRow) {
  const results = ctx.db
    .results(r.id)
    .map(({ reservation_id: _r, data_json, ...x }) => ({ ...x, data_json: JSON.parse(data_json) }));
  return {
    id: r.id,
    json: r.json,
    data_reservation: JSON.parse(r.json),
    customer_tid: r.customer_tid,
    customer_signature: r.customer_signature,
    next_action: r.next_action,
    epoch: r.created,
    results,
  };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
