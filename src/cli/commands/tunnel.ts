import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { TunnelRecord } from '../../core/store/schema.js';
import { writePrivateFile } from '../../core/store/private-files.js';
import { writeConfig } from '../../core/wgconf/writer.js';
import { formatAge, type TunnelStatus } from '../../core/tunnels/tunnel-status.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';

/** What listings show of a tunnel: everything public, nothing sealed. */
function summary(t: TunnelRecord) {
  return {
    name: t.name,
    interface: t.interface,
    publicKey: t.publicKey,
    addresses: t.config.interface.addresses,
    peers: t.config.peers.map((p) => ({
      publicKey: p.publicKey,
      endpoint: p.endpoint ?? null,
      allowedIPs: p.allowedIPs,
    })),
    scripts: t.config.interface.scripts,
    allowScripts: t.allowScripts,
    source: t.source,
    createdAt: t.createdAt,
  };
}

export const tunnelImport: CommandRun = async (ctx, [file], opts) => {
  const bytes = await readFile(file!).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`Cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  const name = typeof opts.name === 'string' ? opts.name : basename(file!).replace(/\.conf$/i, '');
  const allowScripts = opts['allow-scripts'] === true;
  const { tunnel, warnings, scripts } = await (await ctx.tunnels()).importText(bytes, { name, allowScripts });
  for (const w of warnings) ctx.warn(`warning: ${file}:${w.line}: ${w.message}`);
  if (scripts.length) {
    const list = scripts.map((s) => `${s.key} (line ${s.line})`).join(', ');
    ctx.warn(
      allowScripts
        ? `warning: scripts allowed for "${tunnel.name}": ${list} will run as root on up/down`
        : `note: ${list} kept for display but will not run (import with --allow-scripts to let them run as root)`,
    );
  }
  if (ctx.json) ctx.printJson(summary(tunnel));
  else ctx.out(`Imported "${tunnel.name}" (interface ${tunnel.interface})`);
};

export const tunnelList: CommandRun = async (ctx) => {
  const tunnels = await ctx.tunnelList();
  if (ctx.json) return ctx.printJson(tunnels.map(summary));
  if (!tunnels.length) return ctx.out('No tunnels yet: import one with `overlay-connect tunnel import FILE`');
  const rows = tunnels.map((t) => [
    t.name,
    t.interface,
    t.config.peers.map((p) => p.endpoint ?? '-').join(' ') || '-',
  ]);
  const width = Math.max(4, ...rows.map((r) => r[0]!.length));
  ctx.out(`${'NAME'.padEnd(width)}  ${'INTERFACE'.padEnd(15)}  ENDPOINTS`);
  for (const [n, i, e] of rows) ctx.out(`${n!.padEnd(width)}  ${i!.padEnd(15)}  ${e}`);
};

export const tunnelShow: CommandRun = async (ctx, [name]) => {
  const t = (await ctx.tunnels()).get(name!);
  if (ctx.json) return ctx.printJson(summary(t));
  ctx.out(`Name:       ${t.name}\nInterface:  ${t.interface}\nPublic key: ${t.publicKey}`);
  ctx.out(
    `Scripts:    ${t.config.interface.scripts.length ? `${t.config.interface.scripts.length} (${t.allowScripts ? 'allowed to run' : 'blocked'})` : 'none'}`,
  );
  ctx.out('');
  // The private key stays sealed: the config is shown with it left out.
  ctx.out(
    writeConfig(t.config).replace(
      '[Interface]\n',
      '[Interface]\n# PrivateKey is kept sealed in the key store\n',
    ),
  );
};

export const tunnelExport: CommandRun = async (ctx, [name], opts) => {
  const text = await (await ctx.tunnels()).exportText(name!);
  if (typeof opts.output === 'string') {
    writePrivateFile(resolve(opts.output), text);
    ctx.warn(`Wrote ${opts.output} (mode 0600)`);
  } else {
    ctx.out(text);
  }
};

export const tunnelRemove: CommandRun = async (ctx, [name]) => {
  (await ctx.tunnels()).get(name!);
  if (await (await ctx.tunnelService()).isActive(name!))
    throw new UserError(`"${name}" is up: take it down first (overlay-connect tunnel down "${name}")`);
  (await ctx.tunnels()).remove(name!);
  ctx.out(`Removed "${name}"`);
};

export const tunnelScripts: CommandRun = async (ctx, [name], opts) => {
  const t = (await ctx.tunnels()).get(name!);
  if (opts.allow === true && opts.block === true) throw new UserError('Give --allow or --block, not both');
  const hooks = t.config.interface.scripts;
  for (const s of hooks) ctx.out(`${s.key} = ${s.command}`);
  if (opts.allow !== true && opts.block !== true) {
    ctx.out(hooks.length ? (t.allowScripts ? 'allowed to run' : 'blocked') : 'no script hooks');
    return;
  }
  if (opts.allow === true && !hooks.length) throw new UserError(`"${t.name}" has no script hooks`);
  (await ctx.tunnels()).setAllowScripts(t.name, opts.allow === true, hooks);
  ctx.out(
    opts.allow === true
      ? `The ${hooks.length} hook(s) above will run as root when "${t.name}" goes up or down`
      : `Script hooks of "${t.name}" are blocked`,
  );
};

export const tunnelRename: CommandRun = async (ctx, [name, newName]) => {
  (await ctx.tunnels()).get(name!);
  if (await (await ctx.tunnelService()).isActive(name!))
    throw new UserError(`"${name}" is up: take it down first (overlay-connect tunnel down "${name}")`);
  await (await ctx.tunnels()).rename(name!, newName!);
  ctx.out(`Renamed "${name}" to "${newName}"`);
};

function printStatuses(ctx: CliContext, statuses: TunnelStatus[]): void {
  if (ctx.json) {
    ctx.printJson(
      statuses.map((s) => ({
        name: s.name,
        interface: s.interface,
        state: s.state,
        rxBytes: s.rxBytes,
        txBytes: s.txBytes,
        latestHandshake: s.latestHandshake,
        endpoint: s.endpoint,
        error: s.error,
        detail: s.detail,
        netns: s.netns,
        peers: s.peers,
      })),
    );
    return;
  }
  if (!statuses.length)
    return ctx.out('No tunnels yet: import one with `overlay-connect tunnel import FILE`');
  const now = Date.now() / 1000;
  for (const s of statuses) {
    const parts = [`${s.name} (${s.interface}${s.netns ? ` in ${s.netns}` : ''}): ${s.state}`];
    if (s.rxBytes !== null) parts.push(`rx ${formatBytes(s.rxBytes)}, tx ${formatBytes(s.txBytes ?? 0)}`);
    if (s.latestHandshake) parts.push(`handshake ${formatAge(now - s.latestHandshake)} ago`);
    if (s.endpoint && s.state !== 'down') parts.push(`endpoint ${s.endpoint}`);
    if (s.detail) parts.push(s.detail);
    if (s.error) parts.push(s.error);
    ctx.out(parts.join(' — '));
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export const tunnelUp: CommandRun = async (ctx, [name]) => {
  const service = await ctx.tunnelService();
  const choice = await ctx.driverChoice();
  const status = await service.up(name!, { netns: ctx.netns });
  printStatuses(ctx, [status]);
  if (choice.hint) ctx.warn(choice.hint);
};

export const tunnelDown: CommandRun = async (ctx, [name]) => {
  const status = await (await ctx.tunnelService()).down(name!);
  printStatuses(ctx, [status]);
};

export const tunnelStatus: CommandRun = async (ctx, [name]) => {
  if (name) (await ctx.tunnels()).get(name);
  const statuses = await (await ctx.tunnelService()).refresh({ forceHandshakes: true });
  printStatuses(ctx, name ? statuses.filter((s) => s.name === name) : statuses);
};
