/**
 * `overlay-connect` command line. Exit codes: 0 success, 1 a user error (one line on stderr, no stack),
 * 2 usage.
 */
import { UserError } from '../core/errors.js';
import { tokenize, UsageError, type OptionSpecs } from './args.js';
import type { Command } from './command.js';
import { COMMANDS } from './command-table.js';
import { CliContext, type CliIO } from './context.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

export const GLOBAL_OPTIONS: OptionSpecs = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    description: "where the store lives (default: the platform's user-data folder)",
  },
  json: { type: 'boolean', description: 'machine-readable output' },
  explorer: {
    type: 'string',
    value: 'URL',
    description: 'the grid explorer (default: the saved setting, which `devnet up` sets)',
  },
  'allow-http-explorer': {
    type: 'boolean',
    description:
      'accept a plain http explorer that is not on this machine (its answers can be changed on the way)',
  },
  netns: {
    type: 'string',
    value: 'NAME',
    description: 'Linux: run wg-quick, wg and ip inside this network namespace (root)',
  },
  helper: {
    type: 'string',
    value: 'PATH',
    description:
      "the privileged helper's socket (default: /run/overlay-connect/helper.sock, or OVERLAY_CONNECT_HELPER)",
  },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', description: 'print the version' },
};

export { COMMANDS } from './command-table.js';

function usageOf(c: Command): string {
  const opts = Object.entries(c.options ?? {}).map(([n, s]) => {
    const word = `${s.short ? `-${s.short}` : `--${n}`}${s.value ? ` ${s.value}` : ''}`;
    return s.required ? word : `[${word}]`;
  });
  return [
    'overlay-connect',
    ...c.path,
    ...c.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : a)),
    ...opts,
  ].join(' ');
}

export function helpText(): string {
  const lines = ['Usage: overlay-connect <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS.filter((x) => !x.hidden))
    lines.push(`  ${usageOf(c).replace('overlay-connect ', '')}`, `      ${c.summary}`);
  lines.push('', 'Global options (before or after the command):');
  for (const [n, s] of Object.entries(GLOBAL_OPTIONS))
    lines.push(`  --${n}${s.value ? ` ${s.value}` : ''}  ${s.description}`);
  lines.push('', 'Exit codes: 0 success, 1 error, 2 usage.');
  return lines.join('\n') + '\n';
}

function findCommand(words: string[]): Command | undefined {
  return COMMANDS.filter((c) => c.path.every((w, i) => words[i] === w)).sort(
    (a, b) => b.path.length - a.path.length,
  )[0];
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const allOptions: OptionSpecs = { ...GLOBAL_OPTIONS };
    for (const c of COMMANDS) Object.assign(allOptions, c.options);
    const { words, options } = tokenize(argv, allOptions);
    if (options.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (options.help || words.length === 0 || words[0] === 'help') {
      io.stdout.write(helpText());
      return words.length === 0 && !options.help ? 2 : 0;
    }
    const command = findCommand(words);
    if (!command) throw new UsageError(`Unknown command "${words.slice(0, 2).join(' ')}"`);
    for (const name of Object.keys(options)) {
      if (!(name in GLOBAL_OPTIONS) && !(name in (command.options ?? {}))) {
        throw new UsageError(`--${name} does not apply to "${command.path.join(' ')}"`);
      }
    }
    const args = words.slice(command.path.length);
    const required = command.args.filter((a) => !a.endsWith('?')).length;
    if (args.length < required || args.length > command.args.length) {
      throw new UsageError(`usage: ${usageOf(command)}`);
    }
    const ctx = new CliContext(io, options);
    const run = await command.load();
    const code = await run(ctx, args, options);
    return code ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`overlay-connect: ${e.message}\nRun "overlay-connect --help" for the commands.\n`);
      return 2;
    }
    if (e instanceof UserError) {
      io.stderr.write(`overlay-connect: ${oneLine(e.message)}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (io.env.OVERLAY_CONNECT_DEBUG) io.stderr.write(`${err.stack}\n`);
    const hint = err.code === 'EACCES' || err.code === 'EPERM' ? ' (permission denied)' : '';
    io.stderr.write(`overlay-connect: ${oneLine(err.message ?? String(e))}${hint}\n`);
    return 1;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ');
}
