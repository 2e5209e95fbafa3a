#!/usr/bin/env bash
# Installs Debian packages for the checks: `scripts/apt-install.sh PKG...`.
# Finishes first any installation an earlier, interrupted apt left half
# done (dpkg refuses every install until then), then installs the packages
# without recommends unless APT_RECOMMENDS=1. Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
  echo "== finishing an interrupted package installation (dpkg --configure -a)"
  dpkg --configure -a >/dev/null || apt-get install -f -y -qq >/dev/null
fi
apt-get update -qq
recommends=--no-install-recommends
[ "${APT_RECOMMENDS:-0}" = 1 ] && recommends=
apt-get install -y -qq $recommends "$@" >/dev/null
