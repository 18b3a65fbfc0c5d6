#!/usr/bin/env bash
# Local Postgres for Aisle: uses the server at DATABASE_URL when it answers; otherwise installs
# Debian's postgresql and starts its cluster. Creates the database named in the URL.
#
#   infra/local/postgres.sh up | down | status
#
# `down` stops the cluster only if `up` started it; a server that was already running is left alone.
#
# Environment:
#   DATABASE_URL            postgres://postgres@127.0.0.1:5432/aisle   server URL and database
#   POSTGRES_STATE_DIR      (empty)   when set: a private cluster of its own in this directory
#                                     (initdb on first `up`, trust auth, on the URL's port, socket
#                                     and log in the directory) instead of the system's main cluster
#   POSTGRES_START_TIMEOUT  60        seconds to wait for the server to answer
set -euo pipefail
STORE=postgres
# shellcheck source-path=SCRIPTDIR disable=SC2034
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aisle}"
STARTED_MARK="$STATE_ROOT/postgres.started-by-aisle"
START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"
PRIVATE_DIR="${POSTGRES_STATE_DIR:-}"

# The database in the URL path, and the same URL pointing at the maintenance database.
db_name() { local path="${DATABASE_URL#*://*/}"; path="${path%%\?*}"; printf '%s' "${path:-postgres}"; }
maintenance_url() {
  local base="${DATABASE_URL%%\?*}" query=""
  [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
  printf '%s/postgres%s' "${base%/*}" "$query"
}
url_hostport() { local rest="${DATABASE_URL#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; printf '%s' "${rest%%\?*}"; }
url_host() { local hp; hp="$(url_hostport)"; printf '%s' "${hp%:*}"; }
url_port() { local hp; hp="$(url_hostport)"; [[ "$hp" == *:* ]] && printf '%s' "${hp##*:}" || printf 5432; }

answers() { pg_isready -q -d "$(maintenance_url)" -t 2; }

cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

# ---- private cluster (POSTGRES_STATE_DIR)
# The server refuses to run as root, so as root the cluster belongs to the postgres user.
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
private_data() { printf '%s/data' "$PRIVATE_DIR"; }
private_running() { [ -f "$(private_data)/postmaster.pid" ] && as_owner "$(pg_bin)/pg_ctl" -D "$(private_data)" status >/dev/null 2>&1; }

start_private() {
  [[ "$(url_host)" == 127.0.0.1 || "$(url_host)" == localhost ]] || die "POSTGRES_STATE_DIR is set but DATABASE_URL's host is $(url_host); a private cluster listens on 127.0.0.1 only."
  [ -x "$(pg_bin)/initdb" ] || apt_install postgresql
  local bin data; bin="$(pg_bin)"; data="$(private_data)"
  mkdir -p "$PRIVATE_DIR"
  [ "$(id -u)" != 0 ] || chown postgres: "$PRIVATE_DIR"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initdb $data"
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale C >"$PRIVATE_DIR/initdb.log" 2>&1 \
      || die "initdb failed. Fix: see $PRIVATE_DIR/initdb.log."
  fi
  say "starting a private cluster on 127.0.0.1:$(url_port) (data in $data)"
  as_owner "$bin/pg_ctl" -D "$data" -l "$PRIVATE_DIR/postgres.log" -w -t "$START_TIMEOUT" \
    -o "-c port=$(url_port) -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PRIVATE_DIR" start >/dev/null \
    || die "the private cluster did not start. Fix: see $PRIVATE_DIR/postgres.log."
  wait_until "$START_TIMEOUT" "Postgres" answers || die "Postgres did not answer at $(maintenance_url) within ${START_TIMEOUT}s. Fix: see $PRIVATE_DIR/postgres.log."
}

stop_private() {
  if ! private_running; then say "already down"; return; fi
  # fast: open sessions are ended and the cluster shuts down cleanly (a checkpoint, no recovery).
  as_owner "$(pg_bin)/pg_ctl" -D "$(private_data)" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed. Fix: see $PRIVATE_DIR/postgres.log."
  say "stopped"
}

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
    if answers; then say "up at $(url_host) (already running)"
    elif [ -n "$PRIVATE_DIR" ]; then start_private; say "started"
    else start_local; say "started"; fi
    ensure_database
    ;;
  down)
    if [ -n "$PRIVATE_DIR" ]; then
      stop_private
    elif [ -f "$STARTED_MARK" ]; then
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
