/**
 * "Start at login". Electron's login items exist on macOS and Windows only; on Linux the desktop's own
 * convention is an XDG autostart entry (~/.config/autostart/<app>.desktop), which GNOME, KDE and the
 * others read at login. Either way the app starts hidden in the tray and connects nothing by itself.
 * - Windows: the item is a Run key value, the executable and its args; `getLoginItemSettings` says
 *   `openAtLogin` only when asked with the same `path` and `args` it was registered with. In development
 *   the executable is electron.exe and the app path is an argument: both are registered.
 * - macOS: `path` and `args` are Windows-only (an app started at login gets no `--hidden`); the host asks
 *   `wasOpenedAtLogin` (macOS-only) instead.
 * - Linux: the entry names the command; for an AppImage that is `$APPIMAGE`, the .AppImage file, not
 *   `process.execPath`, which lives in its mount under /tmp (gone after a reboot).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writePrivateFile } from '../core/store/private-files.js';

interface LoginItemApp {
  getLoginItemSettings(o?: { path?: string; args?: string[] }): {
    openAtLogin: boolean;
    wasOpenedAtLogin?: boolean;
  };
  setLoginItemSettings(s: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

export const HIDDEN_FLAG = '--hidden';

/** How to start this app again, as an argv: an AppImage by its file, else the executable and, when not
 * packaged (electron with this app's folder), the app path. */
export function launchCommand(o: {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  execPath: string;
  isPackaged: boolean;
  appPath: string;
}): string[] {
  if (o.platform === 'linux' && o.env.APPIMAGE) return [o.env.APPIMAGE];
  return [o.execPath, ...(o.isPackaged ? [] : [o.appPath])];
}

/** Windows joins the args into the Run key's command line with spaces, as they are ("take care to wrap
 * paths in quotes"): an argument holding a space is quoted here, and asked back quoted the same way. */
function windowsItem(command: string[]): { path: string; args: string[] } {
  const args = [...command.slice(1), HIDDEN_FLAG].map((a) => (/\s/.test(a) ? `"${a}"` : a));
  return { path: command[0]!, args };
}

/** This run was started at login: `--hidden` (Windows and Linux put it there), or macOS saying so (it
 * passes no args to login items). */
export function startedAtLogin(
  app: LoginItemApp,
  argv: string[] = process.argv,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}

export function autostartPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart', 'overlay-connect.desktop');
}

/** Quoting of the Desktop Entry spec's Exec key: every argument in double quotes, with `"`, `` ` ``, `$`
 * and `\` escaped by a backslash (and `%` doubled, as field codes start with it). */
function execQuote(arg: string): string {
  if (/[\n\r]/.test(arg)) throw new Error('An Exec argument cannot hold a line break');
  return `"${arg.replace(/[\\"`$]/g, '\\$&').replace(/%/g, '%%')}"`;
}

export function desktopEntry(command: string[]): string {
  return `[Desktop Entry]\nType=Application\nName=overlay-connect\nComment=WireGuard overlay networks, in the tray\nExec=${command.map(execQuote).join(' ')}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n`;
}

/** `command` is how the item was registered (launchCommand). */
export function startsAtLogin(
  app: LoginItemApp,
  command: string[],
  platform: NodeJS.Platform = process.platform,
  path = autostartPath(),
): boolean {
  if (platform === 'linux') return existsSync(path);
  if (platform === 'win32') return app.getLoginItemSettings(windowsItem(command)).openAtLogin;
  return app.getLoginItemSettings().openAtLogin;
}

/** `command` is how to start this app (launchCommand; the last argument `--hidden` is added here). */
export function setStartAtLogin(
  app: LoginItemApp,
  enable: boolean,
  command: string[],
  platform: NodeJS.Platform = process.platform,
  path = autostartPath(),
): void {
  if (platform === 'win32') return app.setLoginItemSettings({ openAtLogin: enable, ...windowsItem(command) });
  if (platform !== 'linux') return app.setLoginItemSettings({ openAtLogin: enable });
  if (!enable) return rmSync(path, { force: true });
  mkdirSync(dirname(path), { recursive: true });
  writePrivateFile(path, desktopEntry([...command, HIDDEN_FLAG]));
}
