import type { IdentityRecord } from '../../core/store/schema.js';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';

function print(ctx: CliContext, id: IdentityRecord, warning?: string): void {
  if (warning) ctx.warn(`warning: ${warning}`);
  if (ctx.json) return ctx.printJson({ name: id.name, email: id.email, publicKey: id.publicKeyHex, tids: id.tids, tid: id.tids[ctx.networks.explorer(ctx.explorerUrl).base] ?? null });
  ctx.out(`Name:       ${id.name}\nEmail:      ${id.email || '-'}\nPublic key: ${id.publicKeyHex}`);
  const tids = Object.entries(id.tids);
  ctx.out(tids.length ? tids.map(([url, tid]) => `Registered: id ${tid} at ${url}`).join('\n') : 'Registered: not yet');
}

const who = {
  name: { type: 'string', value: 'NAME', description: 'phonebook name (lower case, at least 3 characters)' },
  email: { type: 'string', value: 'EMAIL', description: 'phonebook email' },
} as const;

export const identityCommands: Command[] = [
  {
    path: ['identity', 'create'],
    args: [],
    options: who,
    summary: 'Make an ed25519 identity (sealed in the key store) and register it in the explorer\'s phonebook',
    async run(ctx, _args, opts) {
      const r = await ctx.networks.createIdentity({ name: opts.name as string | undefined, email: opts.email as string | undefined });
      print(ctx, r.identity, r.warning);
    },
  },
  {
    path: ['identity', 'import'],
    args: ['SEED_HEX'],
    options: who,
    summary: 'Use an existing identity from its 32-byte seed in hex',
    async run(ctx, [seed], opts) {
      const r = await ctx.networks.createIdentity({ seedHex: seed, name: opts.name as string | undefined, email: opts.email as string | undefined });
      print(ctx, r.identity, r.warning);
    },
  },
  {
    path: ['identity', 'show'],
    args: [],
    summary: 'Show the identity (never its seed)',
    async run(ctx) {
      print(ctx, ctx.networks.identity());
    },
  },
];
