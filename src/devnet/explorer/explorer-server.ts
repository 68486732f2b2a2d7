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
 *
 * This file holds the server itself: listening, the timer that moves reservations along, and the routing
 * table. What the routes do lives beside it, one concern a file: explorer-http.ts (body parsing, errors,
 * replies), explorer-pipeline.ts (the reservation state machine), explorer-phonebook.ts (nodes and users),
 * explorer-reservations.ts (the customer's calls) and explorer-workloads.ts (the node's calls).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ExplorerDb } from './explorer-db.js';
import { HttpError, notFound, obj, readJson, send } from './explorer-http.js';
import { listNodes, nodeUptime, registerNode, createUser } from './explorer-phonebook.js';
import { advance, NextAction, type ExplorerContext } from './explorer-pipeline.js';
import { createReservation, pay, sign, view } from './explorer-reservations.js';
import { putResult, workloadsFor } from './explorer-workloads.js';

export { NextAction, ResultState } from './explorer-pipeline.js';

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
  private readonly ctx: ExplorerContext;

  constructor(private readonly options: ExplorerOptions) {
    this.db = new ExplorerDb(options.dbPath);
    this.ctx = { db: this.db, now: options.now ?? (() => Math.floor(Date.now() / 1000)) };
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
    for (const r of this.db.reservations({})) if (r.next_action < NextAction.deleted) advance(this.ctx, r);
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
      if (method === 'GET' && !b) return { status: 200, body: listNodes(this.ctx, q, res) };
      if (method === 'GET' && b && !c)
        return { status: 200, body: this.db.node(b) ?? notFound('node not found') };
      if (method === 'POST' && !b) return registerNode(this.ctx, body);
      if (method === 'POST' && b && c === 'uptime') return nodeUptime(this.ctx, b, body);
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
      if (method === 'POST' && !b) return createUser(this.ctx, body);
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
        return { status: 200, body: workloadsFor(this.ctx, c, Number(q.get('from') ?? 0)) };
      if (b === 'workloads' && method === 'PUT' && c && d) return putResult(this.ctx, c, d, body, false);
      if (b === 'workloads' && method === 'DELETE' && c && d) return putResult(this.ctx, c, d, body, true);
      if (method === 'POST' && !b) return createReservation(this.ctx, body);
      if (method === 'GET' && !b) {
        const filter = {
          customer_tid: q.has('customer_tid') ? Number(q.get('customer_tid')) : undefined,
          next_action: q.has('next_action') ? Number(q.get('next_action')) : undefined,
        };
        return { status: 200, body: this.db.reservations(filter).map((r) => view(this.ctx, r)) };
      }
      if (method === 'GET' && b && !c)
        return {
          status: 200,
          body: view(
            this.ctx,
            advance(this.ctx, this.db.reservation(Number(b)) ?? notFound('reservation not found')),
          ),
        };
      if (method === 'POST' && b && c === 'sign' && (d === 'delete' || d === 'provision'))
        return sign(this.ctx, Number(b), d, body);
      if (method === 'POST' && b && c === 'pay' && !d) return pay(this.ctx, Number(b), body);
    }
    throw new HttpError(404, 'not found');
  }
}
