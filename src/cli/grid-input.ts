/**
 * Where `grid login` reads the mnemonic: a file, standard input (`-`), or a prompt that does not echo.
 * Never the command line: ps and the shell's history would show it.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import type { CliContext } from './context.js';

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

/** Reads one line without echoing it (the same way as the store's passphrase prompt). */
function promptHidden(
  stdin: NodeJS.ReadStream,
  stderr: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError('Cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
