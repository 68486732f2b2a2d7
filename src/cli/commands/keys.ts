import { UserError } from '../../core/errors.js';
import { generateKeyPair } from '../../core/wgconf/keys.js';
import type { Command } from '../command.js';

export const keyCommands: Command[] = [
  {
    path: ['keys', 'generate'],
    args: [],
    summary: 'Print a new WireGuard key pair (the same form as wg genkey / wg pubkey)',
    async run(ctx) {
      const pair = generateKeyPair();
      if (ctx.json) ctx.printJson(pair);
      else ctx.out(`PrivateKey = ${pair.privateKey}\nPublicKey = ${pair.publicKey}`);
    },
  },
  {
    path: ['keys', 'slots'],
    args: [],
    summary: "List the key store's slots: each opens the same data key (a passphrase, the system keyring)",
    async run(ctx) {
      const slots = ctx.keyring.slots();
      if (ctx.json) return ctx.printJson(slots);
      if (!slots.length) return ctx.out('No key store yet: it is made with the first key sealed');
      for (const s of slots) ctx.out(`${s.id}  ${s.label}${s.createdAt ? `  added ${s.createdAt}` : ''}`);
    },
  },
  {
    path: ['keys', 'add-slot'],
    args: ['KIND'],
    summary:
      'Add a passphrase slot (asks for the store passphrase, then the new one; or OVERLAY_CONNECT_NEW_PASSPHRASE)',
    async run(ctx, [kind]) {
      if (kind === 'system')
        throw new UserError(
          'The system keyring is reached by the desktop app: it adds that slot when you unlock the store in its window',
        );
      if (kind !== 'passphrase') throw new UserError('KIND is "passphrase" (or "system", from the app)');
      const slot = await ctx.keyring.addSlot(ctx.passphraseSlot());
      ctx.out(`Added slot ${slot.id}: ${slot.label}`);
    },
  },
  {
    path: ['keys', 'remove-slot'],
    args: ['ID'],
    summary: 'Remove a slot (after unlocking; never the last one). The sealed keys are not touched',
    async run(ctx, [id]) {
      await ctx.keyring.removeSlot(id!);
      ctx.out(`Removed slot ${id}`);
    },
  },
];
