import { UserError } from '../../core/errors.js';
import { networkView } from '../../app/network-view.js';
import type { NetworkRecord } from '../../core/overlay/model.js';
import { endpointKind } from '../../core/overlay/node-endpoints.js';
import type { NetworkStatus } from '../../core/overlay/network-service.js';
import { parseDuration } from '../../core/overlay/reservation.js';
import { checkNetwork } from '../../core/overlay/network-check.js';
import { findTools } from '../../core/tunnels/tool-paths.js';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';

const subnetOpt = {
  subnet: { type: 'string', value: 'CIDR', description: 'the /24 to use (default: the first free one)' },
} as const;

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

export const networkCommands: Command[] = [
  {
    path: ['network', 'create'],
    args: ['NAME'],
    options: {
      subnet: {
        type: 'string',
        value: 'CIDR',
        required: true,
        description: "the network's private /16 (RFC 1918), e.g. 10.20.0.0/16",
      },
    },
    summary: 'Define an overlay network: a name and a private /16',
    async run(ctx, [name], opts) {
      if (typeof opts.subnet !== 'string')
        throw new UserError('network create needs --subnet, a private /16 such as 10.20.0.0/16');
      const net = ctx.networks.create(name!, opts.subnet);
      if (ctx.json) return ctx.printJson(view(ctx, net));
      ctx.out(
        `Network ${net.name} (${net.ipRange}) created; add nodes with: overlay-connect network add-node ${net.name} NODE_ID`,
      );
    },
  },
  {
    path: ['network', 'add-node'],
    args: ['NAME', 'NODE_ID'],
    options: subnetOpt,
    summary: 'Add a node (it gets a /24, a key pair sealed to it and a listen port)',
    async run(ctx, [name, nodeId], opts) {
      const net = await ctx.networks.addNode(name!, nodeId!, { subnet: opts.subnet as string | undefined });
      const n = net.nodes.find((x) => x.nodeId === nodeId)!;
      if (ctx.json) return ctx.printJson(view(ctx, net).nodes.find((x) => x.nodeId === nodeId));
      ctx.out(
        `Added ${nodeId} to ${name}: ${n.subnet}, port ${n.listenPort}, ${endpointKind(n.endpoints)}${net.reservation ? ' (register again to apply)' : ''}`,
      );
    },
  },
  {
    path: ['network', 'add-access'],
    args: ['NAME', 'NODE_ID'],
    options: {
      ...subnetOpt,
      ipv4: { type: 'boolean', description: 'reach the entrypoint over IPv4 (default when it has one)' },
      ipv6: { type: 'boolean', description: 'reach the entrypoint over IPv6' },
    },
    summary: 'Add external access for this machine through an entrypoint node; creates a tunnel',
    async run(ctx, [name, nodeId], opts) {
      if (opts.ipv4 && opts.ipv6) throw new UserError('Choose --ipv4 or --ipv6, not both');
      const family = opts.ipv4 ? 4 : opts.ipv6 ? 6 : undefined;
      const { network, tunnelName } = await ctx.networks.addAccess(name!, nodeId!, {
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
    },
  },
  {
    path: ['network', 'show'],
    args: ['NAME'],
    summary: "Show a network: nodes, subnets, ports, endpoint kinds, keys and each node's peers",
    async run(ctx, [name]) {
      const v = view(ctx, ctx.networks.get(name!));
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
    },
  },
  {
    path: ['network', 'list'],
    args: [],
    summary: 'List networks',
    async run(ctx) {
      const nets = ctx.networks.list();
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
    },
  },
  {
    path: ['network', 'register'],
    args: ['NAME'],
    options: {
      expires: {
        type: 'string',
        value: 'DURATION',
        description: 'how long the reservation lasts: 30d, 12h… (default 1 year, at least 1h)',
      },
    },
    summary: 'Register the network as a signed reservation on the explorer',
    async run(ctx, [name], opts) {
      const duration = typeof opts.expires === 'string' ? parseDuration(opts.expires) : undefined;
      const net = await ctx.networks.register(name!, duration);
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
    },
  },
  {
    path: ['network', 'status'],
    args: ['NAME'],
    options: {
      wait: {
        type: 'string',
        value: 'SECONDS',
        description: 'wait until every node reports ok (exit 1 on an error or at the timeout)',
      },
    },
    summary: 'Provisioning result per node',
    async run(ctx, [name], opts) {
      if (opts.wait === undefined) return printStatus(ctx, await ctx.networks.status(name!));
      if (typeof opts.wait !== 'string' || !/^\d+$/.test(opts.wait))
        throw new UserError('--wait takes a number of seconds');
      const deadline = Date.now() + Number(opts.wait) * 1000;
      let last = '';
      for (;;) {
        const s = await ctx.networks.status(name!);
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
    },
  },
  {
    path: ['network', 'delete'],
    args: ['NAME'],
    summary: "Sign the deletion of the network's reservations and forget it and its access tunnels",
    async run(ctx, [name]) {
      const service = await ctx.tunnelService();
      await ctx.networks.delete(name!, (t) => service.isActive(t));
      ctx.out(`Deleted ${name}`);
    },
  },
];

networkCommands.push({
  path: ['network', 'check'],
  args: ['NAME'],
  summary: "Ping every node's gateway and WireGuard address through the tunnel (with --netns, from there)",
  async run(ctx, [name]) {
    const net = ctx.networks.get(name!);
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
  },
});
