/**
 * Throwaway network namespaces for tests that run real WireGuard. Everything created is registered and
 * removed in `destroy()`, which tests call from afterAll, and on process exit as a last resort.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findExecutable } from '../../src/core/wgconf/check.js';

export const USERSPACE_ENV = {
  WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go',
  WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1',
};

/** Why real-WireGuard tests cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need root; CI runs as root)';
  for (const tool of ['ip', 'wg', 'wg-quick', 'wireguard-go']) {
    if (!findExecutable(tool))
      return `\`${tool}\` not found (apt-get install --no-install-recommends wireguard-tools wireguard-go iproute2)`;
  }
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun missing (wireguard-go needs TUN)';
  return undefined;
}

const live = new Set<Netns>();
process.on('exit', () => {
  for (const ns of live) ns.destroy();
});

let counter = 0;

export class Netns {
  readonly name: string;

  constructor(prefix: string) {
    this.name = `oct-${prefix}-${process.pid}-${counter++}`;
    execFileSync('ip', ['netns', 'add', this.name]);
    live.add(this);
    this.ip('link', 'set', 'lo', 'up');
  }

  /** Runs a program inside the namespace; never throws, the caller reads the status. */
  run(
    cmd: string,
    args: string[],
    options: { input?: string; env?: Record<string, string> } = {},
  ): SpawnSyncReturns<string> {
    return spawnSync('ip', ['netns', 'exec', this.name, cmd, ...args], {
      encoding: 'utf8',
      input: options.input,
      env: { ...process.env, ...USERSPACE_ENV, ...options.env },
      timeout: 30_000,
    });
  }

  /** Runs and throws with stderr on failure: for set-up steps that must work. */
  must(cmd: string, ...args: string[]): string {
    const r = this.run(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${this.name}: ${r.stderr || r.error}`);
    return r.stdout;
  }

  ip(...args: string[]): string {
    return this.must('ip', ...args);
  }

  /** Deletes every link (so each wireguard-go exits with its interface), then the namespace. */
  destroy(): void {
    if (!live.has(this)) return;
    live.delete(this);
    const links =
      spawnSync('ip', ['netns', 'exec', this.name, 'ip', '-o', 'link', 'show'], { encoding: 'utf8' })
        .stdout ?? '';
    for (const m of links.matchAll(/^\d+: ([^:@]+)[:@]/gm)) {
      if (m[1] !== 'lo') spawnSync('ip', ['netns', 'exec', this.name, 'ip', 'link', 'del', m[1]!]);
    }
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

/** Pids of wireguard-go processes serving `iface` (found by their command line). */
export function wireguardGoPids(iface: string): number[] {
  const r = spawnSync('pgrep', ['-f', `^wireguard-go ${iface}$`], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
}

/** Joins two namespaces with a veth pair and gives each end its addresses (documentation ranges only). */
export function linkPair(
  a: Netns,
  b: Netns,
  addrsA: string[],
  addrsB: string[],
  tag = `${process.pid % 1e5}`,
): void {
  const ea = `va${tag}`;
  const eb = `vb${tag}`;
  execFileSync('ip', [
    'link',
    'add',
    ea,
    'netns',
    a.name,
    'type',
    'veth',
    'peer',
    'name',
    eb,
    'netns',
    b.name,
  ]);
  for (const addr of addrsA)
    a.ip('address', 'add', addr, 'dev', ea, ...(addr.includes(':') ? ['nodad'] : []));
  for (const addr of addrsB)
    b.ip('address', 'add', addr, 'dev', eb, ...(addr.includes(':') ? ['nodad'] : []));
  a.ip('link', 'set', ea, 'up');
  b.ip('link', 'set', eb, 'up');
}
