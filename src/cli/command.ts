import type { OptionSpecs } from './args.js';
import type { CliContext } from './context.js';

export interface Command {
  /** The words that name it, e.g. ['tunnel', 'import']. */
  path: string[];
  /** Positional arguments; a trailing '?' marks one optional. */
  args: string[];
  options?: OptionSpecs;
  summary: string;
  /** Internal (the devnet's background processes): left out of --help. */
  hidden?: boolean;
  /** Resolves to the exit code (0 when nothing is returned). */
  run(ctx: CliContext, args: string[], options: Record<string, string | boolean>): Promise<number | void>;
}
