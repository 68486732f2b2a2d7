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
];
