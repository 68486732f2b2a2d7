import { UserError } from '../../core/errors.js';
import { nodeEndpoints } from '../../core/overlay/node-endpoints.js';
import type { CommandRun } from '../command.js';

export const nodesSearch: CommandRun = async (ctx, _args, opts) => {
  let farm: number | undefined;
  if (typeof opts.farm === 'string') {
    if (!/^\d+$/.test(opts.farm))
      throw new UserError(`--farm takes a farm id (a number), not "${opts.farm}"`);
    farm = Number(opts.farm);
  }
  const nodes = await (
    await ctx.networks()
  ).searchNodes(
    { farm, ipv4: opts.ipv4 === true, ipv6: opts.ipv6 === true, up: opts.up === true },
    undefined,
    (id, why) => ctx.warn(`Left out node ${id}: ${why}`),
  );
  if (ctx.json) return ctx.printJson(nodes);
  if (!nodes.length) return ctx.out('No node matches');
  const now = Date.now() / 1000;
  for (const n of nodes) {
    const e = nodeEndpoints(n);
    const seen = Math.round((now - Number(n.updated)) / 60);
    ctx.out(
      `${n.node_id}  farm ${n.farm_id}  ${n.endpoint_kind.padEnd(9)}  ${[e.ipv4, e.ipv6].filter(Boolean).join(' ') || '-'}  seen ${seen} min ago`,
    );
  }
};
