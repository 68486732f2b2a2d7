/**
 * A stand-in gridproxy for the local devnet, on 127.0.0.1: gridproxy's own paths, query parameters, field
 * names, paging and headers (tfgrid-sdk-go `grid-proxy/internal/explorer`), so that our client and the grid's
 * own clients (@threefold/gridproxy_client, grid_client's raw `/nodes?…` calls) can be pointed at it.
 *
 * Its data comes from an injected source, because on the devnet the chain stand-in holds twins and contracts
 * and the node agents hold the nodes; this server only indexes and filters, as gridproxy does over its
 * database. It derives what gridproxy derives: a node's status from its last report and power state,
 * `dedicated`/`rentable`/`rented` from farm, renter and contracts, a contract's farm from its node.
 *
 * Faithful on purpose where clients meet gridproxy's strictness: an unknown query parameter is a 400 (gorilla
 * schema without IgnoreUnknownKeys), booleans parse as Go's strconv.ParseBool, lists are comma-separated or
 * repeated, empty values are ignored, errors are `{"error": "..."}`. Filters on data the devnet does not model
 * (GPUs, prices, regions, certification) are accepted and ignored.
 *
 * The same server answers the KYC service's read path (`/api/v1/status`, tf-kyc-verifier), whose paths do not
 * meet gridproxy's.
 *
 * This file routes; the parts are gridproxy-query (parameters), gridproxy-views (derived fields),
 * gridproxy-nodes and gridproxy-listings (filters), gridproxy-paging, gridproxy-kyc and gridproxy-reply.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kycStatus } from './gridproxy-kyc.js';
import { listContracts, listFarms, listTwins } from './gridproxy-listings.js';
import { listNodes, oneNode } from './gridproxy-nodes.js';
import { HttpError, sendJson } from './gridproxy-reply.js';
import type { GridproxySource } from './gridproxy-source-types.js';
import { contractRecords, nodeRecords, publicContract } from './gridproxy-views.js';

// The source's types are this server's API: importers name them from here.
export type {
  GridproxySource,
  Resources,
  SourceContract,
  SourceFarm,
  SourceKyc,
  SourceNode,
  SourceTwin,
} from './gridproxy-source-types.js';

export interface GridproxyServerOptions {
  port?: number;
  source: GridproxySource;
  /** Unix seconds now (tests move the clock to see nodes go down). */
  now?: () => number;
}

export interface GridproxyServer {
  url: string;
  close(): Promise<void>;
}

export async function startGridproxy(opts: GridproxyServerOptions): Promise<GridproxyServer> {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const server = createServer((req, res) => {
    handle(req, res, opts.source, now).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, src: GridproxySource, now: () => number) {
  const u = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = u.pathname;
  let m: RegExpMatchArray | null;
  if (path === '/nodes' || path === '/gateways') return listNodes(res, u, src, now(), path === '/gateways');
  if ((m = path.match(/^\/(nodes|gateways)\/([0-9]+)$/)))
    return oneNode(res, Number(m[2]), src, now(), m[1] === 'gateways');
  if ((m = path.match(/^\/(?:nodes|gateways)\/([0-9]+)\/status$/))) {
    const node = (await nodeRecords(src, now())).find((n) => n.nodeId === Number(m![1]));
    if (!node) throw new HttpError(404, 'node not found');
    return sendJson(res, 200, { status: node.status });
  }
  if (path === '/farms') return listFarms(res, u, src);
  if (path === '/twins') return listTwins(res, u, src);
  if (path === '/contracts') return listContracts(res, u, src);
  if ((m = path.match(/^\/contracts\/([0-9]+)$/))) {
    const c = (await contractRecords(src)).find((x) => x.contract_id === Number(m![1]));
    if (!c) throw new HttpError(404, 'contract not found');
    return sendJson(res, 200, publicContract(c));
  }
  if (path === '/ping') return sendJson(res, 200, { ping: 'pong' });
  if (path === '/version') return sendJson(res, 200, { ui_version: 'devnet', server_version: 'devnet' });
  if (path === '/api/v1/status') return kycStatus(res, u, src);
  if (path === '/api/v1/health') {
    return sendJson(res, 200, {
      result: { status: 'Healthy', timestamp: new Date().toISOString(), errors: [] },
    });
  }
  // gorilla/mux's answer to a path it has no route for.
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}
