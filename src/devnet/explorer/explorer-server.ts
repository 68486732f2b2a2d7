/**
 * The devnet's explorer: tfexplorer's v2 reservation-era API (routes, JSON field names, integer enums,
 * error texts) on loopback, enforcing its rules: `json` must be `data_reservation`, the customer's
 * signature must verify against the phonebook key, at least one hour, not expired. Reservations move as
 * tfexplorer's pipeline moves them (pkg/workloads/types/pipeline.go, Pipeline.Next): create → sign (until
 * the provision quorum is met) → pay → deploy; to delete once expired, once the delete quorum is met, or
 * when the provisioning deadline passes before every node reported ok. Signatures for provisioning and
 * deletion follow signProvision/signDelete and userCanSign (pkg/workloads/reservation.go). Payment went
 * through tfexplorer's escrow (Stellar); here it is one signed call the client makes, `POST
 * /reservations/{id}/pay`, the devnet's only route of its own. Node results must verify against the
 * node's key over the bytes of tfexplorer's Result.encode (whose own check is disabled upstream).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import bs58 from 'bs58';
import { verifyHex } from '../../core/crypto/identity-keys.js';
import { resultSignatureValid } from '../../core/overlay/result-signature.js';
import { ExplorerDb, type ReservationRow } from './explorer-db.js';

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
const MAX_BODY = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ExplorerOptions {
  dbPath: string;
  now?: () => number;
  /** How often expirations are checked (ms). */
  reapEveryMs?: number;
}

