/**
 * `grid login`, `logout`, `whoami`, `nodes`: the v3 identity and the grid's nodes. The network journeys
 * are in grid-networks.ts. The grid's libraries (@polkadot, the RMB and chain clients) are imported only
 * where a command needs them: `whoami` and `logout` load none.
 */
import { UserError } from '../../core/errors.js';
import {
  GRID3_MNEMONIC_SECRET,
  type Grid3IdentityRecord,
  type Grid3NetworkName,
} from '../../core/store/schema.js';
import { UsageError } from '../args.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';
import { grid3Draft, readGrid3, requireIdentity } from '../grid-store.js';
import type { GridUrls } from '../grid-urls.js';

const NETWORKS: readonly Grid3NetworkName[] = ['main', 'test', 'qa', 'dev', 'devnet'];
/** TFT has 7 decimals on chain. */
const TFT = 10_000_000n;

function networkOption(opts: Record<string, string | boolean>): Grid3NetworkName {
  const n = opts.network ?? 'main';
  if (typeof n !== 'string' || !(NETWORKS as readonly string[]).includes(n))
    throw new UsageError(`--network is one of ${NETWORKS.join(', ')}`);
  return n as Grid3NetworkName;
}

export function formatTft(units: bigint): string {
  const whole = units / TFT;
  const frac = (units % TFT).toString().padStart(7, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * A devnet's addresses: given as options (a grid a test or a script runs), else read from the state
 * `devnet up --grid v3` keeps, which also names the mnemonic file of its funded, verified twin.
 */
async function devnetUrls(
  ctx: CliContext,
  opts: Record<string, string | boolean>,
): Promise<{ urls: GridUrls; mnemonicFile?: string }> {
  const given = (['gridproxy', 'relay', 'chain'] as const).filter((k) => typeof opts[k] === 'string');
  if (given.length === 3)
    return {
      urls: { gridproxy: opts.gridproxy as string, relay: opts.relay as string, chain: opts.chain as string },
    };
  if (given.length) throw new UsageError('give all of --gridproxy, --relay and --chain, or none');
  const dataDir = typeof opts['devnet-data'] === 'string' ? opts['devnet-data'] : ctx.dataDir;
  const v3 = await import('../../devnet/v3/devnet-v3-state.js');
  const state = v3.readDevnetV3(v3.devnetV3Dir(dataDir));
  if (!state || state.grid !== 'v3')
    throw new UserError(
      `No v3 devnet in ${dataDir}: start one with devnet up --grid v3 (or name its data folder with --devnet-data)`,
    );
  if (!state.running) throw new UserError('The v3 devnet is down: devnet up --grid v3');
  return {
    urls: { gridproxy: v3.gridproxyUrl(state), relay: v3.relayUrl(state), chain: v3.chainUrl(state) },
    mnemonicFile: state.account.mnemonicFile,
  };
}

interface Gate {
  what: 'twin' | 'terms' | 'funds' | 'kyc';
  message: string;
}

export const gridLogin: CommandRun = async (ctx, _args, opts) => {
  const network = networkOption(opts);
  let urls: GridUrls;
  let mnemonicFrom = typeof opts['mnemonic-file'] === 'string' ? opts['mnemonic-file'] : undefined;
  const [{ liveUrls }, { openChain }] = await Promise.all([
    import('../grid-urls.js'),
    import('../grid-session.js'),
  ]);
  if (network === 'devnet') {
    const d = await devnetUrls(ctx, opts);
    urls = d.urls;
    mnemonicFrom ??= d.mnemonicFile;
  } else {
    if (['gridproxy', 'relay', 'chain', 'devnet-data'].some((k) => opts[k] !== undefined))
      throw new UsageError('--gridproxy, --relay, --chain and --devnet-data are for --network devnet');
    urls = liveUrls(network);
  }
  const { readMnemonic } = await import('../grid-input.js');
  const mnemonic = await readMnemonic(ctx, mnemonicFrom);
  const { Grid3Account, Grid3AccountError } = await import('../../core/grid3/account.js');
  const account = await Grid3Account.fromMnemonic(mnemonic).catch((e: unknown) => {
    // Never echo what was read: a typo'd mnemonic is still most of a secret.
    throw e instanceof Grid3AccountError
      ? new UserError('That is not a valid TFChain mnemonic (12 or 24 BIP39 words)')
      : e;
  });

  // Reads only: no signer, no twin needed.
  const chain = await openChain(network, urls);
  let twinId: number | null;
  let balance: bigint;
  let terms: boolean;
  try {
    [twinId, balance, terms] = await Promise.all([
      chain.twinByAccount(account.address),
      chain.balance(account.address),
      chain.termsAccepted(account.address),
    ]);
  } catch (e) {
    throw new UserError(`The chain (${urls.chain}) did not answer: ${(e as Error).message}`);
  } finally {
    await chain.close();
  }
  const { kycStatus, dashboardUrl } = await import('../../grid3/kyc.js');
  // The devnet's gridproxy serves the KYC service's read path too.
  const kyc = await kycStatus(
    account.address,
    network === 'devnet' ? { url: urls.gridproxy, dashboardUrl: 'devnet up --grid v3' } : { network },
  );
  const where =
    network === 'devnet'
      ? 'the devnet (devnet up --grid v3 makes a funded, verified twin)'
      : `the ThreeFold Dashboard (${dashboardUrl(network)})`;
  const gates: Gate[] = [];
  if (twinId === null)
    gates.push({
      what: 'twin',
      message: `No twin: this account has none on ${network}; create it in ${where}. Listing nodes needs none.`,
    });
  if (!terms)
    gates.push({ what: 'terms', message: `Terms and conditions not accepted: accept them in ${where}.` });
  if (balance === 0n)
    gates.push({
      what: 'funds',
      message: `No funds: the account holds 0 TFT; fund it in ${where} before creating or connecting.`,
    });
  if (kyc.status !== 'VERIFIED')
    gates.push({ what: 'kyc', message: `KYC ${kyc.status.toLowerCase()}: ${kyc.fix}` });

  const record: Grid3IdentityRecord = {
    network,
    address: account.address,
    ...(twinId !== null ? { twinId } : {}),
    ...(network === 'devnet' ? { urls } : {}),
    createdAt: new Date().toISOString(),
  };
  const sealed = await (await ctx.keyring()).seal(GRID3_MNEMONIC_SECRET, mnemonic);
  (await ctx.store()).update((d) => {
    grid3Draft(d).identity = record;
    d.secrets[GRID3_MNEMONIC_SECRET] = sealed;
  });

  for (const g of gates) ctx.warn(`note: ${g.message}`);
  if (ctx.json)
    return ctx.printJson({
      network,
      address: account.address,
      twinId,
      balance: formatTft(balance),
      termsAccepted: terms,
      kyc: kyc.status,
      problems: gates.map((g) => ({ what: g.what, message: g.message })),
    });
  ctx.out(`Logged in to ${network}.`);
  ctx.out(`Account: ${account.address}`);
  ctx.out(`Twin:    ${twinId ?? 'none'}`);
  ctx.out(`Balance: ${formatTft(balance)} TFT`);
  ctx.out(`KYC:     ${kyc.status}`);
};

export const gridLogout: CommandRun = async (ctx) => {
  const store = await ctx.store();
  const id = readGrid3(store).identity;
  if (!id) return ctx.out('Not logged in to the grid');
  store.update((d) => {
    delete grid3Draft(d).identity;
    delete d.secrets[GRID3_MNEMONIC_SECRET];
  });
  ctx.out(
    `Logged out of ${id.address} (${id.network}): its mnemonic is gone from this device; the access tunnels stay`,
  );
};

export const gridWhoami: CommandRun = async (ctx) => {
  const id = await requireIdentity(ctx);
  if (ctx.json)
    return ctx.printJson({
      network: id.network,
      address: id.address,
      twinId: id.twinId ?? null,
      ...(id.urls ? { urls: id.urls } : {}),
    });
  ctx.out(`Network: ${id.network}`);
  ctx.out(`Account: ${id.address}`);
  ctx.out(`Twin:    ${id.twinId ?? 'none'}`);
  if (id.urls)
    ctx.out(`Gridproxy: ${id.urls.gridproxy}\nRelay:     ${id.urls.relay}\nChain:     ${id.urls.chain}`);
};

export const gridNodes: CommandRun = async (ctx, _args, opts) => {
  // Needs no login: gridproxy is public. Logged in, the nodes are the login's grid's.
  const id = readGrid3(await ctx.store()).identity;
  const farm = opts.farm;
  if (farm !== undefined && (typeof farm !== 'string' || !/^\d+$/.test(farm)))
    throw new UsageError('--farm takes a farm id');
  const { Gridproxy } = await import('../../grid3/gridproxy.js');
  const { urlsOf } = await import('../grid-urls.js');
  const proxy = new Gridproxy({ url: urlsOf(id ?? { network: 'main' }).gridproxy });
  const page = await proxy.nodes({
    status: 'up',
    ...(opts.ipv4 === true ? { ipv4: true } : {}),
    ...(opts.ipv6 === true ? { ipv6: true } : {}),
    ...(farm !== undefined ? { farmIds: [Number(farm)] } : {}),
    size: 100,
  });
  for (const w of page.warnings) ctx.warn(`warning: ${w}`);
  const nodes = page.items.map((n) => ({
    nodeId: n.nodeId,
    farmId: n.farmId,
    twinId: n.twinId,
    status: n.status,
    ipv4: n.publicConfig.ipv4 || null,
    ipv6: n.publicConfig.ipv6 || null,
    features: n.features,
  }));
  if (ctx.json) return ctx.printJson(nodes);
  if (!nodes.length) return ctx.out('No node is up that matches');
  ctx.out(`${'NODE'.padEnd(6)}  ${'FARM'.padEnd(5)}  ${'IPV4'.padEnd(18)}  IPV6`);
  for (const n of nodes)
    ctx.out(
      `${String(n.nodeId).padEnd(6)}  ${String(n.farmId).padEnd(5)}  ${(n.ipv4 ?? '-').padEnd(18)}  ${n.ipv6 ?? '-'}`,
    );
};
