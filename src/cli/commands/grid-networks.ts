/**
 * `grid networks`, `create`, `connect`, `disconnect`, `import`, `delete`: the v3 network journeys
 * (src/grid3/networks) on the stored identity, with each access of this device kept as a tunnel and
 * recorded (grid-store.ts) so that listings say which access is mine and which tunnel it is.
 *
 * The device key never leaves sealed storage except into the grid when the user opts in (--share-key):
 * it is sealed before the first chain write, so a connect that fails half-way leaves it here and the
 * same command finishes the same access instead of adding a second one.
 */
import { UserError } from '../../core/errors.js';
import { generateWgKeyPair, wgPublicKey } from '../../core/grid3/wg-keys.js';
import type { Grid3AccessRecord } from '../../core/store/schema.js';
import {
  connectDevice,
  createNetwork,
  deleteNetwork,
  disconnectDevice,
  importAccess,
  listNetworks,
  NetworkError,
} from '../../grid3/networks/index.js';
import { UsageError } from '../args.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';
import {
  commitAccessTunnel,
  forgetAccesses,
  myAccesses,
  pendingKey,
  readGrid3,
  requireIdentity,
  sealPendingKey,
  tunnelFor,
} from '../grid-store.js';
import { withSession, type GridSession } from '../grid-session.js';

function nodeIdOf(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0)
    throw new UsageError(`${what} takes a node id, not "${text}"`);
  return Number(text);
}

function warnAll(ctx: CliContext, warnings: readonly string[]): void {
  for (const w of warnings) ctx.warn(`warning: ${w}`);
}

/** This device's tunnels that are up: a grid change must not pull an access from under a live tunnel. */
async function refuseActive(ctx: CliContext, records: Grid3AccessRecord[]): Promise<void> {
  const tunnels = (await ctx.store()).read().tunnels;
  const named = records.map((r) => tunnelFor(tunnels, r)).filter((n): n is string => n !== undefined);
  if (!named.length) return;
  const service = await ctx.tunnelService();
  for (const name of named) {
    if (await service.isActive(name))
      throw new UserError(`"${name}" is up: take it down first (overlay-connect tunnel down "${name}")`);
  }
}

const recordBase = (s: GridSession, network: string) => ({
  grid: s.id.network,
  account: s.id.address,
  network,
});

export const gridNetworks: CommandRun = async (ctx) => {
  await withSession(ctx, async (s) => {
    const listing = await listNetworks(s.ctx);
    const store = await ctx.store();
    const records = myAccesses(readGrid3(store), s.id);
    const byName = store.read().tunnels;
    const tunnelOf = (publicKey: string) => {
      const record = records.find((r) => r.publicKey === publicKey);
      if (record) return tunnelFor(byName, record) ?? null;
      // A tunnel imported by hand (tunnel import) with this access's key is this access too.
      return Object.values(byName).find((t) => t.publicKey === publicKey)?.name ?? null;
    };
    const networks = listing.networks.map((n) => ({
      name: n.name,
      ipRange: n.ipRange,
      nodes: n.nodes.map((x) => ({
        nodeId: x.nodeId,
        subnet: x.subnet,
        contractId: x.contractId,
        contractState: x.contractState,
        endpoint: x.endpoint ?? null,
        state: x.state,
        ...(x.message !== undefined ? { message: x.message } : {}),
      })),
      accesses: n.accesses.map((a) => ({
        nodeId: a.nodeId,
        subnet: a.subnet,
        publicKey: a.publicKey,
        mine: a.mine,
        tunnel: a.mine ? tunnelOf(a.publicKey) : null,
        importable: a.importable,
      })),
      warnings: n.warnings,
    }));
    warnAll(ctx, listing.warnings);
    if (ctx.json) return ctx.printJson({ networks, warnings: listing.warnings });
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
  });
};

