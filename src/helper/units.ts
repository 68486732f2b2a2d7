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
/** Where electron-builder's deb and rpm put the app (/opt/<productName>) and its binary (<executableName>). */
export const PACKAGED_DIR = '/opt/overlay-connect';
export const PACKAGED_BINARY = `${PACKAGED_DIR}/overlay-connect`;
/** The helper's bundle in the packages, outside the asar (electron-builder.yml linux.extraResources), with
 * its own node_modules beside it. */
export const PACKAGED_HELPER = `${PACKAGED_DIR}/resources/helper/helper.js`;
/** The packaged helper is plain Node code run by the app's own binary as Node (ELECTRON_RUN_AS_NODE, the
 * runAsNode fuse on for Linux only: assets/linux/after-pack.cjs), never the Electron browser: as root,
 * without a display, Chromium aborts. The binary and the bundle are root-owned files under /opt. */
export const PACKAGED_HELPER_COMMAND = [PACKAGED_BINARY, PACKAGED_HELPER, 'helper', 'run'];
export const PACKAGED_HELPER_ENV = { ELECTRON_RUN_AS_NODE: '1' };

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

/** `command` is the helper's argv: a Node and the helper's bundle with `helper run`; `env`, its
 * environment (the packages': ELECTRON_RUN_AS_NODE). */
export function systemdServiceUnit(command: string[], env: Record<string, string> = {}): string {
  const environment = Object.entries(env).map(([k, v]) => {
    // Plain words only: Environment= has its own quoting and % specifiers, and nothing here needs them.
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k) || !/^[\w./:-]*$/.test(v))
      throw new Error(`Environment=${k}=${v} is not a plain name and value`);
    return `Environment=${k}=${v}\n`;
  });
  return `[Unit]
Description=overlay-connect privileged helper
Requires=${SOCKET_UNIT}
After=${SOCKET_UNIT} network.target

[Service]
Type=simple
${environment.join('')}ExecStart=${command.map(systemdQuote).join(' ')}
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

const EXE = 'overlay-connect';
const LINK = `/usr/bin/${EXE}`;
const APPARMOR_TARGET = `/etc/apparmor.d/${EXE}`;

/** What electron-builder's own templates/linux/after-install.tpl (app-builder-lib 26) does, which our
 * afterInstall replaces: the /usr/bin link, chrome-sandbox setuid only where user namespaces do not work,
 * the MIME and desktop databases, and the AppArmor profile electron-builder puts in resources/. Its macros
 * (${executable}, ${sanitizedProductName}) are written out: this is overlay-connect's file, and the tests
 * run it as it is. POSIX sh where the template is bash; steps it let fail are `|| true` here (set -e). */
function electronBuilderInstallSteps(): string {
  return `# electron-builder's after-install.tpl (this file replaces it): the link, the sandbox, AppArmor.
if type update-alternatives >/dev/null 2>&1; then
  # A link made without update-alternatives goes first.
  if [ -L '${LINK}' ] && [ -e '${LINK}' ] && [ "$(readlink '${LINK}')" != '/etc/alternatives/${EXE}' ]; then
    rm -f '${LINK}'
  fi
  update-alternatives --install '${LINK}' '${EXE}' '${PACKAGED_BINARY}' 100 || ln -sf '${PACKAGED_BINARY}' '${LINK}'
else
  ln -sf '${PACKAGED_BINARY}' '${LINK}'
fi
# Chromium's setuid sandbox only where unprivileged user namespaces do not work.
if ! { [ -L /proc/self/ns/user ] && unshare --user true; } >/dev/null 2>&1; then
  chmod 4755 '${PACKAGED_DIR}/chrome-sandbox' || true
else
  chmod 0755 '${PACKAGED_DIR}/chrome-sandbox' || true
fi
if command -v update-mime-database >/dev/null 2>&1; then
  update-mime-database /usr/share/mime || true
fi
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database /usr/share/applications || true
fi
# The AppArmor profile (Ubuntu 24+ restricts user namespaces without one), where AppArmor runs and accepts
# it (abi/4.0: not Ubuntu 22.04, which does not need it); not loaded live in a chroot.
if apparmor_status --enabled >/dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='${PACKAGED_DIR}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='${APPARMOR_TARGET}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" >/dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && command -v apparmor_parser >/dev/null 2>&1; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET" || true
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
`;
}

/** electron-builder's after-remove.tpl: the link and the AppArmor profile. */
function electronBuilderRemoveSteps(): string {
  return `# electron-builder's after-remove.tpl (this file replaces it): the link and the AppArmor profile.
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove '${EXE}' '${PACKAGED_BINARY}' || true
else
  rm -f '${LINK}'
fi
if [ -f '${APPARMOR_TARGET}' ]; then
  if apparmor_status --enabled >/dev/null 2>&1; then
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && command -v apparmor_parser >/dev/null 2>&1; then
      apparmor_parser --remove '${APPARMOR_TARGET}' || true
    fi
  fi
  rm -f '${APPARMOR_TARGET}'
fi
`;
}

/** deb/rpm maintainer scripts (electron-builder's afterInstall / afterRemove, which replace its own
 * templates: their steps come first). The helper is the bundle run by the app's binary as Node. */
export function packageAfterInstall(): string {
  return `#!/bin/sh
# overlay-connect: electron-builder's install steps, then the privileged helper (a systemd socket +
# service) and its group. Written by \`npm run helper-scripts\` from src/helper/units.ts.
set -e
${electronBuilderInstallSteps()}${packageGroupStep()}cat > ${SYSTEMD_DIR}/${SOCKET_UNIT} <<'UNIT'
${systemdSocketUnit().trimEnd()}
UNIT
cat > ${SYSTEMD_DIR}/${SERVICE_UNIT} <<'UNIT'
${systemdServiceUnit(PACKAGED_HELPER_COMMAND, PACKAGED_HELPER_ENV).trimEnd()}
UNIT
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now ${SOCKET_UNIT}
  # An upgrade: a helper still running the old code is restarted (its tunnels stay up; it adopts them).
  systemctl try-restart ${SERVICE_UNIT} || true
fi
echo "overlay-connect: add yourself to the group with: sudo usermod -aG ${HELPER_GROUP} \\$USER (then log out and in)"
`;
}

export function packageAfterRemove(): string {
  return `#!/bin/sh
# overlay-connect: electron-builder's removal steps, then the privileged helper's. Tunnels that are up stay
# up until taken down. Written by \`npm run helper-scripts\` from src/helper/units.ts.
set -e
# An upgrade (deb: "upgrade" and its failures, rpm: 1) keeps everything: rpm runs the old package's
# postun after the new one's post, so removing the link there (as electron-builder's template does) would
# leave an upgraded rpm without it.
case "\${1:-remove}" in upgrade|failed-upgrade|abort-upgrade|1) exit 0 ;; esac
${electronBuilderRemoveSteps()}if [ -d /run/systemd/system ]; then
  systemctl disable --now ${SOCKET_UNIT} ${SERVICE_UNIT} 2>/dev/null || true
fi
rm -f ${SYSTEMD_DIR}/${SOCKET_UNIT} ${SYSTEMD_DIR}/${SERVICE_UNIT}
[ -d /run/systemd/system ] && systemctl daemon-reload || true
getent group ${HELPER_GROUP} >/dev/null && groupdel ${HELPER_GROUP} || true
`;
}
