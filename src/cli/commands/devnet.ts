import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import {
  devnetDir,
  devnetDown as stopDevnet,
  devnetUp as startDevnet,
  readDevnet,
  announcementOf,
} from '../../devnet/devnet.js';
import { ExplorerServer } from '../../devnet/explorer/explorer-server.js';
import { NodeAgent } from '../../devnet/node-agent.js';
import { DEFAULT_TOPOLOGY, readTopology } from '../../devnet/topology.js';
import { devnetV3Down, devnetV3Running, devnetV3View } from '../../devnet/v3/devnet-v3-down.js';
import { devnetV3Dir, readDevnetV3 } from '../../devnet/v3/devnet-v3-state.js';
import type { CommandRun } from '../command.js';
import { DEVNET_PORT as DEFAULT_PORT } from '../command-table.js';

export const devnetUp: CommandRun = async (ctx, _args, opts) => {
  const grid = opts.grid === undefined ? 'v2' : String(opts.grid);
  if (grid !== 'v2' && grid !== 'v3') throw new UserError('--grid takes v2 or v3');
  if (grid === 'v3') return devnetUpV3(ctx, opts);
  if (devnetV3Running(readDevnetV3(devnetV3Dir(ctx.dataDir))))
    throw new UserError('The v3 devnet is up: devnet down first');
  const port = typeof opts.port === 'string' ? Number(opts.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError('--port takes a port number');
  const topology = typeof opts.topology === 'string' ? readTopology(opts.topology) : DEFAULT_TOPOLOGY;
  const state = await startDevnet(ctx.dataDir, topology, port, process.argv[1]!, (l) => ctx.warn(l));
  (await ctx.store()).update((d) => {
    d.settings.explorer = state.explorer;
  });
  if (ctx.json) return ctx.printJson({ explorer: state.explorer, laptopNamespace: state.laptopNamespace });
  ctx.out(`Devnet up. Explorer: ${state.explorer} (now the default explorer)`);
  ctx.out(
    `Laptop namespace: ${state.laptopNamespace} (connect with: overlay-connect tunnel up NAME --netns ${state.laptopNamespace})`,
  );
  for (const n of state.nodes) ctx.out(`  ${n.name}  ${n.kind.padEnd(9)}  ${n.nodeId}`);
};

/** The v3 grid: its own module, loaded only here, because it brings @polkadot with it. */
async function devnetUpV3(ctx: Parameters<CommandRun>[0], opts: Parameters<CommandRun>[2]): Promise<void> {
  let port: number | undefined;
  if (typeof opts.port === 'string') {
    port = Number(opts.port);
    if (!Number.isInteger(port) || port < 1 || port > 65533)
      throw new UserError('--port takes a port number (the relay and chain take the next two)');
  }
  const topology = typeof opts.topology === 'string' ? readTopology(opts.topology) : undefined;
  const { devnetV3Up } = await import('../../devnet/v3/devnet-v3.js');
  const s = await devnetV3Up(ctx.dataDir, topology, DEFAULT_TOPOLOGY, port, process.argv[1]!, (l) =>
    ctx.warn(l),
  );
  const view = devnetV3View(s);
  if (ctx.json) return ctx.printJson(view);
  ctx.out(`Devnet (Grid v3) up. Gridproxy: ${view.gridproxy}  Relay: ${view.relay}  Chain: ${view.chain}`);
  ctx.out(
    `Your twin ${view.account.twinId} (${view.account.address}), funded and verified; its mnemonic: ${view.account.mnemonicFile}`,
  );
  ctx.out(`Laptop namespace: ${view.laptopNamespace}`);
  for (const n of view.nodes)
    ctx.out(
      `  ${n.name}  ${n.kind.padEnd(9)}  node ${n.nodeId}  twin ${n.twinId}  ${n.publicConfig?.ipv4 || n.publicConfig?.ipv6 || 'hidden'}`,
    );
}

export const devnetStatus: CommandRun = async (ctx) => {
  const v3 = readDevnetV3(devnetV3Dir(ctx.dataDir));
  const s = readDevnet(devnetDir(ctx.dataDir));
  // The v3 devnet when it is the one up, or when it is the only one there is.
  if (v3 && (devnetV3Running(v3) || !s?.running)) {
    const view = devnetV3View(v3);
    if (ctx.json) return ctx.printJson(view);
    ctx.out(
      `Devnet (Grid v3) ${view.running ? 'up' : 'down'}. Gridproxy: ${view.gridproxy}  Relay: ${view.relay}  Chain: ${view.chain}`,
    );
    ctx.out(
      `Twin ${view.account.twinId ?? '-'} (${view.account.address}); mnemonic: ${view.account.mnemonicFile}`,
    );
    ctx.out(`Laptop namespace: ${view.laptopNamespace}`);
    for (const n of view.nodes)
      ctx.out(
        `  ${n.name}  ${n.kind.padEnd(9)}  ${n.namespace.padEnd(10)}  node ${n.nodeId}  twin ${n.twinId}`,
      );
    return;
  }
  if (!s) throw new UserError('No devnet here: devnet up starts one');
  const view = {
    grid: 'v2',
    explorer: s.explorer,
    laptopNamespace: s.laptopNamespace,
    running: s.running,
    nodes: s.nodes.map((n) => ({ nodeId: n.nodeId, namespace: n.namespace, kind: n.kind, name: n.name })),
  };
  if (ctx.json) return ctx.printJson(view);
  ctx.out(
    `Devnet ${s.running ? 'up' : 'down'}. Explorer: ${s.explorer}. Laptop namespace: ${s.laptopNamespace}`,
  );
  for (const n of view.nodes)
    ctx.out(`  ${n.name}  ${n.kind.padEnd(9)}  ${n.namespace.padEnd(10)}  ${n.nodeId}`);
};

export const devnetDown: CommandRun = async (ctx, _args, opts) => {
  const purge = opts.purge === true;
  const hasV3 = readDevnetV3(devnetV3Dir(ctx.dataDir)) !== undefined;
  if (hasV3) await devnetV3Down(ctx.dataDir, purge, (l) => ctx.out(l));
  // The v2 devnet's down also clears whatever namespaces a crashed run of either left.
  if (!hasV3 || readDevnet(devnetDir(ctx.dataDir))) await stopDevnet(ctx.dataDir, purge, (l) => ctx.out(l));
};

/** One part of the v3 devnet in the foreground, until SIGTERM (what `devnet up --grid v3` spawns). */
export const devnetServe: CommandRun = async (ctx, args, opts) => {
  const dir = String(opts['devnet-dir'] ?? devnetV3Dir(ctx.dataDir));
  const log = (l: string) => ctx.out(`${new Date().toISOString()} ${l}`);
  const { servePart } = await import('../../devnet/v3/devnet-v3-serve.js');
  const close = await servePart(dir, args[0] ?? '', args[1], log);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await close();
};

export const devnetServeExplorer: CommandRun = async (ctx, _args, opts) => {
  const server = new ExplorerServer({
    dbPath: String(opts.db ?? join(devnetDir(ctx.dataDir), 'explorer.db')),
  });
  const url = await server.listen(Number(opts.port ?? DEFAULT_PORT));
  ctx.out(`explorer listening on ${url}`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
};

export const devnetAgent: CommandRun = async (ctx, _args, opts) => {
  const dir = String(opts['devnet-dir'] ?? devnetDir(ctx.dataDir));
  const state = readDevnet(dir);
  const node = state?.nodes.find((n) => n.name === opts.node);
  if (!state || !node) throw new UserError(`No devnet node named ${String(opts.node)}`);
  const log = (l: string) => ctx.out(`${new Date().toISOString()} ${l}`);
  const agent = new NodeAgent({
    explorer: state.explorer,
    namespace: node.namespace,
    index: node.index,
    seedHex: node.seedHex,
    announcement: announcementOf(node),
    stateDir: dir,
    name: node.name,
    log,
  });
  let stop = false;
  process.once('SIGTERM', () => (stop = true));
  process.once('SIGINT', () => (stop = true));
  const started = Date.now();
  let registered = false;
  let beat = 0;
  while (!stop) {
    try {
      if (!registered) {
        await agent.register();
        registered = true;
        log(`registered as ${node.nodeId}`);
      }
      await agent.reconcile();
      if (++beat % 20 === 0) await agent.heartbeat(Math.floor((Date.now() - started) / 1000));
    } catch (e) {
      log(`error: ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
};