export const gridCreate: CommandRun = async (ctx, [name], opts) => {
  if (typeof opts.subnet !== 'string')
    throw new UsageError('grid create needs --subnet, a private /16 such as 10.20.0.0/16');
  if (typeof opts.nodes !== 'string') throw new UsageError('grid create needs --nodes ID,ID,…');
  if (typeof opts.access !== 'string') throw new UsageError('grid create needs --access NODE_ID');
  const nodeIds = opts.nodes.split(',').map((t) => nodeIdOf(t.trim(), '--nodes'));
  const accessNodeId = nodeIdOf(opts.access, '--access');
  await withSession(ctx, async (s) => {
    const created = await createNetwork(s.ctx, {
      name: name!,
      ipRange: opts.subnet as string,
      nodeIds,
      accessNodeId,
      shareKey: opts['share-key'] === true,
    });
    const record = {
      ...recordBase(s, created.network),
      nodeId: created.access.nodeId,
      subnet: created.access.subnet,
      publicKey: created.access.publicKey,
      origin: 'create' as const,
    };
    // Sealed first on its own, so that a tunnel that cannot be added still leaves the key here.
    await sealPendingKey(ctx, record, created.access.privateKey);
    const tunnel = await commitAccessTunnel(ctx, record, created.access.config);
    warnAll(ctx, created.warnings);
    if (ctx.json)
      return ctx.printJson({
        network: created.network,
        ipRange: created.ipRange,
        contracts: created.contracts,
        access: {
          nodeId: created.access.nodeId,
          subnet: created.access.subnet,
          address: created.access.address,
          publicKey: created.access.publicKey,
          endpoint: created.access.endpoint,
        },
        tunnel,
        warnings: created.warnings,
      });
    ctx.out(`Created ${created.network} (${created.ipRange}):`);
    for (const c of created.contracts) ctx.out(`  node ${c.nodeId}  ${c.subnet}  contract ${c.contractId}`);
    ctx.out(
      `This device's access ${created.access.subnet} through node ${created.access.nodeId}: tunnel "${tunnel}"`,
    );
    ctx.out(`Connect with: overlay-connect tunnel up "${tunnel}"`);
  });
};

export const gridConnect: CommandRun = async (ctx, [name], opts) => {
  const via = typeof opts.via === 'string' ? nodeIdOf(opts.via, '--via') : undefined;
  const id = await requireIdentity(ctx);
  const done = myAccesses(readGrid3(await ctx.store()), id).find((r) => r.network === name && r.tunnel);
  if (done)
    throw new UserError(
      `This device already has an access to ${name}: tunnel "${done.tunnel}" (grid disconnect ${name} first)`,
    );
  await withSession(ctx, async (s) => {
    // A first attempt's key, if one failed half-way: the rerun finishes that access.
    const pending = await pendingKey(ctx, s.id, name!);
    let keyPair: { privateKey: string; publicKey: string };
    if (pending) {
      keyPair = { privateKey: pending.privateKey, publicKey: wgPublicKey(pending.privateKey) };
      ctx.warn(`… resuming the access begun earlier (key ${keyPair.publicKey})`);
    } else {
      keyPair = generateWgKeyPair();
      await sealPendingKey(
        ctx,
        {
          ...recordBase(s, name!),
          nodeId: via ?? 0,
          subnet: '',
          publicKey: keyPair.publicKey,
          origin: 'connect',
        },
        keyPair.privateKey,
      );
    }
    let connected;
    try {
      connected = await connectDevice(s.ctx, name!, {
        ...(via !== undefined ? { via } : {}),
        shareKey: opts['share-key'] === true,
        keyPair,
      });
    } catch (e) {
      // The journey's own message says what was written and how to finish (a partial change included).
      const why = e instanceof Error ? e.message : String(e);
      throw new UserError(`${why}. This device's key stays sealed: run grid connect ${name} again to finish`);
    }
    const tunnel = await commitAccessTunnel(
      ctx,
      {
        ...recordBase(s, name!),
        nodeId: connected.nodeId,
        subnet: connected.subnet,
        publicKey: connected.publicKey,
        origin: 'connect',
      },
      connected.config,
    );
    warnAll(ctx, connected.warnings);
    if (ctx.json)
      return ctx.printJson({
        network: connected.network,
        nodeId: connected.nodeId,
        subnet: connected.subnet,
        address: connected.address,
        publicKey: connected.publicKey,
        endpoint: connected.endpoint,
        tunnel,
        updatedContracts: connected.updatedContracts,
        warnings: connected.warnings,
      });
    ctx.out(tunnel);
    ctx.warn(
      `Connected this device to ${name}: access ${connected.subnet} (${connected.address}) through node ${connected.nodeId}; overlay-connect tunnel up "${tunnel}"`,
    );
  });
};

