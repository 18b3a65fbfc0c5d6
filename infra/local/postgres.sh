#!/usr/bin/env bash
# Local Postgres for Aisle: uses the server at DATABASE_URL when it answers; otherwise installs
# Debian's postgresql and starts its cluster. Creates the database named in the URL.
#
#   infra/local/postgres.sh up | down | status
#
# `down` stops the cluster only if `up` started it; a server that was already running is left alone.
set -euo pipefail
STORE=postgres
# shellcheck source-path=SCRIPTDIR disable=SC2034
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aisle}"
STARTED_MARK="$STATE_ROOT/postgres.started-by-aisle"
START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"

# The database in the URL path, and the same URL pointing at the maintenance database.
db_name() { local path="${DATABASE_URL#*://*/}"; path="${path%%\?*}"; printf '%s' "${path:-postgres}"; }
maintenance_url() {
  local base="${DATABASE_URL%%\?*}" query=""
  [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
  printf '%s/postgres%s' "${base%/*}" "$query"
}
url_host() { local rest="${DATABASE_URL#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; printf '%s' "${rest%:*}"; }

answers() { pg_isready -q -d "$(maintenance_url)" -t 2; }

cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

start_local() {
  is_local_host "$(url_host)" || die "Postgres at $(url_host) does not answer and is not local, so it cannot be started here. Fix: start it, or set DATABASE_URL to a running server, or run docker compose up."
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(cluster_version)" ]; then
    apt_install postgresql
  fi
  local version; version="$(cluster_version)"
  say "starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || die "pg_ctlcluster $version main start failed. Fix: see /var/log/postgresql/, or set DATABASE_URL to a running server, or run docker compose up."
  mkdir -p "$STATE_ROOT" && echo "$version" >"$STARTED_MARK"
  wait_until "$START_TIMEOUT" "Postgres" answers || die "Postgres did not answer at $(maintenance_url) within ${START_TIMEOUT}s. Fix: see /var/log/postgresql/, or set DATABASE_URL to a running server, or run docker compose up."
}

ensure_database() {
  local name; name="$(db_name)"
  [[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || die "database name '$name' in DATABASE_URL must be letters, digits and _"
  if [ "$(psql "$(maintenance_url)" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
    say "creating database $name"
    psql "$(maintenance_url)" -qc "CREATE DATABASE \"$name\"" >/dev/null || die "could not create database $name"
  fi
}

case "${1:-}" in
  up)
    if answers; then say "up at $(url_host) (already running)"; else start_local; say "started"; fi
    ensure_database
    ;;
  down)
    if [ -f "$STARTED_MARK" ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(cat "$STARTED_MARK")" main stop && rm -f "$STARTED_MARK"
      say "stopped"
    else
      say "not started by Aisle; left running"
    fi
    ;;
  status)
    if answers; then say "up: $(psql "$(maintenance_url)" -tAc 'SHOW server_version')"; else say "down"; exit 3; fi
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
