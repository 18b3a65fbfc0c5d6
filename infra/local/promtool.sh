#!/usr/bin/env bash
# Prometheus's promtool, for the alert rules' unit tests (test/observability.unit.test.ts).
# Idempotent: uses a promtool already on PATH, otherwise installs Debian's prometheus package
# (which ships promtool) without starting the Prometheus server it also contains.
#
#   infra/local/promtool.sh up | status
set -euo pipefail
STORE=promtool
# shellcheck source-path=SCRIPTDIR disable=SC2034
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's policy layer: exit 101 tells a package's scripts not to start its service.
install_without_starting() {
  local policy=/usr/sbin/policy-rc.d
  [ ! -e "$policy" ] || { apt_install --no-install-recommends prometheus; return; }
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
  apt_install --no-install-recommends prometheus
}

case "${1:-}" in
  up)
    if path="$(command -v promtool)"; then say "present at $path"; exit 0; fi
    command -v apt-get >/dev/null || die "no promtool and no apt-get here. Fix: install Prometheus's promtool on PATH."
    install_without_starting
    path="$(command -v promtool)" || die "apt-get installed prometheus but promtool is not on PATH"
    say "installed at $path"
    ;;
  status)
    if path="$(command -v promtool)"; then say "present at $path"; else say "absent"; exit 3; fi
    ;;
  *) echo "usage: $0 up|status" >&2; exit 2 ;;
esac