export const gridDisconnect: CommandRun = async (ctx, [name]) => {
  const id = await requireIdentity(ctx);
  const records = myAccesses(readGrid3(await ctx.store()), id).filter((r) => r.network === name);
  if (!records.length) throw new UserError(`This device has no access to ${name}`);
  await refuseActive(ctx, records);
  await withSession(ctx, async (s) => {
    const warnings: string[] = [];
    const removed: Array<{ nodeId: number; subnet: string; updatedContracts: number[] }> = [];
    for (const r of records) {
      try {
        const d = await disconnectDevice(s.ctx, name!, r.publicKey);
        warnings.push(...d.warnings);
        removed.push({ nodeId: d.nodeId, subnet: d.subnet, updatedContracts: d.updatedContracts });
      } catch (e) {
        // Gone from the grid already (another client, or a pending key that never got in): only the
        // local record is left to drop. Anything else keeps the record, for a rerun.
        if (!(e instanceof NetworkError && /has no access with this device's key/.test(e.message))) throw e;
        warnings.push(`the access with key ${r.publicKey} was not on ${name} any more`);
      }
    }
    const tunnels = await forgetAccesses(ctx, records);
    warnAll(ctx, warnings);
    if (ctx.json) return ctx.printJson({ network: name, removed, removedTunnels: tunnels, warnings });
    for (const r of removed)
      ctx.out(`Removed this device's access ${r.subnet} (node ${r.nodeId}) from ${name}`);
    for (const t of tunnels) ctx.out(`Removed tunnel "${t}"`);
  });
};

export const gridImport: CommandRun = async (ctx, [name], opts) => {
  const via = typeof opts.via === 'string' ? nodeIdOf(opts.via, '--via') : undefined;
  await withSession(ctx, async (s) => {
    const imported = await importAccess(s.ctx, name!, via);
    const known = myAccesses(readGrid3(await ctx.store()), s.id).find(
      (r) => r.publicKey === imported.publicKey && r.tunnel,
    );
    if (known) throw new UserError(`That access of ${name} is already tunnel "${known.tunnel}"`);
    const tunnel = await commitAccessTunnel(
      ctx,
      {
        ...recordBase(s, name!),
        nodeId: imported.nodeId,
        subnet: imported.subnet,
        publicKey: imported.publicKey,
        origin: 'import',
      },
      imported.config,
    );
    // The import's own warning for an endpoint in a private range is among these.
    warnAll(ctx, imported.warnings);
    if (ctx.json)
      return ctx.printJson({
        network: imported.network,
        nodeId: imported.nodeId,
        subnet: imported.subnet,
        publicKey: imported.publicKey,
        endpoint: imported.endpoint,
        tunnel,
        warnings: imported.warnings,
      });
    ctx.out(tunnel);
    ctx.warn(
      `Imported the access ${imported.subnet} of ${name} (node ${imported.nodeId}) as tunnel "${tunnel}"; overlay-connect tunnel up "${tunnel}"`,
    );
  });
};

export const gridDelete: CommandRun = async (ctx, [name]) => {
  const id = await requireIdentity(ctx);
  const records = myAccesses(readGrid3(await ctx.store()), id).filter((r) => r.network === name);
  await refuseActive(ctx, records);
  await withSession(ctx, async (s) => {
    const deleted = await deleteNetwork(s.ctx, name!);
    const tunnels = await forgetAccesses(ctx, records);
    warnAll(ctx, deleted.warnings);
    if (ctx.json)
      return ctx.printJson({
        network: deleted.network,
        cancelledContracts: deleted.cancelledContracts,
        removedTunnels: tunnels,
        warnings: deleted.warnings,
      });
    ctx.out(`Deleted ${name}: contracts ${deleted.cancelledContracts.join(', ')} cancelled`);
    for (const t of tunnels) ctx.out(`Removed tunnel "${t}"`);
  });
};
