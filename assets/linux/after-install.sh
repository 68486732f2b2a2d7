#!/bin/sh
# overlay-connect: install the privileged helper (a systemd socket + service) and its group.
set -e
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
ExecStart="/opt/overlay-connect/overlay-connect" "--overlay-connect-helper"
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
fi
echo "overlay-connect: add yourself to the group with: sudo usermod -aG overlay-connect \$USER (then log out and in)"
