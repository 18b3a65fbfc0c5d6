# Shared helpers for the local store scripts (sourced, not run).
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_ROOT="$REPO_ROOT/.local"

say() { printf '[%s] %s\n' "$STORE" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$STORE" "$*" >&2; exit 1; }

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every half second until it succeeds or the
# deadline passes; prints progress so a slow start is visibly alive.
wait_until() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds)) next_note=$((SECONDS + 5))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    if ((SECONDS >= next_note)); then say "still waiting for $what ($((deadline - SECONDS)) s left)"; next_note=$((SECONDS + 5)); fi
    sleep 0.5
  done
}

# is_local_host HOST: true for loopback names, the only hosts these scripts may start servers for.
is_local_host() {
  case "$1" in localhost | 127.* | '::1' | '[::1]' | '') return 0 ;; *) return 1 ;; esac
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  say "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}
