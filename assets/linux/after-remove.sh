#!/bin/sh
# overlay-connect: electron-builder's removal steps, then the privileged helper's. Tunnels that are up stay
# up until taken down. Written by `npm run helper-scripts` from src/helper/units.ts.
set -e
# An upgrade (deb: "upgrade" and its failures, rpm: 1) keeps everything: rpm runs the old package's
# postun after the new one's post, so removing the link there (as electron-builder's template does) would
# leave an upgraded rpm without it.
case "${1:-remove}" in upgrade|failed-upgrade|abort-upgrade|1) exit 0 ;; esac
# electron-builder's after-remove.tpl (this file replaces it): the link and the AppArmor profile.
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove 'overlay-connect' '/opt/overlay-connect/overlay-connect' || true
else
  rm -f '/usr/bin/overlay-connect'
fi
if [ -f '/etc/apparmor.d/overlay-connect' ]; then
  if apparmor_status --enabled >/dev/null 2>&1; then
    if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && command -v apparmor_parser >/dev/null 2>&1; then
      apparmor_parser --remove '/etc/apparmor.d/overlay-connect' || true
    fi
  fi
  rm -f '/etc/apparmor.d/overlay-connect'
fi
if [ -d /run/systemd/system ]; then
  systemctl disable --now overlay-connect-helper.socket overlay-connect-helper.service 2>/dev/null || true
fi
rm -f /etc/systemd/system/overlay-connect-helper.socket /etc/systemd/system/overlay-connect-helper.service
[ -d /run/systemd/system ] && systemctl daemon-reload || true
getent group overlay-connect >/dev/null && groupdel overlay-connect || true
