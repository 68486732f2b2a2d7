/**
 * The live TFChain over @polkadot/api. @polkadot is large (~90 MB on disk, seconds to load), so this
 * module imports it dynamically and only grid commands reach it. Unlike @threefold/tfchain_client it
 * installs no signal handlers, never exits the process, does not reconnect behind the caller's back
 * (a command fails fast instead) and puts a timeout on connecting, reading and submitting.
 */
import { outcomesFromEvents, contractFromJson, nodeFromJson, twinFromJson } from './codec.js';
import { buildBatchCalls, type ChainCall } from './calls.js';
import { ChainError, ChainInputError, withTimeout } from './errors.js';
import type {
  Chain,
  ChainEvent,
  ChainNode,
  ChainSigner,
  ContractOp,
  NodeContract,
  OpOutcome,
  Twin,
} from './types.js';

export interface LiveChainOptions {
  /** wss://tfchain.<net>.grid.tf/ws */
  url: string;
  /** Needed for nodeContractsBatch only; reads work without. */
  signer?: ChainSigner;
  /** Connecting and each read (default 20 s). */
  timeoutMs?: number;
  /** From submission to inclusion in a block (default 60 s: 6 s blocks, a busy pool). */
  submitTimeoutMs?: number;
}

/* The slice of @polkadot/api we touch, typed loosely: TFChain's pallets are not in polkadot's augmentation. */
interface Codec {
  toJSON(): unknown;
  toU8a(opts?: unknown): Uint8Array;
}
type AnyFn = (...args: unknown[]) => unknown;
export interface ApiLike {
  query: Record<string, Record<string, AnyFn> | undefined>;
  tx: Record<string, Record<string, AnyFn> | undefined>;
  registry: {
    createType(type: string, value: unknown, opts?: unknown): Codec;
    findMetaError(e: unknown): { section: string; name: string; docs: string[] };
  };
  disconnect(): Promise<void>;
}
interface SubmittableResult {
  status: {
    type: string;
    isInBlock: boolean;
    isFinalized: boolean;
    isInvalid: boolean;
    isDropped: boolean;
    isUsurped: boolean;
  };
  dispatchError?: { isModule: boolean; asModule: unknown; type: string; toString(): string };
  events: { event: { section: string; method: string; data: Codec } }[];
}

/** Convert the pure call list into the api's extrinsics (exported for the metadata test's offline api). */
export function toExtrinsics(api: Pick<ApiLike, 'tx'>, calls: ChainCall[]): unknown[] {
  return calls.map((c) => {
    const fn = api.tx[c.section]?.[c.method];
    if (!fn) throw new ChainError('metadata', 'MissingCall', `${c.section}.${c.method} is not on this chain`);
    return fn(...toApiArgs(c));
  });
}

/**
 * Argument values as the api must get them. Bytes are passed as 0x hex: polkadot reads a Uint8Array
 * given for `Bytes` as already SCALE-encoded (length-prefixed), and a plain string as text unless it
 * looks like hex — 0x hex is the one input both `Bytes` and `[u8;32]` take as the raw bytes.
 */
export function toApiArgs(call: ChainCall): (number | string | null)[] {
  return call.args.map((a) =>
    a.value instanceof Uint8Array ? '0x' + Buffer.from(a.value).toString('hex') : a.value,
  );
}

/**
 * A polkadot Signer over our key: the payload is signed as keyring's pair.sign does it (blake2-256 of a
 * payload over 256 bytes), prefixed 0x01 = MultiSignature::Sr25519. So the mnemonic never has to reach
 * @polkadot/keyring.
 */
export function makePolkadotSigner(
  api: Pick<ApiLike, 'registry'>,
  signer: ChainSigner,
  blake2AsU8a: (data: Uint8Array, bitLength: 256) => Uint8Array,
): { signPayload(payload: { version: number }): Promise<{ id: number; signature: string }> } {
  let id = 0;
  return {
    signPayload: async (payload) => {
      const encoded = api.registry
        .createType('ExtrinsicPayload', payload, { version: payload.version })
        .toU8a({ method: true });
      const message = encoded.length > 256 ? blake2AsU8a(encoded, 256) : encoded;
      const signature = new Uint8Array(65);
      signature[0] = 1;
      signature.set(signer.sign(message), 1);
      return { id: ++id, signature: '0x' + Buffer.from(signature).toString('hex') };
    },
  };
}

/** A dispatch error as ChainError, decoded with the chain's own metadata into pallet and variant. */
export function chainErrorFrom(
  api: Pick<ApiLike, 'registry'>,
  err: NonNullable<SubmittableResult['dispatchError']>,
): ChainError {
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    return new ChainError(meta.section, meta.name, meta.docs.join(' ').trim() || undefined);
  }
  return new ChainError('system', err.type, err.toString());
}

/** RPC rejections of the transaction itself (before any block): "1010: Invalid Transaction: …". */
function rpcRejection(e: unknown): ChainError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Inability to pay some fees/i.test(msg)) return new ChainError('transaction', 'Payment', msg);
  if (/bad signature|BadProof/i.test(msg)) return new ChainError('transaction', 'BadProof', msg);
  if (/Transaction is outdated|Stale/i.test(msg)) return new ChainError('transaction', 'Stale', msg);
  return new ChainError('transaction', 'Rejected', msg);
}

