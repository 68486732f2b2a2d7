/**
 * Where `grid login` reads the mnemonic: a file, standard input (`-`), or a prompt that does not echo.
 * Never the command line: ps and the shell's history would show it.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import type { CliContext } from './context.js';
import { promptHidden } from './passphrase-prompt.js';

/** Twelve or twenty-four words need a few hundred bytes; more is not a mnemonic file. */
const MAX_BYTES = 4096;

export async function readMnemonic(ctx: CliContext, from: string | undefined): Promise<string> {
  let text: string;
  if (from === '-') text = await readStream(ctx.io.stdin);
  else if (from !== undefined) {
    try {
      text = readFileSync(from, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(
        `Cannot read ${from}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      );
    }
  } else if (ctx.io.stdin.isTTY) {
    text = await promptHidden(ctx.io.stdin, ctx.io.stderr, 'TFChain mnemonic (not shown): ');
  } else {
    throw new UserError(
      'grid login needs the mnemonic: --mnemonic-file FILE, --mnemonic-file - for standard input, or a terminal to type it in',
    );
  }
  if (text.length > MAX_BYTES) throw new UserError('That is not a mnemonic: it is too long');
  // One space between words, as the dashboard copies them; any line breaks or tabs are the file's.
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (!words.length) throw new UserError('The mnemonic is empty');
  return words.join(' ');
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > MAX_BYTES) break;
  }
  return text;
}
