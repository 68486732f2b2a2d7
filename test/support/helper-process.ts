/** Starts `overlay-connect helper run` as root runs it (a real process, its own bundle), for tests and the
 * benchmark; resolves once it listens. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface HelperProcess {
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  stop(): void;
}

export async function startHelperProcess(o: {
  socket: string;
  group: string;
  netns: string;
  /** Default: the helper's own (a `tunnels` folder beside the socket). */
  runDir?: string;
  policy?: string;
  nodeFlags?: string[];
}): Promise<HelperProcess> {
  const args = [
    'helper',
    'run',
    '--socket',
    o.socket,
    '--group',
    o.group,
    '--netns',
    o.netns,
    ...(o.runDir ? ['--run-dir', o.runDir] : []),
    ...(o.policy ? ['--policy', o.policy] : []),
  ];
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), 'bin/overlay-connect.js', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d));
  const end = Date.now() + 15_000;
  while (!/listening on/.test(log)) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGTERM');
      throw new Error(`the helper did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, log: () => log, stop: () => void (child.exitCode === null && child.kill('SIGTERM')) };
}
