/**
 * `grid login`, `logout`, `whoami`, `nodes`: the v3 identity and the grid's nodes. The network journeys
 * are in grid-networks.ts. The grid's libraries (@polkadot, the RMB and chain clients) are imported only
 * where a command needs them: `whoami` and `logout` load none.
 */
import { UserError } from '../../core/errors.js';
import type { Grid3IdentityRecord, Grid3NetworkName } from '../../core/store/schema.js';
import { UsageError } from '../args.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';
import { gridService } from '../grid-session.js';
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

export const gridLogin: CommandRun = async (ctx, _args, opts) => {
  const network = networkOption(opts);
  let urls: GridUrls;
  let mnemonicFrom = typeof opts['mnemonic-file'] === 'string' ? opts['mnemonic-file'] : undefined;
  if (network === 'devnet') {
    const d = await devnetUrls(ctx, opts);
    urls = d.urls;
    mnemonicFrom ??= d.mnemonicFile;
  } else {
    if (['gridproxy', 'relay', 'chain', 'devnet-data'].some((k) => opts[k] !== undefined))
      throw new UsageError('--gridproxy, --relay, --chain and --devnet-data are for --network devnet');
    urls = (await import('../grid-urls.js')).liveUrls(network);
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
  const { accountFacts } = await import('../../grid3/device/gates.js');
  const { twinId, balance, terms, kyc, gates } = await accountFacts(network, urls, account.address);

  const record: Grid3IdentityRecord = {
    network,
    address: account.address,
    ...(twinId !== null ? { twinId } : {}),
    ...(network === 'devnet' ? { urls } : {}),
    createdAt: new Date().toISOString(),
  };
  await gridService(ctx).records.saveLogin(record, mnemonic);

  for (const g of gates) ctx.warn(`note: ${g.message}`);
  if (ctx.json)
    return ctx.printJson({
      network,
      address: account.address,
      twinId,
      balance: formatTft(balance),
      termsAccepted: terms,
      kyc,
      problems: gates.map((g) => ({ what: g.what, message: g.message })),
    });
  ctx.out(`Logged in to ${network}.`);
  ctx.out(`Account: ${account.address}`);
  ctx.out(`Twin:    ${twinId ?? 'none'}`);
  ctx.out(`Balance: ${formatTft(balance)} TFT`);
  ctx.out(`KYC:     ${kyc}`);
};

export const gridLogout: CommandRun = async (ctx) => {
  const id = await gridService(ctx).records.forgetLogin();
  if (!id) return ctx.out('Not logged in to the grid');
  ctx.out(
    `Logged out of ${id.address} (${id.network}): its mnemonic is gone from this device; the access tunnels stay`,
  );
};

export const gridWhoami: CommandRun = async (ctx) => {
  const id = await gridService(ctx).records.requireIdentity();
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
  const farm = opts.farm;
  if (farm !== undefined && (typeof farm !== 'string' || !/^\d+$/.test(farm)))
    throw new UsageError('--farm takes a farm id');
  const { nodes, warnings } = await gridService(ctx).nodes({
    ...(opts.ipv4 === true ? { ipv4: true } : {}),
    ...(opts.ipv6 === true ? { ipv6: true } : {}),
    ...(farm !== undefined ? { farm: Number(farm) } : {}),
  });
  for (const w of warnings) ctx.warn(`warning: ${w}`);
  if (ctx.json) return ctx.printJson(nodes);
  if (!nodes.length) return ctx.out('No node is up that matches');
  ctx.out(`${'NODE'.padEnd(6)}  ${'FARM'.padEnd(5)}  ${'IPV4'.padEnd(18)}  IPV6`);
  for (const n of nodes)
    ctx.out(
      `${String(n.nodeId).padEnd(6)}  ${String(n.farmId).padEnd(5)}  ${(n.ipv4 ?? '-').padEnd(18)}  ${n.ipv6 ?? '-'}`,
    );
};
