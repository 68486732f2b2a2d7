/** Starts the helper in the foreground (`overlay-connect helper run`, and the packaged helper bundle). */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { ensurePrivateDir } from '../core/store/private-files.js';
import { NETNS_NAME } from '../core/tunnels/command-line.js';
import { linuxAdapter, macAdapter } from '../core/tunnels/platform-adapters.js';
import { directRunner, isRoot } from '../core/tunnels/runner.js';
import { findTools } from '../core/tunnels/tool-paths.js';
import { WgQuickDriver } from '../core/tunnels/wg-quick-driver.js';
import { defaultSocketPath, HELPER_GROUP, POLICY_PATH } from './protocol.js';
import { rootOnlyProblem } from './root-paths.js';
import { HelperServer } from './server.js';

export interface RunHelperOptions {
  socketPath?: string;
  group?: string;
  netns?: string;
  /** Where the records and the files wg-quick reads live (root-owned, 0700). */
  runDir?: string;
  policyPath?: string;
  version: string;
  log: (line: string) => void;
}

/** The group's id from /etc/group (root-owned), or an error naming what to do. */
export function groupId(name: string, groupFile = '/etc/group'): number {
  for (const line of readFileSync(groupFile, 'utf8').split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new UserError(
    `There is no group "${name}": create it (groupadd ${name}) or run \`overlay-connect helper install\``,
  );
}

export async function startHelper(o: RunHelperOptions): Promise<HelperServer> {
  if (!isRoot())
    throw new UserError(
      'The helper runs as root: start it with sudo, or install it (`overlay-connect helper install`)',
    );
  if (process.platform !== 'linux' && process.platform !== 'darwin')
    throw new UserError("The helper exists for Linux and macOS (Windows uses WireGuard's own service)");
  if (o.netns !== undefined && !NETNS_NAME.test(o.netns))
    throw new UserError(`"${o.netns}" is not a valid network namespace name`);
  const socketPath = o.socketPath ?? defaultSocketPath();
  const gid = groupId(o.group ?? HELPER_GROUP);
  const runDir = o.runDir ?? join(socketPath, '..', 'tunnels');
  // The socket's folder first, 0755: members must reach the socket in it. Made by the run folder's
  // recursive mkdir instead, it would be 0700 and every member would get EACCES.
  const socketDir = dirname(socketPath);
  if (!existsSync(socketDir)) {
    mkdirSync(socketDir, { recursive: true, mode: 0o755 });
    chmodSync(socketDir, 0o755);
  }
  ensurePrivateDir(runDir);
  const problem = rootOnlyProblem(runDir, 'dir');
  if (problem) throw new UserError(`${problem}: the helper keeps nothing where others can write`);
  const tools = findTools();
  const adapter = process.platform === 'darwin' ? macAdapter(tools) : linuxAdapter(tools);
  const driver = new WgQuickDriver({
    runDir,
    adapter,
    tools,
    runner: directRunner,
    queryRunner: directRunner,
  });
  const server = new HelperServer({
    socketPath,
    gid,
    netns: o.netns ?? null,
    policyPath: o.policyPath ?? POLICY_PATH,
    driver,
    version: o.version,
    log: o.log,
  });
  await server.listen();
  return server;
}

/** `helper run`: serves until SIGINT or SIGTERM. Tunnels stay up: a helper that stops is not a request
 * to disconnect, and the next one adopts them. */
export async function runHelperForeground(o: RunHelperOptions): Promise<void> {
  const server = await startHelper(o);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
}
