import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { devnetDir, devnetDown, devnetUp, readDevnet, announcementOf } from '../../devnet/devnet.js';
import { ExplorerServer } from '../../devnet/explorer/explorer-server.js';
import { NodeAgent } from '../../devnet/node-agent.js';
import { DEFAULT_TOPOLOGY, readTopology } from '../../devnet/topology.js';
import type { Command } from '../command.js';

const DEFAULT_PORT = 8731;

export const devnetCommands: Command[] = [
  {
    path: ['devnet', 'up'],
    args: [],
    options: {
      topology: {
        type: 'string',
        value: 'FILE',
        description: 'nodes as JSON: {"nodes": [{"name": "n1", "kind": "public|ipv6-only|hidden"}]}',
      },
      port: {
        type: 'string',
        value: 'N',
        description: `explorer port on 127.0.0.1 (default ${DEFAULT_PORT})`,
      },
    },
    summary:
      'Start a local grid (root): an explorer, 0-OS-like nodes in namespaces with real WireGuard, a laptop namespace',
    async run(ctx, _args, opts) {
      const port = typeof opts.port === 'string' ? Number(opts.port) : DEFAULT_PORT;
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new UserError('--port takes a port number');
      const topology = typeof opts.topology === 'string' ? readTopology(opts.topology) : DEFAULT_TOPOLOGY;
      const state = await devnetUp(ctx.dataDir, topology, port, process.argv[1]!, (l) => ctx.warn(l));
      ctx.store.update((d) => {
        d.settings.explorer = state.explorer;
      });
      if (ctx.json)
        return ctx.printJson({ explorer: state.explorer, laptopNamespace: state.laptopNamespace });
      ctx.out(`Devnet up. Explorer: ${state.explorer} (now the default explorer)`);
      ctx.out(
        `Laptop namespace: ${state.laptopNamespace} (connect with: overlay-connect tunnel up NAME --netns ${state.laptopNamespace})`,
      );
      for (const n of state.nodes) ctx.out(`  ${n.name}  ${n.kind.padEnd(9)}  ${n.nodeId}`);
    },
  },
  {
    path: ['devnet', 'status'],
    args: [],
    summary: "The devnet's explorer, laptop namespace and nodes",
    async run(ctx) {
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
    },
  },
  {
    path: ['devnet', 'down'],
    args: [],
    options: {
      purge: {
        type: 'boolean',
        description: "also forget the devnet's data (explorer database, node identities)",
      },
    },
    summary: 'Stop the devnet and remove every namespace, interface, process and rule it created',
    async run(ctx, _args, opts) {
      await devnetDown(ctx.dataDir, opts.purge === true, (l) => ctx.out(l));
    },
  },
  {
    path: ['devnet', 'serve-explorer'],
    args: [],
    hidden: true,
    options: {
      db: { type: 'string', value: 'FILE', description: 'SQLite file' },
      port: { type: 'string', value: 'N', description: 'port' },
    },
    summary: 'Run the devnet explorer in the foreground',
    async run(ctx, _args, opts) {
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
    },
  },
  {
    path: ['devnet', 'agent'],
    args: [],
    hidden: true,
    options: {
      node: { type: 'string', value: 'NAME', description: 'node name' },
      'devnet-dir': { type: 'string', value: 'DIR', description: 'devnet folder' },
    },
    summary: 'Run one devnet node agent in the foreground',
    async run(ctx, _args, opts) {
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
    },
  },
];
