/** `overlay-connect helper …`: run, install, uninstall and look at the privileged helper. */
import * as sudo from 'sudo-prompt';
import { isRoot } from '../../core/tunnels/runner.js';
import { HelperClient } from '../../helper/client.js';
import { helperStatus as readHelperStatus, installHelper, uninstallHelper } from '../../helper/install.js';
import { defaultSocketPath } from '../../helper/protocol.js';
import { runHelperForeground } from '../../helper/run-helper.js';
import type { CommandRun } from '../command.js';
import { VERSION } from '../version.js';

export const helperRun: CommandRun = async (ctx, _args, opts) => {
  // bin/overlay-connect.js starts the helper's own bundle for this command; this is the same code when
  // the CLI is called in-process.
  await runHelperForeground({
    socketPath: typeof opts.socket === 'string' ? opts.socket : undefined,
    group: typeof opts.group === 'string' ? opts.group : undefined,
    runDir: typeof opts['run-dir'] === 'string' ? opts['run-dir'] : undefined,
    policyPath: typeof opts.policy === 'string' ? opts.policy : undefined,
    netns: ctx.netns,
    version: VERSION,
    log: (line) => ctx.warn(`helper: ${line}`),
  });
};

export const helperStatus: CommandRun = async (ctx) => {
  const path = ctx.helperPath ?? defaultSocketPath();
  const s = await readHelperStatus(path, (p) => HelperClient.connect(p));
  if (ctx.json) return ctx.printJson(s);
  ctx.out(
    `Helper: ${s.installed ? 'installed' : 'not installed'}; ${s.reachable ? `reachable at ${path} (version ${s.version})` : `not reachable at ${path}`}`,
  );
  if (s.next) ctx.out(s.next);
  return s.reachable ? 0 : 1;
};

export const helperInstall: CommandRun = async (ctx, _args, opts) => {
  const lines = await installHelper({
    user: typeof opts.user === 'string' ? opts.user : undefined,
    elevate: sudo.exec,
    root: isRoot(),
    binPath: process.argv[1]!,
    node: typeof opts.node === 'string' ? opts.node : undefined,
  });
  for (const l of lines) ctx.out(l);
};

export const helperUninstall: CommandRun = async (ctx, _args, opts) => {
  const lines = await uninstallHelper({
    elevate: sudo.exec,
    root: isRoot(),
    binPath: process.argv[1]!,
    node: typeof opts.node === 'string' ? opts.node : undefined,
  });
  for (const l of lines) ctx.out(l);
};
