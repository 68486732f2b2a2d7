/**
 * Commands the tunnel service runs, as argument vectors. They are executed without a shell when we are
 * root; for elevation (sudo-prompt runs a *shell string*, `pkexec /bin/bash -c "…"`, expanding `$`, `` ` ``
 * and `\` twice) they are rendered by `toShellString`, which accepts only a small character set and quotes
 * every word. Nothing outside that set, whoever supplied it, reaches a shell.
 */

export interface CommandLine {
  /** Absolute path of the program. */
  file: string;
  args: string[];
  /** Extra environment, e.g. WG_QUICK_USERSPACE_IMPLEMENTATION. */
  env?: Record<string, string>;
}

/** Characters that mean nothing to sh/bash inside single quotes nested in double quotes. */
const SAFE_WORD = /^[A-Za-z0-9 _=+.,/:@%-]+$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export class UnsafeArgumentError extends Error {
  constructor(what: string) {
    super(
      `Refusing to pass ${JSON.stringify(what)} to an elevated shell: it contains characters that are not safe there`,
    );
    this.name = 'UnsafeArgumentError';
  }
}

export function isShellSafe(word: string): boolean {
  return SAFE_WORD.test(word);
}

function quote(word: string): string {
  if (!SAFE_WORD.test(word)) throw new UnsafeArgumentError(word);
  return `'${word}'`;
}

/** The one place a command becomes a shell string. Environment goes through /usr/bin/env so no shell
 * syntax is needed for it either. */
export function toShellString(cmd: CommandLine): string {
  if (!cmd.file.startsWith('/')) throw new UnsafeArgumentError(cmd.file);
  const env = Object.entries(cmd.env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new UnsafeArgumentError(k);
    return quote(`${k}=${v}`);
  });
  const words = env.length ? ['/usr/bin/env', ...env, quote(cmd.file)] : [quote(cmd.file)];
  return [...words, ...cmd.args.map(quote)].join(' ');
}

/**
 * Windows: sudo-prompt writes the command as one line of a .bat file that cmd runs elevated. Inside double
 * quotes cmd takes everything literally except `"` itself and `%` (variable expansion, even in quotes), and
 * a line break ends the command; `!` and `^` are refused as well in case delayed expansion is on. Paths
 * with backslashes, spaces and non-ASCII letters (user names) pass.
 */
const CMD_SAFE_WORD = /^[\p{L}\p{N} _=+.,:;@\\/'()&~#$[\]{}-]+$/u;

function quoteForCmd(word: string): string {
  if (!CMD_SAFE_WORD.test(word)) throw new UnsafeArgumentError(word);
  return `"${word}"`;
}

/** The one place a command becomes a cmd line (Windows elevation). No environment: nothing on Windows needs it. */
export function toCmdString(cmd: CommandLine): string {
  if (!/^[A-Za-z]:\\/.test(cmd.file)) throw new UnsafeArgumentError(cmd.file);
  if (cmd.env && Object.keys(cmd.env).length) throw new UnsafeArgumentError(Object.keys(cmd.env).join(' '));
  return [cmd.file, ...cmd.args].map(quoteForCmd).join(' ');
}

/** Wraps a command to run inside a Linux network namespace. */
export function inNetns(ipPath: string, netns: string | undefined, cmd: CommandLine): CommandLine {
  if (!netns) return cmd;
  return { file: ipPath, args: ['netns', 'exec', netns, cmd.file, ...cmd.args], env: cmd.env };
}

/** Namespace names reach commands, so they follow a rule as strict as interface names. */
export const NETNS_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
