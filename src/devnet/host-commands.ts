/** Running the devnet's set-up commands: argument vectors only (no shell), failures with their stderr. */
import { spawnSync } from 'node:child_process';
import { USERSPACE_ENV } from '../core/tunnels/platform-adapters.js';

export interface Ran {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string): Ran {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, ...USERSPACE_ENV },
    timeout: 30_000,
  });
  return {
    ok: r.status === 0,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? r.error.message : ''),
  };
}

export function must(cmd: string, ...args: string[]): string {
  const r = run(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs a program inside a namespace. */
export function inNs(ns: string, cmd: string, args: string[], input?: string): Ran {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

export function mustInNs(ns: string, cmd: string, ...args: string[]): string {
  const r = inNs(ns, cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')} in ${ns}: ${r.stderr.trim()}`);
  return r.stdout;
}

export function namespaces(): string[] {
  return run('ip', ['netns', 'list'])
    .stdout.split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

/** Deletes every link of a namespace (each wireguard-go exits with its interface), then the namespace. */
export function deleteNamespace(ns: string): void {
  if (!namespaces().includes(ns)) return;
  const links = inNs(ns, 'ip', ['-o', 'link', 'show']).stdout;
  for (const m of links.matchAll(/^\d+: ([^:@]+)[:@]/gm))
    if (m[1] !== 'lo') inNs(ns, 'ip', ['link', 'del', m[1]!]);
  run('ip', ['netns', 'del', ns]);
}
