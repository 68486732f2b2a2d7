import { UserError } from '../../core/errors.js';
import { generateKeyPair } from '../../core/wgconf/keys.js';
import type { CommandRun } from '../command.js';

export const keysGenerate: CommandRun = async (ctx) => {
  const pair = generateKeyPair();
  if (ctx.json) ctx.printJson(pair);
  else ctx.out(`PrivateKey = ${pair.privateKey}\nPublicKey = ${pair.publicKey}`);
};

export const keysSlots: CommandRun = async (ctx) => {
  const slots = (await ctx.keyring()).slots();
  if (ctx.json) return ctx.printJson(slots);
  if (!slots.length) return ctx.out('No key store yet: it is made with the first key sealed');
  for (const s of slots) ctx.out(`${s.id}  ${s.label}${s.createdAt ? `  added ${s.createdAt}` : ''}`);
};

export const keysAddSlot: CommandRun = async (ctx, [kind]) => {
  if (kind === 'system')
    throw new UserError(
      'The system keyring is reached by the desktop app: it adds that slot when you unlock the store in its window',
    );
  if (kind !== 'passphrase') throw new UserError('KIND is "passphrase" (or "system", from the app)');
  const slot = await (await ctx.keyring()).addSlot(await ctx.passphraseSlot());
  ctx.out(`Added slot ${slot.id}: ${slot.label}`);
};

export const keysRemoveSlot: CommandRun = async (ctx, [id]) => {
  await (await ctx.keyring()).removeSlot(id!);
  ctx.out(`Removed slot ${id}`);
};
