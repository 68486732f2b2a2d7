import { UserError } from '../../core/errors.js';
import { networkView } from '../../app/network-view.js';
import type { NetworkRecord } from '../../core/overlay/model.js';
import { endpointKind } from '../../core/overlay/node-endpoints.js';
import type { NetworkStatus } from '../../core/overlay/network-service.js';
import { parseDuration } from '../../core/overlay/reservation.js';
import { checkNetwork } from '../../core/overlay/network-check.js';
import { findTools } from '../../core/tunnels/tool-paths.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';

const view = (_ctx: CliContext, net: NetworkRecord) => networkView(net);

function printStatus(ctx: CliContext, s: NetworkStatus): void {
  for (const line of [...s.notes, ...s.ignored.map((i) => `Ignored ${i}`)]) ctx.warn(line);
  if (ctx.json) return ctx.printJson(s);
  for (const r of s.previous ? [s, s.previous] : [s]) {
    const role = s.previous
      ? r === s
        ? ' (new, being provisioned)'
        : ' (in force until the new one is ok)'
      : '';
    ctx.out(`Reservation ${r.reservationId}${role}: next action ${r.nextActionName}`);
    for (const n of r.nodes) ctx.out(`  ${n.nodeId}  ${n.state}${n.message ? `  ${n.message}` : ''}`);
  }
}

export const networkCreate: CommandRun = async (ctx, [name], opts) => {
  if (typeof opts.subnet !== 'string')
    throw new UserError('network create needs --subnet, a private /16 such as 10.20.0.0/16');
  const net = (await ctx.networks()).create(name!, opts.subnet);
  if (ctx.json) return ctx.printJson(view(ctx, net));
  ctx.out(
    `Network ${net.name} (${net.ipRange}) created; add nodes with: overlay-connect network add-node ${net.name} NODE_ID`,
  );
};

export const networkAddNode: CommandRun = async (ctx, [name, nodeId], opts) => {
  const net = await (
    await ctx.networks()
  ).addNode(name!, nodeId!, { subnet: opts.subnet as string | undefined });
  const n = net.nodes.find((x) => x.nodeId === nodeId)!;
  if (ctx.json) return ctx.printJson(view(ctx, net).nodes.find((x) => x.nodeId === nodeId));
  ctx.out(
    `Added ${nodeId} to ${name}: ${n.subnet}, port ${n.listenPort}, ${endpointKind(n.endpoints)}${net.reservation ? ' (register again to apply)' : ''}`,
  );
};

export const networkAddAccess: CommandRun = async (ctx, [name, nodeId], opts) => {
  if (opts.ipv4 && opts.ipv6) throw new UserError('Choose --ipv4 or --ipv6, not both');
  const family = opts.ipv4 ? 4 : opts.ipv6 ? 6 : undefined;
  const { network, tunnelName } = await (
    await ctx.networks()
  ).addAccess(name!, nodeId!, {
    subnet: opts.subnet as string | undefined,
    family,
  });
  const access = network.accesses.find((a) => a.tunnelName === tunnelName)!;
  if (ctx.json)
    return ctx.printJson({ tunnel: tunnelName, subnet: access.subnet, family: access.family, nodeId });
  ctx.out(`Access ${access.subnet} through ${nodeId} added as tunnel "${tunnelName}".`);
  ctx.out(
    `Register the network (network register ${name}), then connect with: overlay-connect tunnel up "${tunnelName}"`,
  );
  ctx.out(`The config can be exported again any time: overlay-connect tunnel export "${tunnelName}"`);
};

export const networkShow: CommandRun = async (ctx, [name]) => {
  const v = view(ctx, (await ctx.networks()).get(name!));
  if (ctx.json) return ctx.printJson(v);
  ctx.out(
    `${v.name}  ${v.ipRange}  ${v.reservation ? `reservation ${v.reservation.id}${v.changedSinceRegistration ? ' (changed since: register again)' : ''}` : 'not registered'}`,
  );
  if (v.problem) ctx.out(`Problem: ${v.problem}`);
  for (const n of v.nodes) {
    ctx.out(
      `  node ${n.nodeId}  ${n.subnet}  gw ${n.gateway}  wg ${n.wgAddress}  port ${n.port}  ${n.endpointKind}`,
    );
    for (const p of n.peers)
      ctx.out(
        `      peer ${p.iprange} via ${p.endpoint || '(dials in)'}  allows ${p.allowed_iprange.join(', ')}`,
      );
  }
  for (const a of v.accesses)
    ctx.out(
      `  access ${a.subnet} (${a.wgAddress}) through ${a.nodeId} over IPv${a.family}: tunnel "${a.tunnel}"`,
    );
};

