/**
 * The Chain interface over the devnet's chain stand-in (src/devnet/v3/chain-server.ts): plain HTTP on
 * loopback, writes signed by the account's sr25519 key like an extrinsic is. It builds its batch with the
 * same calls.ts and reads ids with the same codec.ts as the live chain, so the devnet exercises the code
 * the grid gets.
 */
import { contractFromJson, nodeFromJson, outcomesFromEvents, twinFromJson } from './codec.js';
import { buildBatchCalls } from './calls.js';
import { ChainError, ChainInputError, withTimeout } from './errors.js';
import type { Chain, ChainNode, ChainSigner, ContractOp, NodeContract, OpOutcome, Twin } from './types.js';
import { callsToWire, SIGNATURE_HEADER, type WireTx, type WireTxResult } from './wire.js';

export interface DevnetChainOptions {
  /** http://127.0.0.1:<port> as startChain returns it. */
  url: string;
  signer?: ChainSigner;
  timeoutMs?: number;
}

export function connectDevnetChain(options: DevnetChainOptions): Chain {
  const base = new URL(options.url);
  // The stand-in is a devnet piece: it never leaves loopback, and nor do its (signed) requests.
  if (base.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
    throw new ChainInputError('the devnet chain is reached on loopback only');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const controllers = new Set<AbortController>();

  const request = async (path: string, init?: RequestInit): Promise<unknown> => {
    const ac = new AbortController();
    controllers.add(ac);
    try {
      const res = await withTimeout(
        fetch(new URL(path, base), { ...init, signal: ac.signal }),
        timeoutMs,
        path,
        () => ac.abort(),
      );
      const body = (await res.json()) as unknown;
      if (!res.ok && !(body && typeof body === 'object' && 'ok' in body)) {
        throw new ChainError('transport', `HTTP${res.status}`, JSON.stringify(body).slice(0, 200));
      }
      return body;
    } finally {
      controllers.delete(ac);
    }
  };
  const get = (path: string): Promise<unknown> => request(path);

  let queue: Promise<unknown> = Promise.resolve();

  const submit = async (ops: readonly ContractOp[]): Promise<OpOutcome[]> => {
    const signer = options.signer;
    if (!signer) throw new ChainInputError('this chain connection has no signer');
    const calls = buildBatchCalls(ops);
    const account = (await get(`/accounts/${encodeURIComponent(signer.address)}`)) as { nonce: number };
    const tx: WireTx = { account: signer.address, nonce: account.nonce, calls: callsToWire(calls) };
    const body = JSON.stringify(tx);
    const signature = '0x' + Buffer.from(signer.sign(new TextEncoder().encode(body))).toString('hex');
    const result = (await request('/tx', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
    })) as WireTxResult;
    if (!result.ok) throw new ChainError(result.error.section, result.error.name, result.error.detail);
    return outcomesFromEvents(ops, result.events);
  };

  return {
    async twinByAccount(accountId: string): Promise<number | null> {
      const v = (await get(`/twins/by-account/${encodeURIComponent(accountId)}`)) as {
        twinId: number | null;
      };
      return v.twinId;
    },
    async twin(id: number): Promise<Twin | null> {
      return twinFromJson(await get(`/twins/${encodeURIComponent(String(id))}`));
    },
    async balance(accountId: string): Promise<bigint> {
      const v = (await get(`/accounts/${encodeURIComponent(accountId)}`)) as { free: string };
      return BigInt(v.free);
    },
    async termsAccepted(accountId: string): Promise<boolean> {
      const v = (await get(`/accounts/${encodeURIComponent(accountId)}`)) as { termsAccepted: boolean };
      return v.termsAccepted;
    },
    nodeContractsBatch(ops: readonly ContractOp[]): Promise<OpOutcome[]> {
      // One at a time, as on the live chain: each write takes the account's next nonce.
      const next = queue.then(() => submit(ops));
      queue = next.catch(() => undefined);
      return next;
    },
    async contract(id: number): Promise<NodeContract | null> {
      return contractFromJson(await get(`/contracts/${encodeURIComponent(String(id))}`));
    },
    async node(id: number): Promise<ChainNode | null> {
      return nodeFromJson(await get(`/nodes/${encodeURIComponent(String(id))}`));
    },
    async close(): Promise<void> {
      for (const ac of controllers) ac.abort();
    },
  };
}
