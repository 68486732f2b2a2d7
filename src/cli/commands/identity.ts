import { readFileSync } from 'node:fs';
import type { IdentityRecord } from '../../core/store/schema.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';

function print(ctx: CliContext, id: IdentityRecord, warning?: string): void {
  if (warning) ctx.warn(`warning: ${warning}`);
  if (ctx.json)
    return ctx.printJson({
      name: id.name,
      email: id.email,
      publicKey: id.publicKeyHex,
      tids: id.tids,
      tid: id.tids[ctx.networks.explorer(ctx.explorerUrl).base] ?? null,
    });
  ctx.out(`Name:       ${id.name}\nEmail:      ${id.email || '-'}\nPublic key: ${id.publicKeyHex}`);
  const tids = Object.entries(id.tids);
  ctx.out(
    tids.length
      ? tids.map(([url, tid]) => `Registered: id ${tid} at ${url}`).join('\n')
      : 'Registered: not yet',
  );
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
    summary: "Make an ed25519 identity (sealed in the key store) and register it in the explorer's phonebook",
    async run(ctx, _args, opts) {
      const r = await ctx.networks.createIdentity({
        name: opts.name as string | undefined,
        email: opts.email as string | undefined,
      });
      print(ctx, r.identity, r.warning);
    },
  },
  {
    path: ['identity', 'import'],
    args: [],
    options: {
      ...who,
      'seed-file': {
        type: 'string',
        value: 'FILE|-',
        required: true,
        description:
          'the 32-byte seed in hex, from a file or standard input (never the command line: ps and shell history show it)',
      },
    },
    summary: 'Use an existing identity from its 32-byte seed in hex, read from a file or standard input',
    async run(ctx, _args, opts) {
      const from = opts['seed-file'];
      if (typeof from !== 'string')
        throw new UsageError('identity import needs --seed-file FILE (or - for standard input)');
      const seed = (from === '-' ? await readAll(ctx.io.stdin) : readFileSync(from, 'utf8')).trim();
      const r = await ctx.networks.createIdentity({
        seedHex: seed,
        name: opts.name as string | undefined,
        email: opts.email as string | undefined,
      });
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

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}