export const networkList: CommandRun = async (ctx) => {
  const nets = (await ctx.networks()).list();
  if (ctx.json)
    return ctx.printJson(
      nets.map((n) => ({
        name: n.name,
        ipRange: n.ipRange,
        nodes: n.nodes.length,
        accesses: n.accesses.length,
        reservation: n.reservation?.id ?? null,
      })),
    );
  if (!nets.length)
    return ctx.out('No networks yet: overlay-connect network create NAME --subnet 10.20.0.0/16');
  for (const n of nets)
    ctx.out(
      `${n.name}  ${n.ipRange}  ${n.nodes.length} node(s)  ${n.accesses.length} access(es)  ${n.reservation ? `reservation ${n.reservation.id}` : 'not registered'}`,
    );
};

export const networkRegister: CommandRun = async (ctx, [name], opts) => {
  const duration = typeof opts.expires === 'string' ? parseDuration(opts.expires) : undefined;
  const net = await (await ctx.networks()).register(name!, duration);
  const made = net.pending ?? net.reservation!;
  if (ctx.json)
    return ctx.printJson({
      reservationId: made.id,
      expiration: made.expiration,
      replaces: net.pending ? net.reservation!.id : null,
    });
  ctx.out(
    `Registered ${name}: reservation ${made.id}, expires ${new Date(made.expiration * 1000).toISOString()}`,
  );
  if (net.pending)
    ctx.out(
      `Reservation ${net.reservation!.id} keeps running until every node reports ok for ${made.id}; then it is deleted`,
    );
  ctx.out(`Follow the nodes with: overlay-connect network status ${name} --wait 120`);
};

export const networkStatus: CommandRun = async (ctx, [name], opts) => {
  if (opts.wait === undefined) return printStatus(ctx, await (await ctx.networks()).status(name!));
  if (typeof opts.wait !== 'string' || !/^\d+$/.test(opts.wait))
    throw new UserError('--wait takes a number of seconds');
  const deadline = Date.now() + Number(opts.wait) * 1000;
  let last = '';
  for (;;) {
    const s = await (await ctx.networks()).status(name!);
    const line = s.nodes.map((n) => `${n.nodeId.slice(0, 8)}…:${n.state}`).join(' ');
    if (!ctx.json && line !== last) ctx.warn(`waiting: ${line}`);
    last = line;
    const failed = s.nodes.find((n) => n.state === 'error');
    if (failed) {
      printStatus(ctx, s);
      throw new UserError(`Node ${failed.nodeId} could not provision the network: ${failed.message}`);
    }
    if (s.nextAction >= 4) {
      printStatus(ctx, s);
      throw new UserError(`The explorer stopped the reservation (next action: ${s.nextActionName})`);
    }
    if (s.nodes.every((n) => n.state === 'ok')) return printStatus(ctx, s);
    if (Date.now() >= deadline) {
      printStatus(ctx, s);
      throw new UserError(
        `Timed out after ${opts.wait} s; still waiting for ${s.nodes
          .filter((n) => n.state !== 'ok')
          .map((n) => n.nodeId)
          .join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
};

export const networkDelete: CommandRun = async (ctx, [name]) => {
  const service = await ctx.tunnelService();
  await (await ctx.networks()).delete(name!, (t) => service.isActive(t));
  ctx.out(`Deleted ${name}`);
};

export const networkCheck: CommandRun = async (ctx, [name]) => {
  const net = (await ctx.networks()).get(name!);
  const tools = findTools();
  if (!tools.ping) throw new UserError('ping was not found: apt-get install iputils-ping');
  if (ctx.netns && !tools.ip) throw new UserError('ip was not found: apt-get install iproute2');
  const results = await checkNetwork(net, { ping: tools.ping, ip: tools.ip }, ctx.netns);
  if (ctx.json) ctx.printJson(results);
  else {
    ctx.out(`${'NODE'.padEnd(46)}  ${'ADDRESS'.padEnd(15)}  RESULT`);
    for (const r of results)
      ctx.out(
        `${r.nodeId.padEnd(46)}  ${r.address.padEnd(15)}  ${r.reachable ? `${r.rttMs} ms` : 'unreachable'}`,
      );
  }
  const down = results.filter((r) => !r.reachable).length;
  if (down) throw new UserError(`${down} of ${results.length} addresses did not answer`);
};
