/**
 * GNOME Shell draws no tray icons: Electron's Tray speaks StatusNotifierItem over D-Bus, and only the
 * AppIndicator extension (gnome-shell-extension-appindicator; Ubuntu ships it on) hosts such items. Without
 * it the app is invisible once its window is closed, and an app started hidden at login cannot be found.
 * Whether a host is there is whether anyone owns org.kde.StatusNotifierWatcher on the session bus.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TRAY_WATCHER = 'org.kde.StatusNotifierWatcher';

export const GNOME_TRAY_NOTICE = {
  message: 'GNOME shows no tray icon for overlay-connect',
  detail:
    'GNOME Shell needs the AppIndicator extension to show tray icons. Install it (Debian, Ubuntu: ' +
    'sudo apt install gnome-shell-extension-appindicator; Fedora: sudo dnf install ' +
    'gnome-shell-extension-appindicator), enable it in Extensions, then log out and in. ' +
    'Until then the window stays open: closing it hides the app where you cannot reach it.',
};

/** True on GNOME Shell (XDG_CURRENT_DESKTOP is a colon list: "ubuntu:GNOME", "GNOME-Classic:GNOME"). */
export function onGnome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' && (env.XDG_CURRENT_DESKTOP ?? '').split(':').some((d) => /^GNOME/i.test(d));
}

/** Asks the session bus whether a tray host is there: true, false, or undefined when it cannot be asked
 * (no dbus-send, no session bus), which is not taken as "absent". A fixed command with fixed arguments. */
export function trayHostPresent(timeoutMs = 2000): Promise<boolean | undefined> {
  const dbusSend = ['/usr/bin/dbus-send', '/bin/dbus-send'].find((p) => existsSync(p));
  if (!dbusSend) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(
      dbusSend,
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        `string:${TRAY_WATCHER}`,
      ],
      { timeout: timeoutMs, env: process.env },
      (error, stdout) => {
        if (error) return resolve(undefined);
        const m = /boolean (true|false)/.exec(stdout);
        resolve(m ? m[1] === 'true' : undefined);
      },
    );
  });
}
