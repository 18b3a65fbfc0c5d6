#!/usr/bin/env bash
# Aisle: the project's OWN local ClickHouse (Debian's clickhouse-server 18.16.1),
# run as a plain background process with its own config, data folder and ports on
# 127.0.0.1 -- never the system service.
#
#   infra/local/clickhouse.sh up       start it (idempotent; installs the package if missing)
#   infra/local/clickhouse.sh down     stop it (idempotent)
#   infra/local/clickhouse.sh status   print up/down and version; exit 0 if up, 3 if down
#
# Environment:
#   CLICKHOUSE_URL              HTTP endpoint (default http://127.0.0.1:8123); its port is the HTTP port
#   CLICKHOUSE_TCP_PORT         native protocol port (default 19000)
#   CLICKHOUSE_START_TIMEOUT    seconds to wait for /ping after start (default 60)
#   CLICKHOUSE_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#   CLICKHOUSE_APT_TIMEOUT      seconds allowed for each apt-get step (default 900)
#   CLICKHOUSE_STATE_DIR        the server's folder (default <repo>/.local/clickhouse); another folder,
#                               with other ports, runs a second, private server
#
# Everything (rendered config, data, tmp, user_files, format_schemas, logs, pid) lives in
# CLICKHOUSE_STATE_DIR, by default .local/clickhouse/ under the repo root; .local/ is git-ignored
# (root .gitignore; the script also writes .local/.gitignore as a fallback).
# Config templates: infra/clickhouse/local/{config,users}.xml.tmpl
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TEMPLATE_DIR="$REPO_ROOT/infra/clickhouse/local"
CH_HOME="${CLICKHOUSE_STATE_DIR:-$REPO_ROOT/.local/clickhouse}"
CH_ETC="$CH_HOME/etc"
CH_LOGS="$CH_HOME/logs"
CONFIG_FILE="$CH_ETC/config.xml"
PID_FILE="$CH_HOME/clickhouse-server.pid"
SERVER_LOG="$CH_LOGS/clickhouse-server.log"
SERVER_ERR_LOG="$CH_LOGS/clickhouse-server.err.log"
STDOUT_LOG="$CH_LOGS/stdout.log"

CLICKHOUSE_URL="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
CLICKHOUSE_URL="${CLICKHOUSE_URL%/}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-19000}"
CLICKHOUSE_START_TIMEOUT="${CLICKHOUSE_START_TIMEOUT:-60}"
CLICKHOUSE_STOP_TIMEOUT="${CLICKHOUSE_STOP_TIMEOUT:-30}"
CLICKHOUSE_APT_TIMEOUT="${CLICKHOUSE_APT_TIMEOUT:-900}"

log() { printf '[clickhouse] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
for v in CLICKHOUSE_TCP_PORT CLICKHOUSE_START_TIMEOUT CLICKHOUSE_STOP_TIMEOUT CLICKHOUSE_APT_TIMEOUT; do
  is_uint "${!v}" || die "$v must be a non-negative integer, got '${!v}'"
done

# ---------------------------------------------------------------- URL parsing
# scheme://[user[:pass]@]host[:port][/path]
URL_RE='^(https?)://([^/@]*@)?(\[[^]]*\]|[^]:/[]+)(:([0-9]+))?(/.*)?$'
if [[ "$CLICKHOUSE_URL" =~ $URL_RE ]]; then
  URL_SCHEME="${BASH_REMATCH[1]}"
  URL_HOST="${BASH_REMATCH[3]}"
  URL_PORT="${BASH_REMATCH[5]}"
  URL_PATH="${BASH_REMATCH[6]}"
  if [[ -z "$URL_PORT" ]]; then
    if [[ "$URL_SCHEME" == https ]]; then URL_PORT=443; else URL_PORT=80; fi
  fi
else
  die "cannot parse CLICKHOUSE_URL='$CLICKHOUSE_URL' (expected e.g. http://127.0.0.1:8123)"
fi
HTTP_PORT="$URL_PORT"

url_is_local() {
  [[ "$URL_SCHEME" == http && -z "$URL_PATH" ]] || return 1
  case "$URL_HOST" in 127.0.0.1|localhost) return 0 ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------- helpers
ping_ok() {
  local body
  body="$(curl -sS --max-time 2 "$CLICKHOUSE_URL/ping" 2>/dev/null)" || return 1
  [[ "$body" == "Ok." ]]
}

server_version() {
  curl -sS --fail --max-time 5 --data-binary 'SELECT version()' "$CLICKHOUSE_URL/" 2>/dev/null
}

# Port has a listener on 127.0.0.1? (bash /dev/tcp; bounded by timeout)
port_busy() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

port_owner_hint() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "( sport = :$1 )" 2>/dev/null | sed 's/^/[clickhouse]     /' >&2 || true
  fi
}

