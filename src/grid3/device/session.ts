/**
 * A Grid v3 session for one action, built from the stored login: the mnemonic opened from the key store,
 * the chain (live over @polkadot, or the devnet's stand-in), gridproxy, the RMB relay logged in as the
 * twin, the twins from the chain — as the NetworksContext the journeys take, closed when the action ends.
 * The service imports this module only when a grid action runs (it loads @polkadot).
 */
import { UserError } from '../../core/errors.js';
import type { Grid3IdentityRecord, Grid3NetworkName } from '../../core/store/schema.js';
import { Grid3Account } from '../../core/grid3/account.js';
import { Gridproxy } from '../gridproxy.js';
import { chainTwins } from '../networks/chain-twins.js';
import type { NetworksContext } from '../networks/context.js';
import { RmbClient } from '../rmb/client.js';
import { connectDevnetChain, connectLiveChain, type Chain } from '../tfchain/index.js';
import type { DeviceProgress, GridDeviceDeps } from './deps.js';
import type { GridStore } from './grid-store.js';
import { urlsOf, type GridUrls } from './urls.js';

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
  id: Grid3IdentityRecord & { twinId: number };
  account: Grid3Account;
  proxy: Gridproxy;
  chain: Chain;
  ctx: NetworksContext;
  close(): Promise<void>;
}

/**
 * Opens everything a network journey needs. Each part is closed again if a later one fails, so that a
 * refused relay login does not leave the chain's websocket keeping the process alive.
 */
export async function openSession(
  records: GridStore,
  env: GridDeviceDeps['env'],
  progress: DeviceProgress,
): Promise<GridSession> {
  const id = await records.requireIdentity();
  const twinId = id.twinId;
  if (twinId === undefined) {
    throw new UserError(
      `Account ${id.address} has no twin on ${id.network}: create one in the ThreeFold Dashboard, then grid login again`,
    );
  }
  const account = await Grid3Account.fromMnemonic(await records.openMnemonic());
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
      twinId,
      identity: account,
      twins: chainTwins(chain),
      // One action, then closed: no keep-alive pings are needed, and none may hold a CLI process open.
      pingIntervalMs: 0,
    });
    closers.push(() => rmb.close());
    const mine = await records.ownKeys(id);
    const timeout = Number(env.OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS);
    const networks: NetworksContext = {
      account,
      twinId,
      chain,
      proxy,
      rmb,
      isMine: (k) => mine.has(k),
      // The chain's word on each node's twin: a gridproxy that names another twin is refused by name.
      ...(chain.node
        ? { nodeTwin: async (nodeId: number) => (await chain.node!(nodeId))?.twinId ?? null }
        : {}),
      progress,
      ...(Number.isFinite(timeout) && timeout > 0 ? { deployTimeoutMs: timeout } : {}),
      ...(id.network === 'devnet' ? { pollMs: 200 } : {}),
    };
    return { id: { ...id, twinId }, account, proxy, chain, ctx: networks, close };
  } catch (e) {
    await close();
    throw e;
  }
}
