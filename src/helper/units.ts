/**
 * What `helper install` and the deb/rpm scripts put on a machine: a systemd socket + service (Linux) or a
 * launchd daemon (macOS). Pure text builders, so the exact files are tested. The program path and its
 * arguments come from the installer (our own executable), never from a client.
 */
import { defaultSocketPath, HELPER_GROUP } from './protocol.js';

export const SYSTEMD_DIR = '/etc/systemd/system';
export const SOCKET_UNIT = 'overlay-connect-helper.socket';
export const SERVICE_UNIT = 'overlay-connect-helper.service';
export const LAUNCHD_LABEL = 'org.overlay-connect.helper';
export const LAUNCHD_PLIST = `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`;
/** Where electron-builder's deb and rpm put the app's binary (/opt/<productName>/<executableName>). */
export const PACKAGED_BINARY = '/opt/overlay-connect/overlay-connect';

/** systemd quotes: each argument in double quotes, with `\`, `"`, `$` and `%` escaped (systemd.service(5)). */
function systemdQuote(arg: string): string {
  if (/[\n\r]/.test(arg)) throw new Error('A unit argument cannot hold a line break');
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

export function systemdSocketUnit(socketPath = defaultSocketPath('linux'), group = HELPER_GROUP): string {
  return `[Unit]
Description=overlay-connect privileged helper (socket)

[Socket]
ListenStream=${socketPath}
SocketUser=root
SocketGroup=${group}
SocketMode=0660
DirectoryMode=0755
RemoveOnStop=yes

[Install]
WantedBy=sockets.target
`;
}

/** `command` is the helper's argv: our executable and `helper run` (or the app binary's helper mode). */
export function systemdServiceUnit(command: string[]): string {
  return `[Unit]
Description=overlay-connect privileged helper
Requires=${SOCKET_UNIT}
After=${SOCKET_UNIT} network.target

[Service]
Type=simple
ExecStart=${command.map(systemdQuote).join(' ')}
Restart=on-failure
# The tunnels' wireguard-go processes are started from here; stopping or restarting the helper must not
# take them down (a restarted helper adopts them).
KillMode=process
RuntimeDirectory=overlay-connect
RuntimeDirectoryPreserve=yes
`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function launchdPlist(command: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${command.map((a) => `    <string>${xml(a)}</string>`).join('\n')}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>AbandonProcessGroup</key>
  <true/>
  <key>StandardErrorPath</key>
  <string>/var/log/overlay-connect-helper.log</string>
</dict>
</plist>
`;
}

/** The postinst's group step: the group in /etc/group is used, or made; one that only a directory (LDAP,
 * NIS) knows is refused, since who is in it is decided off this machine and every member reaches root's
 * helper. OC_TEST_GROUP_FILE exists for the tests only (test/helper/units.test.ts). */
export function packageGroupStep(): string {
  return `if ! grep -q '^${HELPER_GROUP}:' "\${OC_TEST_GROUP_FILE:-/etc/group}"; then
  if getent group ${HELPER_GROUP} >/dev/null; then
    echo "overlay-connect: a group ${HELPER_GROUP} exists but not in /etc/group (it comes from LDAP, NIS or another directory); its members would all reach the helper, which runs as root. Remove or rename that group, then reinstall." >&2
    exit 1
  fi
  groupadd --system ${HELPER_GROUP}
fi
`;
}

/** deb/rpm maintainer scripts (electron-builder's afterInstall / afterRemove). The packaged app runs the
 * helper from its own binary in helper mode. */
export function packageAfterInstall(appBinary: string): string {
  return `#!/bin/sh
# overlay-connect: install the privileged helper (a systemd socket + service) and its group.
set -e
${packageGroupStep()}cat > ${SYSTEMD_DIR}/${SOCKET_UNIT} <<'UNIT'
${systemdSocketUnit().trimEnd()}
UNIT
cat > ${SYSTEMD_DIR}/${SERVICE_UNIT} <<'UNIT'
${systemdServiceUnit([appBinary, '--overlay-connect-helper']).trimEnd()}
UNIT
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now ${SOCKET_UNIT}
fi
echo "overlay-connect: add yourself to the group with: sudo usermod -aG ${HELPER_GROUP} \\$USER (then log out and in)"
`;
}

export function packageAfterRemove(): string {
  return `#!/bin/sh
# overlay-connect: remove the privileged helper. Tunnels that are up stay up until taken down.
set -e
# An upgrade (deb: "upgrade", rpm: 1) keeps the helper and the users' group membership.
case "\${1:-remove}" in upgrade|1) exit 0 ;; esac
if [ -d /run/systemd/system ]; then
  systemctl disable --now ${SOCKET_UNIT} ${SERVICE_UNIT} 2>/dev/null || true
fi
rm -f ${SYSTEMD_DIR}/${SOCKET_UNIT} ${SYSTEMD_DIR}/${SERVICE_UNIT}
[ -d /run/systemd/system ] && systemctl daemon-reload || true
getent group ${HELPER_GROUP} >/dev/null && groupdel ${HELPER_GROUP} || true
`;
}