export async function connectLiveChain(options: LiveChainOptions): Promise<Chain> {
  if (!/^wss?:\/\//.test(options.url)) throw new ChainInputError('TFChain url must be ws:// or wss://');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const [{ ApiPromise, WsProvider }, { blake2AsU8a }] = await Promise.all([
    import('@polkadot/api'),
    import('@polkadot/util-crypto'),
  ]);
  // autoConnectMs = false: no silent reconnect loop; a dropped socket fails the next call.
  const provider = new WsProvider(options.url, false, {}, timeoutMs);
  const drop = (): void => void provider.disconnect().catch(() => undefined);
  let api: unknown;
  try {
    api = await withTimeout(
      (async () => {
        await provider.connect();
        return ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
      })(),
      timeoutMs,
      `connecting to ${options.url}`,
      drop,
    );
  } catch (e) {
    // A refused or half-open connection must not keep the process alive.
    drop();
    throw e instanceof Error && e.name === 'ChainTimeoutError'
      ? e
      : new ChainError('transport', 'ConnectFailed', e instanceof Error ? e.message : String(e));
  }
  return chainOverApi(api as unknown as ApiLike, options, blake2AsU8a);
}

/**
 * The Chain over an ApiPromise that is already ready (connectLiveChain's, or the metadata test's
 * offline one); `close()` disconnects it.
 */
export function chainOverApi(
  api: ApiLike,
  options: Omit<LiveChainOptions, 'url'>,
  blake2AsU8a: (data: Uint8Array, bitLength: 256) => Uint8Array,
): Chain {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const submitTimeoutMs = options.submitTimeoutMs ?? 60_000;

  const query = async (section: string, item: string, ...args: unknown[]): Promise<unknown> => {
    const fn = api.query[section]?.[item];
    if (!fn) throw new ChainError('metadata', 'MissingStorage', `${section}.${item} is not on this chain`);
    const v = (await withTimeout(Promise.resolve(fn(...args)), timeoutMs, `${section}.${item}`)) as Codec;
    return v.toJSON();
  };

  let queue: Promise<unknown> = Promise.resolve();

  const submit = async (ops: readonly ContractOp[]): Promise<OpOutcome[]> => {
    const signer = options.signer;
    if (!signer) throw new ChainInputError('this chain connection has no signer');
    const calls = buildBatchCalls(ops);
    const batchAll = api.tx.utility?.batchAll;
    if (!batchAll) throw new ChainError('metadata', 'MissingCall', 'utility.batchAll is not on this chain');
    const batch = batchAll(toExtrinsics(api, calls)) as {
      signAndSend(addr: string, opts: unknown, cb: (r: SubmittableResult) => void): Promise<() => void>;
    };
    const polkadotSigner = makePolkadotSigner(api, signer, blake2AsU8a);
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    const result = new Promise<OpOutcome[]>((resolve, reject) => {
      const done = (f: () => void): void => {
        if (settled) return;
        settled = true;
        unsubscribe?.();
        f();
      };
      batch
        .signAndSend(signer.address, { signer: polkadotSigner, nonce: -1 }, (r) => {
          // In a block is what grid_client waits for; Finalized too, in case InBlock was missed.
          if (r.status.isInBlock || r.status.isFinalized) {
            if (r.dispatchError) return done(() => reject(chainErrorFrom(api, r.dispatchError!)));
            const events: ChainEvent[] = r.events.map(({ event }) => ({
              section: event.section,
              method: event.method,
              data: event.data.toJSON() as unknown[],
            }));
            try {
              const outcomes = outcomesFromEvents(ops, events);
              done(() => resolve(outcomes));
            } catch (e) {
              done(() => reject(e));
            }
          } else if (r.status.isInvalid || r.status.isDropped || r.status.isUsurped) {
            done(() => reject(new ChainError('transaction', r.status.type)));
          }
        })
        .then((u) => {
          unsubscribe = u;
          if (settled) u();
        })
        .catch((e: unknown) => done(() => reject(rpcRejection(e))));
    });
    return withTimeout(result, submitTimeoutMs, 'utility.batchAll', () => {
      settled = true;
      unsubscribe?.();
    });
  };

  return {
    async twinByAccount(accountId: string): Promise<number | null> {
      const v = await query('tfgridModule', 'twinIdByAccountID', accountId);
      return typeof v === 'number' ? v : null;
    },
    async twin(id: number): Promise<Twin | null> {
      return twinFromJson(await query('tfgridModule', 'twins', id));
    },
    async balance(accountId: string): Promise<bigint> {
      const v = (await query('system', 'account', accountId)) as { data?: { free?: unknown } };
      const free = v?.data?.free;
      return typeof free === 'number' || typeof free === 'string' ? BigInt(free) : 0n;
    },
    async termsAccepted(accountId: string): Promise<boolean> {
      const v = await query('tfgridModule', 'usersTermsAndConditions', accountId);
      return Array.isArray(v) && v.length > 0;
    },
    nodeContractsBatch(ops: readonly ContractOp[]): Promise<OpOutcome[]> {
      // One at a time: concurrent submissions would race for the same nonce.
      const next = queue.then(() => submit(ops));
      queue = next.catch(() => undefined);
      return next;
    },
    async contract(id: number): Promise<NodeContract | null> {
      return contractFromJson(await query('smartContractModule', 'contracts', id));
    },
    async node(id: number): Promise<ChainNode | null> {
      return nodeFromJson(await query('tfgridModule', 'nodes', id));
    },
    async close(): Promise<void> {
      await withTimeout(api.disconnect(), timeoutMs, 'disconnecting').catch(() => undefined);
    },
  };
}
