/**
 * Client of the grid explorer (tfexplorer v2, all routes under /explorer). Replies are untrusted: every
 * field used is checked before it is, and the explorer's own error text reaches the user verbatim.
 */
import { UserError } from '../errors.js';
import { nodeIdOf } from '../crypto/identity-keys.js';
import type { ReservationBody } from './reservation.js';

export interface ExplorerNode {
  id?: number;
  node_id: string;
  farm_id: number;
  os_version?: string;
  created?: number;
  updated: number;
  uptime?: number;
  location?: Record<string, unknown>;
  ifaces?: Array<{
    name: string;
    addrs: string[] | null;
    gateway?: string[] | null;
    macaddress?: string;
  }> | null;
  public_config?: {
    master?: string;
    type?: string;
    ipv4?: string;
    ipv6?: string;
    gw4?: string;
    gw6?: string;
    version?: number;
  } | null;
  free_to_use?: boolean;
  approved?: boolean;
  public_key_hex: string;
  wg_ports?: number[] | null;
  [key: string]: unknown;
}

export interface PhonebookUser {
  id: number;
  name: string;
  email: string;
  pubkey: string;
  host?: string;
  description?: string;
  signature?: string;
}

export interface ReservationResult {
  category: number | string;
  workload_id: string;
  data_json?: unknown;
  signature?: string;
  state: number;
  message: string;
  epoch: number;
  node_id: string;
}

export interface ReservationInfo {
  id: number;
  json: string;
  next_action: number;
  customer_tid: number;
  results: ReservationResult[];
  data_reservation?: unknown;
}

export class ExplorerError extends UserError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ExplorerError';
  }
}

const MAX_PAGES = 200;

