#!/bin/sh
# overlay-connect: remove the privileged helper. Tunnels that are up stay up until taken down.
set -e
# An upgrade (deb: "upgrade", rpm: 1) keeps the helper and the users' group membership.
case "${1:-remove}" in upgrade|1) exit 0 ;; esac
if [ -d /run/systemd/system ]; then
  systemctl disable --now overlay-connect-helper.socket overlay-connect-helper.service 2>/dev/null || true
fi
rm -f /etc/systemd/system/overlay-connect-helper.socket /etc/systemd/system/overlay-connect-helper.service
[ -d /run/systemd/system ] && systemctl daemon-reload || true
getent group overlay-connect >/dev/null && groupdel overlay-connect || true
