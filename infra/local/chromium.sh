#!/usr/bin/env bash
# Debian's chromium for the storefront's browser test (puppeteer-core drives it; nothing
# downloads a browser of its own). Idempotent: uses CHROMIUM_PATH or a chromium already on PATH,
# otherwise installs Debian's package with apt-get.
#
#   infra/local/chromium.sh up | status
set -euo pipefail
STORE=chromium
# shellcheck source-path=SCRIPTDIR disable=SC2034
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

found() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then [ -x "$CHROMIUM_PATH" ] && printf '%s' "$CHROMIUM_PATH"; return; fi
  command -v chromium
}

case "${1:-}" in
  up)
    if path="$(found)"; then say "present at $path"; exit 0; fi
    [ -z "${CHROMIUM_PATH:-}" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable. Fix: point it at a Chromium binary, or unset it to use Debian's chromium."
    command -v apt-get >/dev/null || die "no chromium and no apt-get here. Fix: install Chromium and set CHROMIUM_PATH to its binary."
    apt_install chromium
    path="$(found)" || die "apt-get installed chromium but it is not on PATH"
    say "installed at $path"
    ;;
  status)
    if path="$(found)"; then say "present at $path"; else say "absent"; exit 3; fi
    ;;
  *) echo "usage: $0 up|status" >&2; exit 2 ;;
esac
