/**
 * Entry of the helper's own bundle (dist/helper.js). `bin/overlay-connect.js helper run …` starts this
 * instead of the whole CLI, so the process that stays root loads only the helper, the config parser and the
 * tunnel commands: no key store, no explorer client, no devnet.
 */
import { tokenize, UsageError, type OptionSpecs } from '../cli/args.js';
import { VERSION } from '../cli/version.js';
import { runHelperForeground } from './run-helper.js';

const OPTIONS: OptionSpecs = {
  socket: { type: 'string', description: 'socket path' },
  group: { type: 'string', description: 'group' },
  'run-dir': { type: 'string', description: 'run folder' },
  policy: { type: 'string', description: 'policy file' },
  netns: { type: 'string', description: 'network namespace' },
};

async function main(argv: string[]): Promise<number> {
  try {
    const { words, options } = tokenize(argv, OPTIONS);
    if (words.join(' ') !== 'helper run')
      throw new UsageError('usage: overlay-connect helper run [--socket PATH] [--group NAME] [--netns NAME]');
    const str = (k: string) => (typeof options[k] === 'string' ? (options[k] as string) : undefined);
    await runHelperForeground({
      socketPath: str('socket'),
      group: str('group'),
      runDir: str('run-dir'),
      policyPath: str('policy'),
      netns: str('netns'),
      version: VERSION,
      log: (l) => process.stderr.write(`helper: ${l}\n`),
    });
    return 0;
  } catch (e) {
    process.stderr.write(`overlay-connect: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
