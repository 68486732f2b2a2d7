/** `overlay-connect helper …`: run, install, uninstall and look at the privileged helper. */
import * as sudo from 'sudo-prompt';
import { isRoot } from '../../core/tunnels/runner.js';
import { HelperClient } from '../../helper/client.js';
import { helperStatus, installHelper, uninstallHelper } from '../../helper/install.js';
import { defaultSocketPath, HELPER_GROUP } from '../../helper/protocol.js';
import { runHelperForeground } from '../../helper/run-helper.js';
import type { Command } from '../command.js';
import { VERSION } from '../version.js';

/** Root runs the helper (and the elevated install) with this Node.js: only root may be able to change it. */
const NODE_OPTION = {
  type: 'string',
  value: 'PATH',
  description:
    'the Node.js root runs the helper with, owned by root like every folder above it (default: this one; e.g. /usr/bin/node)',
} as const;

export const helperCommands: Command[] = [
  {
    path: ['helper', 'run'],
    args: [],
    options: {
      socket: {
        type: 'string',
        value: 'PATH',
        description: `the socket to listen on (default ${defaultSocketPath()})`,
      },
      group: {
        type: 'string',
        value: 'NAME',
        description: `the group whose members may use it (default ${HELPER_GROUP}); every member can bring tunnels up as root, so give it a group of its own, never a shared one such as a primary group others share`,
      },
      'run-dir': {
        type: 'string',
        value: 'DIR',
        description: 'root-owned folder for the files wg-quick reads (default: tunnels/ beside the socket)',
      },
      policy: {
        type: 'string',
        value: 'FILE',
        description: 'the root-owned policy file (default /etc/overlay-connect/helper.json)',
      },
    },
    summary:
      'Run the privileged helper in the foreground (root; where there is no systemd). --netns puts every tunnel in that namespace',
    async run(ctx, _args, opts) {
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
    },
  },
  {
    path: ['helper', 'status'],
    args: [],
    summary: 'Whether the helper is installed and reachable, and what to do next',
    async run(ctx) {
      const path = ctx.helperPath ?? defaultSocketPath();
      const s = await helperStatus(path, (p) => HelperClient.connect(p));
      if (ctx.json) return ctx.printJson(s);
      ctx.out(
        `Helper: ${s.installed ? 'installed' : 'not installed'}; ${s.reachable ? `reachable at ${path} (version ${s.version})` : `not reachable at ${path}`}`,
      );
      if (s.next) ctx.out(s.next);
      return s.reachable ? 0 : 1;
    },
  },
  {
    path: ['helper', 'install'],
    args: [],
    summary:
      'Install the helper (asks for administrator rights once): the group, your membership, a systemd or launchd service',
    options: {
      user: { type: 'string', value: 'NAME', description: 'as root: the user to add to the group' },
      node: NODE_OPTION,
    },
    async run(ctx, _args, opts) {
      const lines = await installHelper({
        user: typeof opts.user === 'string' ? opts.user : undefined,
        elevate: sudo.exec,
        root: isRoot(),
        binPath: process.argv[1]!,
        node: typeof opts.node === 'string' ? opts.node : undefined,
      });
      for (const l of lines) ctx.out(l);
    },
  },
  {
    path: ['helper', 'uninstall'],
    args: [],
    summary:
      "Remove the helper's service and group (asks for administrator rights once); tunnels that are up stay up",
    options: { node: NODE_OPTION },
    async run(ctx, _args, opts) {
      const lines = await uninstallHelper({
        elevate: sudo.exec,
        root: isRoot(),
        binPath: process.argv[1]!,
        node: typeof opts.node === 'string' ? opts.node : undefined,
      });
      for (const l of lines) ctx.out(l);
    },
  },
];