export class ExplorerServer {
  readonly db: ExplorerDb;
  private server?: Server;
  private reaper?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: ExplorerOptions) {
    this.db = new ExplorerDb(options.dbPath);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    this.reaper = setInterval(() => this.reap(), this.options.reapEveryMs ?? 1000);
    this.reaper.unref();
    const addr = this.server.address() as { port: number };
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
    this.db.close();
  }

  /** Moves every live reservation along its pipeline, as tfexplorer does on each read and by its timers. */
  reap(): void {
    for (const r of this.db.reservations({})) if (r.next_action < NextAction.deleted) this.pipeline(r);
  }

  /**
   * tfexplorer's Pipeline.Next (pkg/workloads/types/pipeline.go), plus the escrow's move from pay to deploy
   * (here: the pay call) and delete → deleted once every node reported the teardown.
   */
  private pipeline(r: ReservationRow): ReservationRow {
    const now = this.now();
    let next = r.next_action;
    if (next === NextAction.delete) {
      const results = this.db.results(r.id);
      const pending = nodesOf(r).filter((n) =>
        results.some(
          (x) => x.node_id === n && x.state !== ResultState.deleted && x.state !== ResultState.error,
        ),
      );
      if (pending.length === 0) next = NextAction.deleted;
    } else if (next < NextAction.delete) {
      const data = JSON.parse(r.json);
      const ok = new Set(
        this.db
          .results(r.id)
          .filter((x) => x.state === ResultState.ok)
          .map((x) => x.node_id),
      );
      const deployed = nodesOf(r).every((n) => ok.has(n));
      if (now >= r.expiration_reservation || this.quorum(r, 'delete', data.signing_request_delete, false))
        next = NextAction.delete;
      else if (now > r.expiration_provisioning && !deployed) next = NextAction.delete;
      else {
        if (next === NextAction.create) next = NextAction.sign;
        if (next === NextAction.sign && this.quorum(r, 'provision', data.signing_request_provision, true))
          next = NextAction.pay;
      }
    }
    if (next !== r.next_action) this.db.setNextAction(r.id, next);
    return { ...r, next_action: next };
  }

  /** checkProvisionSignatures / checkDeleteSignatures: a quorum of 0 means provisioning needs no signature,
   * and that deletion can never be triggered ("there is no way you can trigger deleting"). */
  private quorum(
    r: ReservationRow,
    kind: 'provision' | 'delete',
    request: { signers?: number[]; quorum_min?: number } | undefined,
    zeroMeans: boolean,
  ): boolean {
    const min = Number(request?.quorum_min ?? 0);
    if (min === 0) return zeroMeans;
    const signers = new Set((request?.signers ?? []).map(Number));
    const signed = new Set(
      this.db
        .signatures(r.id, kind)
        .map((x) => x.tid)
        .filter((t) => signers.has(t)),
    );
    return signed.size >= min;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://explorer');
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts[0] !== 'explorer') throw new HttpError(404, 'not found');
      const body = req.method === 'GET' ? undefined : await readJson(req);
      const out = this.route(req.method ?? 'GET', parts.slice(1), url.searchParams, body, res);
      if (!res.headersSent) send(res, out.status, out.body);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      send(res, status, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private route(
    method: string,
    p: string[],
    q: URLSearchParams,
    body: unknown,
    res: ServerResponse,
  ): { status: number; body: unknown } {
    const [a, b, c, d] = p;
    if (a === 'nodes') {
      if (method === 'GET' && !b) return { status: 200, body: this.listNodes(q, res) };
      if (method === 'GET' && b && !c)
        return { status: 200, body: this.db.node(b) ?? notFound('node not found') };
      if (method === 'POST' && !b) return this.registerNode(body);
      if (method === 'POST' && b && c === 'uptime') return this.nodeUptime(b, body);
    }
    if (a === 'farms') {
      if (method === 'GET' && !b) return { status: 200, body: this.db.farms() };
      if (method === 'GET' && b)
        return {
          status: 200,
          body: this.db.farms().find((f) => String(f.id) === b) ?? notFound('farm not found'),
        };
      if (method === 'POST' && !b) return { status: 201, body: { id: this.db.addFarm(obj(body)) } };
    }
    if (a === 'users') {
      if (method === 'POST' && !b) return this.createUser(body);
      if (method === 'GET' && !b)
        return {
          status: 200,
          body: this.db
            .users()
            .filter(
              (u) =>
                (!q.get('name') || u.name === q.get('name')) &&
                (!q.get('email') || u.email === q.get('email')),
            ),
        };
      if (method === 'GET' && b)
        return { status: 200, body: this.db.user(Number(b)) ?? notFound('user not found') };
    }
    if (a === 'reservations') {
      if (b === 'workloads' && method === 'GET' && c)
        return { status: 200, body: this.workloadsFor(c, Number(q.get('from') ?? 0)) };
      if (b === 'workloads' && method === 'PUT' && c && d) return this.putResult(c, d, body, false);
      if (b === 'workloads' && method === 'DELETE' && c && d) return this.putResult(c, d, body, true);
      if (method === 'POST' && !b) return this.createReservation(body);
      if (method === 'GET' && !b) {
        const filter = {
          customer_tid: q.has('customer_tid') ? Number(q.get('customer_tid')) : undefined,
          next_action: q.has('next_action') ? Number(q.get('next_action')) : undefined,
        };
        return { status: 200, body: this.db.reservations(filter).map((r) => this.view(r)) };
      }
      if (method === 'GET' && b && !c)
        return {
          status: 200,
          body: this.view(this.pipeline(this.db.reservation(Number(b)) ?? notFound('reservation not found'))),
        };
      if (method === 'POST' && b && c === 'sign' && (d === 'delete' || d === 'provision'))
        return this.sign(Number(b), d, body);
      if (method === 'POST' && b && c === 'pay' && !d) return this.pay(Number(b), body);
    }
    throw new HttpError(404, 'not found');
  }

  private listNodes(q: URLSearchParams, res: ServerResponse) {
    const size = Math.min(Math.max(Number(q.get('size') ?? 100) || 100, 1), 1000);
    const page = Math.max(Number(q.get('page') ?? 1) || 1, 1);
    const farm = q.has('farm') ? Number(q.get('farm')) : undefined;
    const { rows, total } = this.db.nodes(farm, (page - 1) * size, size);
    res.setHeader('Pages', String(Math.max(1, Math.ceil(total / size))));
    return rows;
  }

  private registerNode(body: unknown) {
    const n = obj(body);
    const pk = String(n.public_key_hex ?? '');
    if (!/^[0-9a-f]{64}$/.test(pk))
      throw new HttpError(400, 'public_key_hex must be a hex encoded ed25519 key');
    if (n.node_id !== bs58.encode(Buffer.from(pk, 'hex')))
      throw new HttpError(400, 'node_id does not match public_key_hex');
    if (
      !verifyHex(
        pk,
        `${n.node_id}${JSON.stringify(n.ifaces ?? null)}${JSON.stringify(n.public_config ?? null)}`,
        String(n.signature ?? ''),
      )
    ) {
      throw new HttpError(401, 'failed to verify node signature');
    }
    const { signature: _s, ...node } = n;
    this.db.upsertNode({
      ...node,
      node_id: n.node_id as string,
      farm_id: Number(n.farm_id ?? 1),
      updated: this.now(),
    } as never);
    return { status: 201, body: this.db.node(n.node_id as string) };
  }

  private nodeUptime(nodeId: string, body: unknown) {
    if (!this.db.touchNode(nodeId, this.now(), Number(obj(body).uptime ?? 0)))
      throw new HttpError(404, 'node not found');
    return { status: 200, body: {} };
  }

  private createUser(body: unknown) {
    const u = obj(body);
    const name = String(u.name ?? '');
    const email = String(u.email ?? '');
    if (name.length < 3) throw new HttpError(400, 'name should be at least 3 character');
    if (name !== name.toLowerCase()) throw new HttpError(400, 'name should be all lower case');
    if (email !== email.toLowerCase()) throw new HttpError(400, 'email should be all lower case');
    if (!/^[0-9a-f]{64}$/.test(String(u.pubkey ?? '')))
      throw new HttpError(400, 'pubkey should be a hex encoded ed25519 public key');
    if (this.db.userByName(name) || this.db.userByEmail(email))
      throw new HttpError(409, 'user with same name or email exists');
    return {
      status: 201,
      body: this.db.addUser({
        name,
        email,
        pubkey: String(u.pubkey),
        host: String(u.host ?? ''),
        description: String(u.description ?? ''),
      }),
    };
  }

  private createReservation(body: unknown) {
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
    const now = this.now();
    const expiration = Number(data.expiration_reservation);
    const provisioning = Number(data.expiration_provisioning);
    if (!Number.isFinite(expiration) || expiration <= now)
      throw new HttpError(400, 'creating for a reservation that expires in the past');
    if (expiration - now < 3600) throw new HttpError(400, 'the minimum duration for a reservation is 1 hour');
    const tid = Number(r.customer_tid);
    if (!tid) throw new HttpError(400, 'customer_tid is required');
    // tfexplorer's create (pkg/workloads/reservation.go): the user first, then the signature's encoding, then
    // the signature, each a 400. (Go appends its wrapped error after a colon; the devnet says the first part.)
    const user = this.db.user(tid);
    if (!user) throw new HttpError(400, `cannot find user with id '${tid}'`);
    const sig = String(r.customer_signature ?? '');
    if (!/^([0-9a-fA-F]{2})+$/.test(sig))
      throw new HttpError(400, 'invalid signature format, expecting hex encoded string');
    if (!verifyHex(user.pubkey, r.json, sig)) throw new HttpError(400, 'failed to verify customer signature');
    const networks = Array.isArray(data.networks) ? data.networks.map(obj) : [];
    for (const net of networks) {
      for (const nr of Array.isArray(net.network_resources) ? net.network_resources.map(obj) : []) {
        if (!this.db.node(String(nr.node_id))) throw new HttpError(400, `node ${nr.node_id} not found`);
      }
    }
    const id = this.db.addReservation({
      json: r.json,
      customer_tid: tid,
      customer_signature: sig,
      next_action: NextAction.create,
      created: now,
      expiration_provisioning: Number.isFinite(provisioning) ? provisioning : now + 600,
      expiration_reservation: expiration,
    });
    this.pipeline(this.db.reservation(id)!);
    return { status: 201, body: { reservation_id: id } };
  }

  /** signProvision / signDelete with userCanSign (pkg/workloads/reservation.go): the signer must be one of
   * the request's signers and sign once; the signature covers str(id) + json (Reservation.SignatureVerify). */
  private sign(id: number, kind: 'provision' | 'delete', body: unknown) {
    const b = obj(body);
    const sig = String(b.signature ?? '');
    if (!/^([0-9a-fA-F]{2})*$/.test(sig))
      throw new HttpError(400, 'invalid signature expecting hex encoded string');
    const found = this.db.reservation(id);
    if (!found) throw new HttpError(404, 'reservation not found');
    const r = this.pipeline(found);
    if (kind === 'provision' && r.next_action !== NextAction.sign)
      throw new HttpError(401, 'reservation not expecting signatures');
    const data = JSON.parse(r.json);
    const request = kind === 'provision' ? data.signing_request_provision : data.signing_request_delete;
    const tid = Number(b.tid);
    if (!(request?.signers ?? []).map(Number).includes(tid))
      throw new HttpError(401, `signature not required for user '${tid}'`);
    if (this.db.signatures(id, kind).some((x) => x.tid === tid))
      throw new HttpError(400, `user ${tid} has already signed the reservation for deletion`);
    const user = this.db.user(tid);
    if (!user) throw new HttpError(404, 'customer id not found');
    if (!verifyHex(user.pubkey, `${id}${r.json}`, sig))
      throw new HttpError(401, 'failed to verify signature');
    this.db.addSignature({ reservation_id: id, kind, tid, signature: sig, epoch: this.now() });
    this.pipeline(this.db.reservation(id)!);
    return { status: 201, body: {} };
  }

  /** The devnet's stand-in for tfexplorer's escrow: the customer pays by signing str(id) + json once the
   * reservation waits for payment; a reservation past its provisioning deadline is never deployed. */
  private pay(id: number, body: unknown) {
    const found = this.db.reservation(id);
    if (!found) throw new HttpError(404, 'reservation not found');
    const r = this.pipeline(found);
    if (r.next_action !== NextAction.pay)
      throw new HttpError(400, `reservation is not waiting for payment (next action ${r.next_action})`);
    const b = obj(body);
    if (Number(b.tid) !== r.customer_tid)
      throw new HttpError(401, 'payment must come from the reservation customer');
    const user = this.db.user(r.customer_tid);
    if (!user || !verifyHex(user.pubkey, `${id}${r.json}`, String(b.signature ?? '')))
      throw new HttpError(401, 'failed to verify signature');
    this.db.setNextAction(id, NextAction.deploy);
    return { status: 201, body: {} };
  }

  /** What a node must do: network workloads addressed to it, newest first per network. */
  private workloadsFor(nodeId: string, from: number) {
    const out: unknown[] = [];
    for (const r of this.db.reservations({})) {
      if (r.id < from || (r.next_action !== NextAction.deploy && r.next_action !== NextAction.delete))
        continue;
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

  private putResult(workloadId: string, nodeId: string, body: unknown, deleted: boolean) {
    const rid = Number(workloadId.split('-')[0]);
    const r = this.db.reservation(rid);
    const node = this.db.node(nodeId);
    if (!r || !node) throw new HttpError(404, 'workload not found');
    // workloadPutResult (pkg/workloads/reservation.go): only a workload of this reservation on this node.
    if (
      !nodesOf(r).includes(nodeId) ||
      !this.workloadsFor(nodeId, rid).some((w) => (w as { workload_id: string }).workload_id === workloadId)
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
    this.db.putResult({
      reservation_id: rid,
      workload_id: workloadId,
      node_id: nodeId,
      category: 0,
      state,
      message,
      data_json: JSON.stringify(b.data_json ?? null),
      signature: String(b.signature),
      epoch: this.now(),
    });
    this.pipeline(this.db.reservation(rid)!);
    return { status: 200, body: {} };
  }

  private view(r: ReservationRow) {
    const results = this.db
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
}

function nodesOf(r: ReservationRow): string[] {
  const data = JSON.parse(r.json);
  return (data.networks ?? []).flatMap((n: { network_resources?: Array<{ node_id: string }> }) =>
    (n.network_resources ?? []).map((x) => x.node_id),
  );
}

function notFound(message: string): never {
  throw new HttpError(404, message);
}

function obj(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'expected a JSON object');
  return v as Record<string, unknown>;
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

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid json');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
