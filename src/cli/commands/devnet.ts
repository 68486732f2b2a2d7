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
import type { CommandRun } from '../command.js';
import { DEVNET_PORT as DEFAULT_PORT } from '../command-table.js';

export const devnetUp: CommandRun = async (ctx, _args, opts) => {
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

export const devnetStatus: CommandRun = async (ctx) => {
  const s = readDevnet(devnetDir(ctx.dataDir));
  if (!s) throw new UserError('No devnet here: devnet up starts one');
  const view = {
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
  await stopDevnet(ctx.dataDir, opts.purge === true, (l) => ctx.out(l));
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
