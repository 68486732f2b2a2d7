/**
 * `grid networks`, `create`, `connect`, `disconnect`, `import`, `delete`: the device's v3 network actions
 * (src/grid3/device) printed for a terminal or as JSON. Progress goes to stderr as it comes, the result's
 * warnings after it; stdout is the result.
 */
import { UsageError } from '../args.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';
import { gridService, progressPrinter } from '../grid-session.js';

function nodeIdOf(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0)
    throw new UsageError(`${what} takes a node id, not "${text}"`);
  return Number(text);
}

function warnAll(ctx: CliContext, warnings: readonly string[]): void {
  for (const w of warnings) ctx.warn(`warning: ${w}`);
}

export const gridNetworks: CommandRun = async (ctx) => {
  const { networks, warnings } = await gridService(ctx).networks(progressPrinter(ctx));
  warnAll(ctx, warnings);
  if (ctx.json) return ctx.printJson({ networks, warnings });
  for (const n of networks)
    warnAll(
      ctx,
      n.warnings.map((w) => `${n.name}: ${w}`),
    );
  if (!networks.length)
    return ctx.out(
      'No networks yet: overlay-connect grid create NAME --subnet 10.20.0.0/16 --nodes ID,… --access ID',
    );
  for (const n of networks) {
    ctx.out(`${n.name}  ${n.ipRange}  ${n.nodes.length} node(s)  ${n.accesses.length} access(es)`);
    for (const x of n.nodes)
      ctx.out(
        `  node ${x.nodeId}  ${x.subnet}  contract ${x.contractId}  ${x.endpoint ?? '(hidden)'}  ${x.state}${x.message ? `: ${x.message}` : ''}`,
      );
    for (const a of n.accesses)
      ctx.out(
        `  access ${a.subnet} through node ${a.nodeId}${a.mine ? `  mine${a.tunnel ? `: tunnel "${a.tunnel}"` : ' (not finished: grid connect again)'}` : ''}${!a.mine && a.importable ? '  (importable)' : ''}`,
      );
  }
};

export const gridCreate: CommandRun = async (ctx, [name], opts) => {
  if (typeof opts.subnet !== 'string')
    throw new UsageError('grid create needs --subnet, a private /16 such as 10.20.0.0/16');
  if (typeof opts.nodes !== 'string') throw new UsageError('grid create needs --nodes ID,ID,…');
  if (typeof opts.access !== 'string') throw new UsageError('grid create needs --access NODE_ID');
  const nodeIds = opts.nodes.split(',').map((t) => nodeIdOf(t.trim(), '--nodes'));
  const accessNodeId = nodeIdOf(opts.access, '--access');
  const created = await gridService(ctx).create(
    { name: name!, ipRange: opts.subnet, nodeIds, accessNodeId, shareKey: opts['share-key'] === true },
    progressPrinter(ctx),
  );
  warnAll(ctx, created.warnings);
  if (ctx.json) return ctx.printJson(created);
  ctx.out(`Created ${created.network} (${created.ipRange}):`);
  for (const c of created.contracts) ctx.out(`  node ${c.nodeId}  ${c.subnet}  contract ${c.contractId}`);
  ctx.out(
    `This device's access ${created.access.subnet} through node ${created.access.nodeId}: tunnel "${created.tunnel}"`,
  );
  ctx.out(`Connect with: overlay-connect tunnel up "${created.tunnel}"`);
};

export const gridConnect: CommandRun = async (ctx, [name], opts) => {
  const via = typeof opts.via === 'string' ? nodeIdOf(opts.via, '--via') : undefined;
  const connected = await gridService(ctx).connect(
    name!,
    { ...(via !== undefined ? { via } : {}), shareKey: opts['share-key'] === true },
    progressPrinter(ctx),
  );
  warnAll(ctx, connected.warnings);
  if (ctx.json) return ctx.printJson(connected);
  ctx.out(connected.tunnel);
  ctx.warn(
    `Connected this device to ${name}: access ${connected.subnet} (${connected.address}) through node ${connected.nodeId}; overlay-connect tunnel up "${connected.tunnel}"`,
  );
};

export const gridDisconnect: CommandRun = async (ctx, [name]) => {
  const r = await gridService(ctx).disconnect(name!, progressPrinter(ctx));
  warnAll(ctx, r.warnings);
  if (ctx.json) return ctx.printJson(r);
  for (const x of r.removed)
    ctx.out(`Removed this device's access ${x.subnet} (node ${x.nodeId}) from ${name}`);
  for (const t of r.removedTunnels) ctx.out(`Removed tunnel "${t}"`);
};

export const gridImport: CommandRun = async (ctx, [name], opts) => {
  const via = typeof opts.via === 'string' ? nodeIdOf(opts.via, '--via') : undefined;
  const imported = await gridService(ctx).importAccess(name!, via, progressPrinter(ctx));
  // The import's own warning for an endpoint in a private range is among these.
  warnAll(ctx, imported.warnings);
  if (ctx.json) return ctx.printJson(imported);
  ctx.out(imported.tunnel);
  ctx.warn(
    `Imported the access ${imported.subnet} of ${name} (node ${imported.nodeId}) as tunnel "${imported.tunnel}"; overlay-connect tunnel up "${imported.tunnel}"`,
  );
};

export const gridDelete: CommandRun = async (ctx, [name]) => {
  const deleted = await gridService(ctx).delete(name!, progressPrinter(ctx));
  warnAll(ctx, deleted.warnings);
  if (ctx.json) return ctx.printJson(deleted);
  ctx.out(`Deleted ${name}: contracts ${deleted.cancelledContracts.join(', ')} cancelled`);
  for (const t of deleted.removedTunnels) ctx.out(`Removed tunnel "${t}"`);
};
