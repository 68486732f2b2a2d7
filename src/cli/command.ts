import type { OptionSpecs } from './args.js';
import type { CliContext } from './context.js';

/** What a command does: resolves to the exit code (0 when nothing is returned). */
export type CommandRun = (
  ctx: CliContext,
  args: string[],
  options: Record<string, string | boolean>,
) => Promise<number | void>;

/** A command as the dispatcher and --help know it: everything but its code, which `load` imports. The
 * implementations (and the libraries they need: the store, crypto, soon @polkadot) are loaded only when
 * their command runs, so that `--help` or a listing does not pay for all of them. */
export interface Command {
  /** The words that name it, e.g. ['tunnel', 'import']. */
  path: string[];
  /** Positional arguments; a trailing '?' marks one optional. */
  args: string[];
  options?: OptionSpecs;
  summary: string;
  /** Internal (the devnet's background processes): left out of --help. */
  hidden?: boolean;
  /** Imports the command's module (a chunk of its own in the bundle) and returns its code. */
  load(): Promise<CommandRun>;
}
