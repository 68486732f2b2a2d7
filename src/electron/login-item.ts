/**
 * "Start at login". Electron's login items exist on macOS and Windows only; on Linux the desktop's own
 * convention is an XDG autostart entry (~/.config/autostart/<app>.desktop), which GNOME, KDE and the
 * others read at login. Either way the app starts hidden in the tray and connects nothing by itself.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writePrivateFile } from '../core/store/private-files.js';

interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(s: { openAtLogin: boolean; args?: string[] }): void;
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

export function startsAtLogin(
  app: LoginItemApp,
  platform: NodeJS.Platform = process.platform,
  path = autostartPath(),
): boolean {
  return platform === 'linux' ? existsSync(path) : app.getLoginItemSettings().openAtLogin;
}

/** `command` is how to start this app (the last argument `--hidden` is added here). */
export function setStartAtLogin(
  app: LoginItemApp,
  enable: boolean,
  command: string[],
  platform: NodeJS.Platform = process.platform,
  path = autostartPath(),
): void {
  if (platform !== 'linux') return app.setLoginItemSettings({ openAtLogin: enable, args: ['--hidden'] });
  if (!enable) return rmSync(path, { force: true });
  mkdirSync(dirname(path), { recursive: true });
  writePrivateFile(path, desktopEntry([...command, '--hidden']));
}
