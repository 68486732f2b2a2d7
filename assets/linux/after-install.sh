#!/bin/sh
# overlay-connect: electron-builder's install steps, then the privileged helper (a systemd socket +
# service) and its group. Written by `npm run helper-scripts` from src/helper/units.ts.
set -e
# electron-builder's after-install.tpl (this file replaces it): the link, the sandbox, AppArmor.
if type update-alternatives >/dev/null 2>&1; then
  # A link made without update-alternatives goes first.
  if [ -L '/usr/bin/overlay-connect' ] && [ -e '/usr/bin/overlay-connect' ] && [ "$(readlink '/usr/bin/overlay-connect')" != '/etc/alternatives/overlay-connect' ]; then
    rm -f '/usr/bin/overlay-connect'
  fi
  update-alternatives --install '/usr/bin/overlay-connect' 'overlay-connect' '/opt/overlay-connect/overlay-connect' 100 || ln -sf '/opt/overlay-connect/overlay-connect' '/usr/bin/overlay-connect'
else
  ln -sf '/opt/overlay-connect/overlay-connect' '/usr/bin/overlay-connect'
fi
# Chromium's setuid sandbox only where unprivileged user namespaces do not work.
if ! { [ -L /proc/self/ns/user ] && unshare --user true; } >/dev/null 2>&1; then
  chmod 4755 '/opt/overlay-connect/chrome-sandbox' || true
else
  chmod 0755 '/opt/overlay-connect/chrome-sandbox' || true
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
  APPARMOR_PROFILE_SOURCE='/opt/overlay-connect/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/overlay-connect'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" >/dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && command -v apparmor_parser >/dev/null 2>&1; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET" || true
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
if ! grep -q '^overlay-connect:' "${OC_TEST_GROUP_FILE:-/etc/group}"; then
  if getent group overlay-connect >/dev/null; then
    echo "overlay-connect: a group overlay-connect exists but not in /etc/group (it comes from LDAP, NIS or another directory); its members would all reach the helper, which runs as root. Remove or rename that group, then reinstall." >&2
    exit 1
  fi
  groupadd --system overlay-connect
fi
cat > /etc/systemd/system/overlay-connect-helper.socket <<'UNIT'
[Unit]
Description=overlay-connect privileged helper (socket)

[Socket]
ListenStream=/run/overlay-connect/helper.sock
SocketUser=root
SocketGroup=overlay-connect
SocketMode=0660
DirectoryMode=0755
RemoveOnStop=yes

[Install]
WantedBy=sockets.target
UNIT
cat > /etc/systemd/system/overlay-connect-helper.service <<'UNIT'
[Unit]
Description=overlay-connect privileged helper
Requires=overlay-connect-helper.socket
After=overlay-connect-helper.socket network.target

[Service]
Type=simple
Environment=ELECTRON_RUN_AS_NODE=1
ExecStart="/opt/overlay-connect/overlay-connect" "/opt/overlay-connect/resources/helper/helper.js" "helper" "run"
Restart=on-failure
# The tunnels' wireguard-go processes are started from here; stopping or restarting the helper must not
# take them down (a restarted helper adopts them).
KillMode=process
RuntimeDirectory=overlay-connect
RuntimeDirectoryPreserve=yes
UNIT
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now overlay-connect-helper.socket
  # An upgrade: a helper still running the old code is restarted (its tunnels stay up; it adopts them).
  systemctl try-restart overlay-connect-helper.service || true
fi
echo "overlay-connect: add yourself to the group with: sudo usermod -aG overlay-connect \$USER (then log out and in)"
