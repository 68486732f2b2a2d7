import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeApp } from '../../app/compose.js';
import { UserError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFile } from '../../core/store/private-files.js';
import { openFile, writeLauncher, type Launcher } from '../../web/open-browser.js';
import { UiServer } from '../../web/ui-server.js';
import type { CommandRun } from '../command.js';

export const ui: CommandRun = async (ctx, _args, opts) => {
  const port = typeof opts.port === 'string' ? Number(opts.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError('--port takes a port number');
  const driver = await ctx.driver();
  // Unlock now, in the terminal: the browser must never be asked for (or sent) the passphrase.
  const exportsDir = join(ctx.dataDir, 'exports');
  const app = composeApp({
    store: await ctx.store(),
    slots: [await ctx.passphraseSlot()],
    driver,
    explorer: typeof ctx.options.explorer === 'string' ? ctx.options.explorer : undefined,
    netns: ctx.netns,
    env: ctx.io.env,
    async exportConfig(name, text) {
      ensurePrivateDir(exportsDir);
      const path = join(exportsDir, `${name.replace(/[^A-Za-z0-9_.=+-]+/g, '-')}.conf`);
      writePrivateFile(path, text);
      return { path };
    },
  });
  await app.unlock();
  await app.tunnelService.refresh();
  app.tunnelService.startPolling(1000);
  // dist/renderer: beside the one-file CLI (dist/cli.js), one folder up from the split CLI's chunks
  // (dist/cli/), which is where this code runs from.
  const here = dirname(fileURLToPath(import.meta.url));
  const rendererDir = join(basename(here) === 'cli' ? dirname(here) : here, 'renderer');
  let launcher: Launcher | undefined;
  const dropLauncher = () => launcher?.remove();
  const server = new UiServer({
    handlers: app.handlers,
    onEvent: app.onEvent,
    rendererDir,
    port,
    // The browser came through the file (or the printed address was used): it is not needed any more.
    onToken: dropLauncher,
  });
  const url = await server.listen();
  // The terminal shows the address (its output is no command line); the opener gets only the file.
  ctx.out(`overlay-connect UI: ${url}`);
  if (opts.open === true) {
    launcher = writeLauncher(url);
    process.once('exit', dropLauncher);
    // A browser that has not read it within two minutes is not coming: the printed address remains.
    setTimeout(dropLauncher, 120_000).unref();
    openFile(launcher.path);
  }
  const { hint } = await ctx.driverChoice();
  if (hint) ctx.warn(hint);
  ctx.out('Open it in a browser on this machine; the token in the address is the key. Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  dropLauncher();
  app.tunnelService.stopPolling();
  await server.close();
};
