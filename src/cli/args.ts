/**
 * A small argv parser for `overlay-connect <command…> [args] [options]`: global options may stand before
 * or after the command; each command declares its own options and positionals. Mistakes are `UsageError`
 * (exit 2).
 */

export type OptionSpec = {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  value?: string;
  required?: boolean;
};
export type OptionSpecs = Record<string, OptionSpec>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  words: string[];
  options: Record<string, string | boolean>;
}

/** Splits argv into words and options using every option any command knows (so values are not taken for
 * words); which options a command accepts is checked once the command is known. */
export function tokenize(argv: readonly string[], known: OptionSpecs): ParsedArgs {
  const words: string[] = [];
  const options: Record<string, string | boolean> = {};
  const byShort = new Map(
    Object.entries(known)
      .filter(([, s]) => s.short)
      .map(([n, s]) => [s.short!, n]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError(`Unknown option ${arg}`);
    } else {
      words.push(arg);
      continue;
    }
    const spec = known[name];
    if (!spec) throw new UsageError(`Unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    }
  }
  return { words, options };
}