# pid of OUR server if the pid file names a live clickhouse-server started with our config.
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CONFIG_FILE" || return 1
  fi
  echo "$pid"
}

show_logs() {
  local f
  for f in "$SERVER_LOG" "$SERVER_ERR_LOG" "$STDOUT_LOG"; do
    if [[ -s "$f" ]]; then
      log "---- last 30 lines of $f ----"
      tail -n 30 "$f" | sed 's/^/[clickhouse]   /' >&2
    fi
  done
}

fail_start() {
  local why="$1"
  show_logs
  log "ERROR: ClickHouse did not become ready at $CLICKHOUSE_URL/ping: $why"
  log "  log: $SERVER_LOG (errors: $SERVER_ERR_LOG, stdout/stderr: $STDOUT_LOG)"
  log "  fix: check the log; or set CLICKHOUSE_URL to a running server; or run docker compose up"
  exit 1
}

ensure_local_dirs() {
  mkdir -p "$CH_ETC" "$CH_LOGS" "$CH_HOME/data" "$CH_HOME/tmp" "$CH_HOME/user_files" "$CH_HOME/format_schemas"
  # Keep .local/ out of git even if the root .gitignore does not list it.
  [[ ! -d "$REPO_ROOT/.local" || -f "$REPO_ROOT/.local/.gitignore" ]] || printf '*\n' >"$REPO_ROOT/.local/.gitignore"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

render_config() {
  local home port_h port_t f
  home="$(sed_escape "$CH_HOME")"
  port_h="$HTTP_PORT"; port_t="$CLICKHOUSE_TCP_PORT"
  for f in config.xml users.xml; do
    [[ -f "$TEMPLATE_DIR/$f.tmpl" ]] || die "missing template $TEMPLATE_DIR/$f.tmpl"
    sed -e "s|@CH_HOME@|$home|g" -e "s|@HTTP_PORT@|$port_h|g" -e "s|@TCP_PORT@|$port_t|g" \
      "$TEMPLATE_DIR/$f.tmpl" >"$CH_ETC/$f.new"
    mv -f "$CH_ETC/$f.new" "$CH_ETC/$f"
  done
}

find_server_bin() {
  local b
  for b in "$(command -v clickhouse-server 2>/dev/null || true)" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    [[ -n "$b" && -x "$b" ]] && { echo "$b"; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------- install
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
POLICY_INSTALLED=0

restore_policy_rc() {
  if [[ "$POLICY_INSTALLED" == 1 ]]; then
    rm -f "$POLICY_RC"
    if [[ -n "$POLICY_BACKUP" && -e "$POLICY_BACKUP" ]]; then
      mv -f "$POLICY_BACKUP" "$POLICY_RC"
    fi
    POLICY_INSTALLED=0
  fi
}

install_packages() {
  local missing=()
  find_server_bin >/dev/null || missing+=(clickhouse-server)
  command -v clickhouse-client >/dev/null 2>&1 || missing+=(clickhouse-client)
  [[ ${#missing[@]} -eq 0 ]] && return 0

  local SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${missing[*]}; or set CLICKHOUSE_URL to a running server"
    SUDO=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install ClickHouse yourself or set CLICKHOUSE_URL to a running server"

  log "installing ${missing[*]} with apt-get (Debian's ClickHouse 18.16); the system service will NOT be started"
  # Forbid maintainer scripts from starting services (invoke-rc.d / deb-systemd-invoke honour it).
  trap 'restore_policy_rc' EXIT
  trap 'restore_policy_rc; exit 130' INT TERM
  if [[ -e "$POLICY_RC" ]]; then
    POLICY_BACKUP="$POLICY_RC.aisle-backup.$$"
    "${SUDO[@]}" mv -f "$POLICY_RC" "$POLICY_BACKUP"
  fi
  POLICY_INSTALLED=1
  printf '#!/bin/sh\n# temporary, written by Aisle infra/local/clickhouse.sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY_RC" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY_RC"

  local apt_opts=(-y -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  local rc=0
  log "apt-get update"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive timeout "$CLICKHOUSE_APT_TIMEOUT" \
    apt-get "${apt_opts[@]}" update >&2 || rc=$?
  if [[ $rc -eq 0 ]]; then
    log "apt-get install clickhouse-server clickhouse-client"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive timeout "$CLICKHOUSE_APT_TIMEOUT" \
      apt-get "${apt_opts[@]}" install clickhouse-server clickhouse-client >&2 || rc=$?
  fi
  if [[ -n "${SUDO[*]}" ]]; then
    "${SUDO[@]}" bash -c "rm -f '$POLICY_RC'; [ -z '$POLICY_BACKUP' ] || [ ! -e '$POLICY_BACKUP' ] || mv -f '$POLICY_BACKUP' '$POLICY_RC'"
    POLICY_INSTALLED=0
  else
    restore_policy_rc
  fi
  trap - EXIT INT TERM
  [[ $rc -eq 0 ]] || die "apt-get failed (exit $rc) installing clickhouse-server clickhouse-client; fix apt, or set CLICKHOUSE_URL to a running server, or run docker compose up"
  # The package enables the system service for boot (update-rc.d defaults + systemd wants link);
  # it would take ports 8123/9000/9009 at the next boot, so switch that off. The project never uses it.
  log "disabling the system clickhouse-server service's autostart (the project runs its own process)"
  "${SUDO[@]}" update-rc.d clickhouse-server disable >/dev/null 2>&1 || true
  if command -v deb-systemd-helper >/dev/null 2>&1; then
    "${SUDO[@]}" deb-systemd-helper disable clickhouse-server.service >/dev/null 2>&1 || true
  fi
  find_server_bin >/dev/null || die "clickhouse-server still not found after apt-get install"
}

# A system clickhouse-server (package's init script / systemd unit) is running?
system_server_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    [[ -r "$p/cmdline" ]] || continue
    cmd="$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null || true)"
    [[ "$cmd" == *clickhouse-server*/etc/clickhouse-server/config.xml* ]] && echo "${p#/proc/}"
  done
  return 0
}

explain_system_server() {
  local pids
  pids="$(system_server_pids | tr '\n' ' ')"
  pids="${pids% }"
  [[ -n "$pids" ]] || return 0
  log "NOTE: the SYSTEM clickhouse-server service is running (pid $pids, config /etc/clickhouse-server/config.xml,"
  log "      ports 8123/9000/9009 on localhost). It is not the project's server. Stop it with 'kill $pids'"
  log "      (beware: '/etc/init.d/clickhouse-server stop' kills EVERY clickhouse-server process, the project's too),"
  log "      and keep it from starting at boot with 'update-rc.d clickhouse-server disable' / 'systemctl disable clickhouse-server'."
}

# ---------------------------------------------------------------- wait
now_ms() { date +%s%3N; }

wait_ready() {
  local pid="$1" start now deadline last_report t0
  t0="$(now_ms)"
  start="$(date +%s)"
  last_report=$start
  deadline=$((start + CLICKHOUSE_START_TIMEOUT))
  log "waiting up to ${CLICKHOUSE_START_TIMEOUT}s for $CLICKHOUSE_URL/ping"
  while :; do
    if ping_ok; then
      now="$(now_ms)"
      log "ready after $(((now - t0) / 1000)).$(printf '%03d' $(((now - t0) % 1000)))s: ClickHouse $(server_version || echo '?') at $CLICKHOUSE_URL (native tcp 127.0.0.1:$CLICKHOUSE_TCP_PORT, pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      local code=""
      wait "$pid" 2>/dev/null && code=0 || code=$?
      rm -f "$PID_FILE"
      fail_start "the server process (pid $pid) exited (status ${code:-?}) before answering"
    fi
    now="$(date +%s)"
    if ((now >= deadline)); then
      fail_start "no 'Ok.' within ${CLICKHOUSE_START_TIMEOUT}s (server pid $pid left running; 'down' stops it)"
    fi
    if ((now - last_report >= 5)); then
      log "  ...still waiting ($((now - start))s/${CLICKHOUSE_START_TIMEOUT}s)"
      last_report=$now
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- commands
cmd_up() {
  if ping_ok; then
    local pid
    if pid="$(our_pid)"; then
      log "already up: ClickHouse $(server_version || echo '?') at $CLICKHOUSE_URL (project server, pid $pid)"
    else
      log "already up: ClickHouse $(server_version || echo '?') at $CLICKHOUSE_URL (not started by this script; using it as is)"
      explain_system_server
    fi
    return 0
  fi

  url_is_local || die "ClickHouse at $CLICKHOUSE_URL does not answer /ping, and that URL is not a plain http://127.0.0.1:PORT or http://localhost:PORT this script could start a server on. Start that server, or unset CLICKHOUSE_URL to use the project's local one."

  ensure_local_dirs

  # Our process alive but not answering yet (e.g. still starting, or a previous timeout): wait for it.
  local pid
  if pid="$(our_pid)"; then
    log "project server already running (pid $pid) but not answering yet"
    wait_ready "$pid"
    return 0
  fi
  rm -f "$PID_FILE"

  local had_server=1
  find_server_bin >/dev/null || had_server=0
  install_packages
  if [[ $had_server == 0 ]]; then
    # Package install must not have started the system service; if it did, say so.
    if [[ -n "$(system_server_pids)" ]]; then
      explain_system_server
      if ping_ok; then
        die "installing the package started the SYSTEM clickhouse-server, and it now answers on $CLICKHOUSE_URL. Stop it (see above) and re-run, or keep using it by leaving CLICKHOUSE_URL as is."
      fi
    fi
  fi

  local bin
  bin="$(find_server_bin)" || die "clickhouse-server binary not found"

  # Ports must be free.
  local p
  for p in "$HTTP_PORT" "$CLICKHOUSE_TCP_PORT"; do
    if port_busy "$p"; then
      log "ERROR: port 127.0.0.1:$p is already taken (and $CLICKHOUSE_URL/ping does not answer 'Ok.'):"
      port_owner_hint "$p"
      explain_system_server
      die "free the port, or choose another with CLICKHOUSE_URL=http://127.0.0.1:PORT / CLICKHOUSE_TCP_PORT=PORT"
    fi
  done
  [[ "$HTTP_PORT" != "$CLICKHOUSE_TCP_PORT" ]] || die "HTTP port and CLICKHOUSE_TCP_PORT are both $HTTP_PORT"

  render_config

  # 18.16 has no refuse-to-run-as-root check; as root it simply owns .local/clickhouse as root.
  # Run detached in its own session so it outlives this shell; setsid execs (no fork) -> $! is the server.
  log "starting $bin --config-file=$CONFIG_FILE (http 127.0.0.1:$HTTP_PORT, tcp 127.0.0.1:$CLICKHOUSE_TCP_PORT, data $CH_HOME/data)"
  (cd "$CH_HOME" && exec setsid nohup "$bin" --config-file="$CONFIG_FILE" </dev/null >"$STDOUT_LOG" 2>&1) &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid"
}

cmd_down() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if ping_ok; then
      log "project server not running; $CLICKHOUSE_URL answers but was not started by this script (left alone)"
    else
      log "already down"
    fi
    return 0
  fi
  log "stopping ClickHouse (pid $pid) with SIGTERM, up to ${CLICKHOUSE_STOP_TIMEOUT}s"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(($(date +%s) + CLICKHOUSE_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if (($(date +%s) >= deadline)); then
      log "still running after ${CLICKHOUSE_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local kdeadline=$(($(date +%s) + 10))
      while kill -0 "$pid" 2>/dev/null; do
        (($(date +%s) < kdeadline)) || die "pid $pid survived SIGKILL for 10s"
        sleep 0.2
      done
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local v pid
  if v="$(server_version)" && [[ -n "$v" ]]; then
    if pid="$(our_pid)"; then
      log "up: ClickHouse $v at $CLICKHOUSE_URL (project server, pid $pid, native tcp 127.0.0.1:$CLICKHOUSE_TCP_PORT)"
    else
      log "up: ClickHouse $v at $CLICKHOUSE_URL (not started by this script)"
    fi
    echo "up $v"
    return 0
  fi
  if pid="$(our_pid)"; then
    log "down: project server process pid $pid exists but $CLICKHOUSE_URL does not answer SELECT version() (starting or hung; log: $SERVER_LOG)"
  else
    log "down: nothing answers at $CLICKHOUSE_URL"
  fi
  echo "down"
  return 3
}

usage() {
  echo "usage: $0 up|down|status" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
command -v curl >/dev/null 2>&1 || die "curl is required"
case "$1" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
