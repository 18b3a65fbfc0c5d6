#!/usr/bin/env bash
# Local Redis for Aisle: uses the server at REDIS_URL when it answers; otherwise installs
# Debian's redis-server and starts one with its data in .local/redis. Either way it refuses to
# continue unless maxmemory-policy is noeviction (BullMQ loses jobs under eviction). The server it
# starts persists like a production one: append-only file (fsync every second) plus RDB snapshots,
# and `down` shuts it down cleanly (SHUTDOWN writes both), so a down/up cycle loses nothing.
#
#   infra/local/redis.sh up | down | status
#
# Environment:
#   REDIS_URL             redis://127.0.0.1:6379   server URL; a local server is started on its port
#   REDIS_STATE_DIR       <repo>/.local/redis      data (AOF, RDB), log and pid of the started server
#   REDIS_START_TIMEOUT   30                       seconds to wait for PING after start
#   REDIS_STOP_TIMEOUT    30                       seconds `down` waits for the process to exit
set -euo pipefail
STORE=redis
# shellcheck source-path=SCRIPTDIR disable=SC2034
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
STATE_DIR="${REDIS_STATE_DIR:-$STATE_ROOT/redis}"
PID_FILE="$STATE_DIR/redis.pid"
START_TIMEOUT="${REDIS_START_TIMEOUT:-30}"
STOP_TIMEOUT="${REDIS_STOP_TIMEOUT:-30}"

url_hostport() { local rest="${REDIS_URL#*://}"; rest="${rest#*@}"; printf '%s' "${rest%%/*}"; }
url_host() { local hp; hp="$(url_hostport)"; printf '%s' "${hp%:*}"; }
url_port() { local hp; hp="$(url_hostport)"; [[ "$hp" == *:* ]] && printf '%s' "${hp##*:}" || printf 6379; }

cli() { redis-cli -u "$REDIS_URL" --no-auth-warning "$@"; }
answers() { [ "$(cli PING 2>/dev/null)" = "PONG" ]; }

start_local() {
  is_local_host "$(url_host)" || die "Redis at $(url_host) does not answer and is not local, so it cannot be started here. Fix: start it, or set REDIS_URL to a running server, or run docker compose up."
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$STATE_DIR"
  say "starting redis-server on 127.0.0.1:$(url_port) (data in $STATE_DIR)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$(url_port)" --dir "$STATE_DIR" \
    --pidfile "$PID_FILE" --logfile "$STATE_DIR/redis.log" --appendonly yes \
    --maxmemory-policy noeviction || die "redis-server did not start. Fix: see $STATE_DIR/redis.log, or set REDIS_URL to a running server, or run docker compose up."
  wait_until "$START_TIMEOUT" "Redis" answers || die "Redis did not answer at $REDIS_URL within ${START_TIMEOUT}s. Fix: see $STATE_DIR/redis.log, or set REDIS_URL to a running server, or run docker compose up."
}

check_policy() {
  local policy
  policy="$(cli CONFIG GET maxmemory-policy 2>/dev/null | sed -n 2p)" || true
  if [ -z "$policy" ]; then say "CONFIG GET is not allowed here; make sure maxmemory-policy is noeviction"; return; fi
  [ "$policy" = "noeviction" ] || die "Redis at $REDIS_URL has maxmemory-policy '$policy'; Aisle's BullMQ queues need 'noeviction' or jobs are silently evicted. Fix: redis-cli -u $REDIS_URL CONFIG SET maxmemory-policy noeviction (and set it in redis.conf), or use another Redis via REDIS_URL."
}

case "${1:-}" in
  up)
    if answers; then say "up at $(url_hostport) (already running)"; else start_local; say "started"; fi
    check_policy
    ;;
  down)
    if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      pid="$(cat "$PID_FILE")"
      cli SHUTDOWN >/dev/null 2>&1 || kill "$pid"
      # SHUTDOWN answers before the process is gone; an `up` right after must find the port free.
      wait_until "$STOP_TIMEOUT" "redis-server (pid $pid) to exit" bash -c "! kill -0 $pid" \
        || die "redis-server (pid $pid) still running ${STOP_TIMEOUT}s after SHUTDOWN. Fix: see $STATE_DIR/redis.log."
      say "stopped"
    elif answers; then
      say "not started by Aisle; left running"
    else
      say "already down"
    fi
    ;;
  status)
    if answers; then say "up: $(cli INFO server | sed -n 's/^redis_version://p' | tr -d '\r')"; else say "down"; exit 3; fi
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
