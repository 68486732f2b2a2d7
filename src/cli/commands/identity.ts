import { readFileSync } from 'node:fs';
import type { IdentityRecord } from '../../core/store/schema.js';
import { UsageError } from '../args.js';
import type { CommandRun } from '../command.js';
import type { CliContext } from '../context.js';

async function print(ctx: CliContext, id: IdentityRecord, warning?: string): Promise<void> {
  if (warning) ctx.warn(`warning: ${warning}`);
  if (ctx.json)
    return ctx.printJson({
      name: id.name,
      email: id.email,
      publicKey: id.publicKeyHex,
      tids: id.tids,
      tid: id.tids[(await ctx.networks()).explorer(await ctx.explorerUrl()).base] ?? null,
    });
  ctx.out(`Name:       ${id.name}\nEmail:      ${id.email || '-'}\nPublic key: ${id.publicKeyHex}`);
  const tids = Object.entries(id.tids);
  ctx.out(
    tids.length
      ? tids.map(([url, tid]) => `Registered: id ${tid} at ${url}`).join('\n')
      : 'Registered: not yet',
  );
}

export const identityCreate: CommandRun = async (ctx, _args, opts) => {
  const r = await (
    await ctx.networks()
  ).createIdentity({
    name: opts.name as string | undefined,
    email: opts.email as string | undefined,
  });
  await print(ctx, r.identity, r.warning);
};

export const identityImport: CommandRun = async (ctx, _args, opts) => {
  const from = opts['seed-file'];
  if (typeof from !== 'string')
    throw new UsageError('identity import needs --seed-file FILE (or - for standard input)');
  const seed = (from === '-' ? await readAll(ctx.io.stdin) : readFileSync(from, 'utf8')).trim();
  const r = await (
    await ctx.networks()
  ).createIdentity({
    seedHex: seed,
    name: opts.name as string | undefined,
    email: opts.email as string | undefined,
  });
  await print(ctx, r.identity, r.warning);
};

export const identityShow: CommandRun = async (ctx) => {
  await print(ctx, (await ctx.networks()).identity());
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}
