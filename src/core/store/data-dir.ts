/** The platform's user-data folder for the app: the same one Electron's app.getPath('userData') returns, so
 * the CLI and the desktop app share one store. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'overlay-connect';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}
