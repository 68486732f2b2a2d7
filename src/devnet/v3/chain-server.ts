/**
 * The devnet's TFChain stand-in: ChainState (chain-state.ts) behind HTTP JSON on 127.0.0.1, reached by
 * src/grid3/tfchain/devnet-client.ts through the same Chain interface as the live chain. A write is a
 * signed transaction: the body names the account and its nonce, and the `x-tfchain-signature` header is
 * that account's sr25519 signature (context "substrate") over the body's exact bytes — a body signed by
 * any other key is refused as the chain refuses a bad proof. The devnet's levers (fund an account, make a
 * verified twin) sit under /admin behind a bearer token that only startChain's caller knows.
 *
 *   GET  /accounts/:account      {free, nonce, termsAccepted, kycVerified}
 *   GET  /twins/by-account/:acc  {twinId}
 *   GET  /twins/:id              Twin JSON | null
 *   GET  /contracts/:id          Contract JSON | null
 *   POST /tx                     WireTx → WireTxResult
 *   POST /admin/fund             {account, amount}
 *   POST /admin/verified-twin    {account, relay?, pk?, free?} → {twinId}
 *   POST /admin/node             GenesisNode
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cryptoWaitReady, decodeAddress, sr25519Verify } from '@polkadot/util-crypto';
import { hexToBytes } from '../../grid3/tfchain/codec.js';
import { ChainError } from '../../grid3/tfchain/errors.js';
import { callsFromWire, SIGNATURE_HEADER, type WireTx, type WireTxResult } from '../../grid3/tfchain/wire.js';
import { ChainState, type Genesis, type GenesisNode } from './chain-state.js';

export { ChainState, canonicalAccount, type Genesis } from './chain-state.js';

const MAX_BODY = 256 * 1024;

export interface StartChainOptions {
  port?: number;
  genesis?: Genesis;
}

export interface RunningChain {
  url: string;
  state: ChainState;
  /** Bearer token for /admin/*. */
  adminToken: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, { error: 'body too large' }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, { error: 'body is not JSON' });
  }
}

const txError = (e: ChainError): WireTxResult => ({
  ok: false,
  error: {
    section: e.section,
    name: e.error,
    detail: e.message.includes(': ') ? e.message.slice(e.message.indexOf(': ') + 2) : undefined,
  },
});

/** Verify the signature over the exact body bytes against the account the body names. */
function verifyTx(raw: Buffer, signatureHex: string | undefined): WireTx {
  const tx = parseJson(raw) as Partial<WireTx>;
  if (typeof tx.account !== 'string' || typeof tx.nonce !== 'number') {
    throw new ChainError('transaction', 'BadFormat', 'account and nonce are required');
  }
  let ok = false;
  try {
    const sig = hexToBytes(signatureHex ?? '');
    const key = decodeAddress(tx.account);
    ok = sig.length === 64 && key.length === 32 && sr25519Verify(new Uint8Array(raw), sig, key);
  } catch {
    ok = false;
  }
  if (!ok) throw new ChainError('transaction', 'BadProof', 'the signature is not the account’s');
  return tx as WireTx;
}

export async function startChain(options: StartChainOptions = {}): Promise<RunningChain> {
  await cryptoWaitReady();
  const state = new ChainState(options.genesis);
  const adminToken = randomBytes(24).toString('hex');

  const route = async (req: IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET') {
      if (parts[0] === 'accounts' && parts.length === 2) return [200, state.accountInfo(parts[1]!)];
      if (parts[0] === 'twins' && parts[1] === 'by-account' && parts.length === 3) {
        return [200, { twinId: state.twinIdByAccount(parts[2]!) }];
      }
      if (parts[0] === 'twins' && parts.length === 2 && /^\d+$/.test(parts[1]!))
        return [200, state.twinJson(Number(parts[1]))];
      if (parts[0] === 'contracts' && parts.length === 2 && /^\d+$/.test(parts[1]!))
        return [200, state.contractJson(Number(parts[1]))];
      if (parts[0] === 'nodes' && parts.length === 2 && /^\d+$/.test(parts[1]!))
        return [200, state.nodeJson(Number(parts[1]))];
      throw new HttpError(404, { error: 'no such route' });
    }
    if (req.method !== 'POST') throw new HttpError(405, { error: 'method not allowed' });
    const raw = await readBody(req);
    if (url.pathname === '/tx') {
      try {
        const header = req.headers[SIGNATURE_HEADER];
        const tx = verifyTx(raw, Array.isArray(header) ? header[0] : header);
        const events = state.submit(tx.account, tx.nonce, callsFromWire(tx.calls));
        return [200, { ok: true, events } satisfies WireTxResult];
      } catch (e) {
        if (!(e instanceof ChainError)) throw e;
        return [e.error === 'BadProof' ? 401 : 200, txError(e)];
      }
    }
    if (parts[0] === 'admin') {
      const auth = Buffer.from(req.headers.authorization ?? '');
      const want = Buffer.from(`Bearer ${adminToken}`);
      if (auth.length !== want.length || !timingSafeEqual(auth, want))
        throw new HttpError(401, { error: 'admin token required' });
      const body = parseJson(raw) as Record<string, unknown>;
      if (parts[1] === 'fund')
        return [200, { free: String(state.fund(String(body.account), BigInt(String(body.amount)))) }];
      if (parts[1] === 'verified-twin') {
        const twinId = state.createVerifiedTwin({
          account: String(body.account),
          relay: typeof body.relay === 'string' ? body.relay : null,
          pk: typeof body.pk === 'string' ? body.pk : null,
          ...(body.free !== undefined ? { free: BigInt(String(body.free)) } : {}),
        });
        return [200, { twinId }];
      }
      if (parts[1] === 'node') {
        state.addNode(body as unknown as GenesisNode);
        return [200, { ok: true }];
      }
    }
    throw new HttpError(404, { error: 'no such route' });
  };

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer((req, res) => {
    route(req).then(
      ([status, body]) => reply(res, status, body),
      (e: unknown) => {
        if (e instanceof HttpError) reply(res, e.status, e.body);
        else if (e instanceof ChainError) reply(res, 400, { error: e.message });
        else reply(res, 500, { error: e instanceof Error ? e.message : String(e) });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    adminToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
