/** The devnet explorer's state in SQLite (better-sqlite3): a restart of the devnet loses nothing. */
import Database from 'better-sqlite3';

export interface UserRow {
  id: number;
  name: string;
  email: string;
  pubkey: string;
  host: string;
  description: string;
}
export interface ReservationRow {
  id: number;
  json: string;
  customer_tid: number;
  customer_signature: string;
  next_action: number;
  created: number;
  expiration_provisioning: number;
  expiration_reservation: number;
}
export interface SignatureRow {
  reservation_id: number;
  kind: 'provision' | 'delete';
  tid: number;
  signature: string;
  epoch: number;
}
export interface ResultRow {
  reservation_id: number;
  workload_id: string;
  node_id: string;
  category: number;
  state: number;
  message: string;
  data_json: string;
  signature: string;
  epoch: number;
}

export class ExplorerDb {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, email TEXT NOT NULL, pubkey TEXT NOT NULL, host TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '');
      CREATE TABLE IF NOT EXISTS farms (id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS nodes (node_id TEXT PRIMARY KEY, farm_id INTEGER NOT NULL, json TEXT NOT NULL, updated INTEGER NOT NULL, seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reservations (id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL, customer_tid INTEGER NOT NULL, customer_signature TEXT NOT NULL,
        next_action INTEGER NOT NULL, created INTEGER NOT NULL, expiration_provisioning INTEGER NOT NULL, expiration_reservation INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS results (reservation_id INTEGER NOT NULL, workload_id TEXT NOT NULL, node_id TEXT NOT NULL, category INTEGER NOT NULL, state INTEGER NOT NULL,
        message TEXT NOT NULL, data_json TEXT NOT NULL, signature TEXT NOT NULL, epoch INTEGER NOT NULL, PRIMARY KEY (workload_id, node_id));
      CREATE TABLE IF NOT EXISTS signatures (reservation_id INTEGER NOT NULL, kind TEXT NOT NULL, tid INTEGER NOT NULL, signature TEXT NOT NULL, epoch INTEGER NOT NULL,
        PRIMARY KEY (reservation_id, kind, tid));
    `);
  }

  close(): void {
    this.db.close();
  }

  userByName(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }
  userByEmail(email: string): UserRow | undefined {
    return email
      ? (this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined)
      : undefined;
  }
  user(id: number): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }
  users(): UserRow[] {
    return this.db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[];
  }
  addUser(u: Omit<UserRow, 'id'>): UserRow {
    const info = this.db
      .prepare('INSERT INTO users (name, email, pubkey, host, description) VALUES (?, ?, ?, ?, ?)')
      .run(u.name, u.email, u.pubkey, u.host, u.description);
    return { id: Number(info.lastInsertRowid), ...u };
  }

  addFarm(farm: Record<string, unknown>): number {
    const info = this.db.prepare('INSERT INTO farms (json) VALUES (?)').run(JSON.stringify(farm));
    return Number(info.lastInsertRowid);
  }
  farms(): Array<Record<string, unknown>> {
    return (
      this.db.prepare('SELECT id, json FROM farms ORDER BY id').all() as Array<{ id: number; json: string }>
    ).map((r) => ({ ...JSON.parse(r.json), id: r.id }));
  }

  upsertNode(node: { node_id: string; farm_id: number; updated: number }): void {
    const seq =
      (
        this.db.prepare('SELECT seq FROM nodes WHERE node_id = ?').get(node.node_id) as
          { seq: number } | undefined
      )?.seq ??
      (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM nodes').get() as { s: number }).s;
    this.db
      .prepare(
        'INSERT INTO nodes (node_id, farm_id, json, updated, seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT(node_id) DO UPDATE SET farm_id = excluded.farm_id, json = excluded.json, updated = excluded.updated',
      )
      .run(node.node_id, node.farm_id, JSON.stringify({ ...node, id: seq }), node.updated, seq);
  }
  touchNode(nodeId: string, updated: number, uptime: number): boolean {
    const row = this.db.prepare('SELECT json FROM nodes WHERE node_id = ?').get(nodeId) as
      { json: string } | undefined;
    if (!row) return false;
    this.db
      .prepare('UPDATE nodes SET json = ?, updated = ? WHERE node_id = ?')
      .run(JSON.stringify({ ...JSON.parse(row.json), updated, uptime }), updated, nodeId);
    return true;
  }
  node(nodeId: string): Record<string, unknown> | undefined {
    const row = this.db.prepare('SELECT json FROM nodes WHERE node_id = ?').get(nodeId) as
      { json: string } | undefined;
    return row ? JSON.parse(row.json) : undefined;
  }
  nodes(
    farm: number | undefined,
    offset: number,
    limit: number,
  ): { rows: Array<Record<string, unknown>>; total: number } {
    const where = farm === undefined ? '' : 'WHERE farm_id = ?';
    const args = farm === undefined ? [] : [farm];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM nodes ${where}`).get(...args) as { n: number })
      .n;
    const rows = (
      this.db
        .prepare(`SELECT json FROM nodes ${where} ORDER BY seq LIMIT ? OFFSET ?`)
        .all(...args, limit, offset) as Array<{ json: string }>
    ).map((r) => JSON.parse(r.json));
    return { rows, total };
  }

  addReservation(r: Omit<ReservationRow, 'id'>): number {
    const info = this.db
      .prepare(
        'INSERT INTO reservations (json, customer_tid, customer_signature, next_action, created, expiration_provisioning, expiration_reservation) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        r.json,
        r.customer_tid,
        r.customer_signature,
        r.next_action,
        r.created,
        r.expiration_provisioning,
        r.expiration_reservation,
      );
    return Number(info.lastInsertRowid);
  }
  reservation(id: number): ReservationRow | undefined {
    return this.db.prepare('SELECT * FROM reservations WHERE id = ?').get(id) as ReservationRow | undefined;
  }
  reservations(filter: { customer_tid?: number; next_action?: number }): ReservationRow[] {
    const clauses: string[] = [];
    const args: number[] = [];
    if (filter.customer_tid !== undefined) {
      clauses.push('customer_tid = ?');
      args.push(filter.customer_tid);
    }
    if (filter.next_action !== undefined) {
      clauses.push('next_action = ?');
      args.push(filter.next_action);
    }
    return this.db
      .prepare(
        `SELECT * FROM reservations ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY id`,
      )
      .all(...args) as ReservationRow[];
  }
  setNextAction(id: number, nextAction: number): void {
    this.db.prepare('UPDATE reservations SET next_action = ? WHERE id = ?').run(nextAction, id);
  }
  signatures(reservationId: number, kind: SignatureRow['kind']): SignatureRow[] {
    return this.db
      .prepare('SELECT * FROM signatures WHERE reservation_id = ? AND kind = ? ORDER BY epoch')
      .all(reservationId, kind) as SignatureRow[];
  }
  addSignature(s: SignatureRow): void {
    this.db
      .prepare('INSERT INTO signatures (reservation_id, kind, tid, signature, epoch) VALUES (?, ?, ?, ?, ?)')
      .run(s.reservation_id, s.kind, s.tid, s.signature, s.epoch);
  }
  results(reservationId: number): ResultRow[] {
    return this.db
      .prepare('SELECT * FROM results WHERE reservation_id = ? ORDER BY epoch')
      .all(reservationId) as ResultRow[];
  }
  putResult(r: ResultRow): void {
    this.db
      .prepare(
        `INSERT INTO results (reservation_id, workload_id, node_id, category, state, message, data_json, signature, epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(workload_id, node_id) DO UPDATE SET state = excluded.state, message = excluded.message, data_json = excluded.data_json, signature = excluded.signature, epoch = excluded.epoch`,
      )
      .run(
        r.reservation_id,
        r.workload_id,
        r.node_id,
        r.category,
        r.state,
        r.message,
        r.data_json,
        r.signature,
        r.epoch,
      );
  }
}