export class ExplorerClient {
  readonly base: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: { allowPlainHttp?: boolean; timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new UserError(`"${baseUrl}" is not an explorer URL (e.g. http://127.0.0.1:8080)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UserError(`The explorer URL must be http(s), not ${url.protocol}`);
    // Over plain http anyone on the path can change what the explorer says (results, nodes): only the
    // machine itself, or an explicit choice.
    if (url.protocol === 'http:' && !isLoopback(url.hostname) && !options.allowPlainHttp) {
      throw new UserError(
        `${url.origin} is plain http on the network: anyone on the way can change its answers. Use https, or --allow-http-explorer if you mean it`,
      );
    }
    // Accept the URL with or without its /explorer suffix.
    this.base = url.href.replace(/\/+$/, '').replace(/\/explorer$/, '');
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; headers: Headers }> {
    const url = `${this.base}/explorer${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
      throw new ExplorerError(`Cannot reach the explorer at ${this.base}: ${cause}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const said =
        json && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string'
          ? (json as { error: string }).error
          : text.trim().slice(0, 300);
      throw new ExplorerError(
        `The explorer refused ${method} ${path} (HTTP ${res.status}): ${said || res.statusText}`,
        res.status,
      );
    }
    if (text && json === undefined)
      throw new ExplorerError(`The explorer's reply to ${method} ${path} is not JSON`);
    return { status: res.status, json, headers: res.headers };
  }

  /** Every node (optionally of one farm), following the `Pages` header. A node whose id is not its key's
   * is left out and reported through `onRejected`: nothing may be sealed to it. */
  async listNodes(
    filter: { farm?: number } = {},
    pageSize = 500,
    onRejected: (nodeId: string, why: string) => void = () => undefined,
  ): Promise<ExplorerNode[]> {
    const out: ExplorerNode[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const q = new URLSearchParams({ page: String(page), size: String(pageSize) });
      if (filter.farm !== undefined) q.set('farm', String(filter.farm));
      const { json, headers } = await this.request('GET', `/nodes?${q}`);
      if (!Array.isArray(json)) throw new ExplorerError("The explorer's node list is not a list");
      for (const n of json.filter(isExplorerNode)) {
        const problem = nodeKeyProblem(n);
        if (problem) onRejected(n.node_id, problem);
        else out.push(n);
      }
      const pages = Number(headers.get('pages') ?? '1');
      if (!(page < pages) || json.length === 0) break;
    }
    return out;
  }

  async getNode(nodeId: string): Promise<ExplorerNode> {
    const { json } = await this.request('GET', `/nodes/${encodeURIComponent(nodeId)}`);
    if (!isExplorerNode(json))
      throw new ExplorerError(`The explorer's record of node ${nodeId} is malformed`);
    // The network's WireGuard keys are sealed to this key: a wrong explorer, or anyone on its http:// path,
    // must not be able to swap it. A node's id is the base58 of its ed25519 key, so the id checks the key.
    if (json.node_id !== nodeId)
      throw new ExplorerError(
        `Asked for node ${nodeId}, the explorer answered with node ${json.node_id}: refusing it`,
      );
    const problem = nodeKeyProblem(json);
    if (problem) throw new ExplorerError(`Node ${nodeId}: ${problem}. Nothing was sealed to it`);
    return json;
  }

  /** Registers a user in the phonebook; an existing one (409) is looked up by name and key. */
  async registerUser(user: {
    name: string;
    email: string;
    pubkey: string;
    description?: string;
  }): Promise<PhonebookUser> {
    try {
      const { json } = await this.request('POST', '/users', {
        ...user,
        host: '',
        description: user.description ?? '',
      });
      if (!isUser(json)) throw new ExplorerError("The explorer's reply to the registration has no user id");
      return json;
    } catch (e) {
      if (!(e instanceof ExplorerError) || e.status !== 409) throw e;
      const { json } = await this.request('GET', `/users?${new URLSearchParams({ name: user.name })}`);
      const found = (Array.isArray(json) ? json : []).filter(isUser).find((u) => u.pubkey === user.pubkey);
      if (!found)
        throw new ExplorerError(`The name ${user.name} is taken in the phonebook by another key`, 409);
      return found;
    }
  }

  async getUser(id: number): Promise<PhonebookUser> {
    const { json } = await this.request('GET', `/users/${id}`);
    if (!isUser(json)) throw new ExplorerError(`The explorer's record of user ${id} is malformed`);
    return json;
  }

  async createReservation(body: ReservationBody): Promise<number> {
    const { json } = await this.request('POST', '/reservations', body);
    const id = (json as { reservation_id?: unknown })?.reservation_id;
    if (!Number.isInteger(id) || (id as number) <= 0)
      throw new ExplorerError("The explorer's reply has no reservation_id");
    return id as number;
  }

  async getReservation(id: number): Promise<ReservationInfo> {
    const { json } = await this.request('GET', `/reservations/${id}`);
    const r = json as Partial<ReservationInfo>;
    if (!r || !Number.isInteger(r.id) || !Number.isInteger(r.next_action))
      throw new ExplorerError(`The explorer's record of reservation ${id} is malformed`);
    const results = Array.isArray(r.results) ? r.results.filter(isResult) : [];
    return {
      id: r.id!,
      json: typeof r.json === 'string' ? r.json : '',
      next_action: r.next_action!,
      customer_tid: Number(r.customer_tid),
      results,
      data_reservation: r.data_reservation,
    };
  }

  async signDelete(id: number, body: { tid: number; signature: string; epoch: number }): Promise<void> {
    await this.request('POST', `/reservations/${id}/sign/delete`, body);
  }

  /** The devnet's payment step (tfexplorer took payment through its escrow instead). */
  async pay(id: number, body: { tid: number; signature: string; epoch: number }): Promise<void> {
    await this.request('POST', `/reservations/${id}/pay`, body);
  }
}

function isExplorerNode(v: unknown): v is ExplorerNode {
  const n = v as ExplorerNode;
  return (
    !!n &&
    typeof n === 'object' &&
    typeof n.node_id === 'string' &&
    /^[1-9A-HJ-NP-Za-km-z]{32,50}$/.test(n.node_id) &&
    typeof n.public_key_hex === 'string' &&
    /^[0-9a-f]{64}$/i.test(n.public_key_hex) &&
    (n.wg_ports == null || (Array.isArray(n.wg_ports) && n.wg_ports.every((p) => Number.isInteger(p)))) &&
    (n.ifaces == null || Array.isArray(n.ifaces)) &&
    (n.public_config == null || typeof n.public_config === 'object')
  );
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Why a node record cannot be trusted with sealed keys, or undefined: its id must be base58 of its key. */
export function nodeKeyProblem(n: Pick<ExplorerNode, 'node_id' | 'public_key_hex'>): string | undefined {
  const key = Uint8Array.from(Buffer.from(n.public_key_hex, 'hex'));
  return nodeIdOf(key) === n.node_id
    ? undefined
    : 'the explorer gives it a public key whose base58 is not its node id (a wrong explorer, or a tampered reply)';
}

function isUser(v: unknown): v is PhonebookUser {
  const u = v as PhonebookUser;
  return !!u && typeof u === 'object' && Number.isInteger(u.id) && u.id > 0 && typeof u.pubkey === 'string';
}

function isResult(v: unknown): v is ReservationResult {
  const r = v as ReservationResult;
  return (
    !!r &&
    typeof r === 'object' &&
    Number.isInteger(r.state) &&
    typeof r.node_id === 'string' &&
    typeof r.workload_id === 'string'
  );
}
