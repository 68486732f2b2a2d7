/**
 * A Grid v3 session for one CLI command, built from the stored identity: the mnemonic opened from the key
 * store, the chain (live over @polkadot, or the devnet's stand-in), gridproxy, the RMB relay logged in as
 * the twin, the twins from the chain — as the NetworksContext the journeys take, closed when the command
 * ends. Only grid commands import this module (it loads @polkadot).
 */
import { UserError } from '../core/errors.js';
import type { Grid3IdentityRecord, Grid3NetworkName } from '../core/store/schema.js';
import { Grid3Account } from '../core/grid3/account.js';
import { Gridproxy } from '../grid3/gridproxy.js';
import { chainTwins } from '../grid3/networks/chain-twins.js';
import type { NetworksContext, ProgressEvent } from '../grid3/networks/context.js';
import { RmbClient } from '../grid3/rmb/client.js';
import { connectDevnetChain, connectLiveChain, type Chain } from '../grid3/tfchain/index.js';
import type { CliContext } from './context.js';
import { myAccesses, openMnemonic, readGrid3, requireIdentity } from './grid-store.js';
import { urlsOf, type GridUrls } from './grid-urls.js';

export { liveUrls, urlsOf, type GridUrls } from './grid-urls.js';

/** The chain: its reads need no signer; writes are signed by `signer`. */
export async function openChain(
  network: Grid3NetworkName,
  urls: GridUrls,
  signer?: Grid3Account,
): Promise<Chain> {
  if (network === 'devnet') return connectDevnetChain({ url: urls.chain, ...(signer ? { signer } : {}) });
  return connectLiveChain({ url: urls.chain, ...(signer ? { signer } : {}) });
}

export interface GridSession {
  id: Grid3IdentityRecord;
  account: Grid3Account;
  proxy: Gridproxy;
  chain: Chain;
  ctx: NetworksContext;
  close(): Promise<void>;
}

/** Prints the journeys' progress on stderr (stdout stays the command's result, JSON or text). */
export function progressPrinter(ctx: CliContext): (e: ProgressEvent) => void {
  return (e) => ctx.warn(`… ${e.message}`);
}

/**
 * Opens everything a network journey needs. Each part is closed again if a later one fails, so that a
 * refused relay login does not leave the chain's websocket keeping the process alive.
 */
export async function openSession(ctx: CliContext): Promise<GridSession> {
  const id = await requireIdentity(ctx);
  if (id.twinId === undefined) {
    throw new UserError(
      `Account ${id.address} has no twin on ${id.network}: create one in the ThreeFold Dashboard, then grid login again`,
    );
  }
  const account = await Grid3Account.fromMnemonic(await openMnemonic(ctx));
  if (account.address !== id.address)
    throw new UserError('The sealed mnemonic is not the logged-in account’s: grid login again');
  const urls = urlsOf(id);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const chain = await openChain(id.network, urls, account);
    closers.push(() => chain.close());
    const proxy = new Gridproxy({ url: urls.gridproxy });
    const rmb = await RmbClient.connect({
      relayUrl: urls.relay,
      twinId: id.twinId,
      identity: account,
      twins: chainTwins(chain),
      // One command, then exit: no keep-alive pings are needed, and none may hold the process open.
      pingIntervalMs: 0,
    });
    closers.push(() => rmb.close());
    const store = await ctx.store();
    const mine = new Set<string>([
      ...myAccesses(readGrid3(store), id).map((a) => a.publicKey),
      ...Object.values(store.read().tunnels).map((t) => t.publicKey),
    ]);
    const timeout = Number(ctx.io.env.OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS);
    const networks: NetworksContext = {
      account,
      twinId: id.twinId,
      chain,
      proxy,
      rmb,
      isMine: (k) => mine.has(k),
      // The chain's word on each node's twin: a gridproxy that names another twin is refused by name.
      ...(chain.node
        ? { nodeTwin: async (nodeId: number) => (await chain.node!(nodeId))?.twinId ?? null }
        : {}),
      progress: progressPrinter(ctx),
      ...(Number.isFinite(timeout) && timeout > 0 ? { deployTimeoutMs: timeout } : {}),
      ...(id.network === 'devnet' ? { pollMs: 200 } : {}),
    };
    return { id, account, proxy, chain, ctx: networks, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Runs `f` in a session and closes it, whatever happens. */
export async function withSession<T>(ctx: CliContext, f: (s: GridSession) => Promise<T>): Promise<T> {
  const s = await openSession(ctx);
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}
