/**
 * Where the CLI gets passphrases: OVERLAY_CONNECT_PASSPHRASE (the store's), OVERLAY_CONNECT_NEW_PASSPHRASE
 * (a new slot's, for `keys add-slot`), or a prompt on the terminal.
 */
import { UserError } from '../core/errors.js';
import type { PassphraseSource } from '../core/store/passphrase-slot.js';

export const PASSPHRASE_ENV = 'OVERLAY_CONNECT_PASSPHRASE';
export const NEW_PASSPHRASE_ENV = 'OVERLAY_CONNECT_NEW_PASSPHRASE';

export function cliPassphraseSource(
  env: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadStream,
  stderr: NodeJS.WritableStream,
): PassphraseSource {
  return async ({ confirm, purpose }) => {
    // A new slot needs a passphrase of its own: the store's would only repeat the slot it already has.
    const variable = purpose === 'add' ? NEW_PASSPHRASE_ENV : PASSPHRASE_ENV;
    const fromEnv = env[variable];
    if (fromEnv) return fromEnv;
    if (!stdin.isTTY) {
      throw new UserError(
        purpose === 'add'
          ? `The new slot needs a passphrase: set ${NEW_PASSPHRASE_ENV} or run in a terminal`
          : `A passphrase is needed for the key store: set ${PASSPHRASE_ENV} or run in a terminal`,
      );
    }
    const first = await promptHidden(
      stdin,
      stderr,
      purpose === 'add'
        ? 'Passphrase for the new slot: '
        : confirm
          ? 'New passphrase for the key store: '
          : 'Passphrase for the key store: ',
    );
    if (!first) throw new UserError('The passphrase cannot be empty');
    if (confirm && (await promptHidden(stdin, stderr, 'Repeat it: ')) !== first)
      throw new UserError('The passphrases differ');
    return first;
  };
}

/** Reads one line without echoing it (also the grid login's mnemonic prompt). */
export function promptHidden(
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
