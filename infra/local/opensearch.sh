#!/usr/bin/env bash
# Local OpenSearch single node for Aisle, started from Maven Central artifacts (no Docker).
#
#   infra/local/opensearch.sh up       start (idempotent; no-op if SEARCH_URL is already healthy)
#   infra/local/opensearch.sh down     stop the node started by `up` (idempotent)
#   infra/local/opensearch.sh status   print up/down, version, health; exit 0 if up, 3 if down
#
# Environment:
#   SEARCH_URL                 http://127.0.0.1:9200   node URL (only its port is used for the local node)
#   OPENSEARCH_TRANSPORT_PORT  9300                    transport port (127.0.0.1)
#   OPENSEARCH_HEAP            1g                      -Xms/-Xmx
#   OPENSEARCH_JAVA_HOME       (auto)                  JDK 21+; default: newest JDK 21+ in /usr/lib/jvm or $JAVA_HOME
#   OPENSEARCH_START_TIMEOUT   240                     seconds to wait for health yellow/green
#   OPENSEARCH_STOP_TIMEOUT    30                      seconds to wait after SIGTERM before SIGKILL
#   OPENSEARCH_JAVA_OPTS       (empty)                 extra JVM options
#   MVN                        mvn                     Maven executable (only used when the launcher changed)
#   OPENSEARCH_STATE_DIR       <repo>/.local/opensearch  data, logs, pid of the node (another dir, with
#                                                      other ports, runs a second, private node)
#
# State (data, logs, pid) lives in OPENSEARCH_STATE_DIR, by default <repo>/.local/opensearch/
# (git-ignored). The launcher's classpath is always built and cached in <repo>/.local/opensearch/,
# shared by every node, so a private node never needs Maven when the default one has run.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
readonly SCRIPT_DIR REPO_ROOT
readonly MODULE_DIR="$REPO_ROOT/infra/opensearch"
readonly BUILD_DIR="$REPO_ROOT/.local/opensearch"
readonly STATE_DIR="${OPENSEARCH_STATE_DIR:-$BUILD_DIR}"
readonly PID_FILE="$STATE_DIR/opensearch.pid"
readonly LOG_FILE="$STATE_DIR/opensearch.log"
readonly LIB_DIR="$BUILD_DIR/lib"
readonly CLASSES_DIR="$BUILD_DIR/build/classes"
readonly STAMP_FILE="$BUILD_DIR/classpath.sha256"
readonly MAIN_CLASS="dev.aisle.infra.opensearch.LocalOpenSearch"
readonly MIN_JAVA=21

SEARCH_URL="${SEARCH_URL:-http://127.0.0.1:9200}"
SEARCH_URL="${SEARCH_URL%/}"
readonly TRANSPORT_PORT="${OPENSEARCH_TRANSPORT_PORT:-9300}"
readonly HEAP="${OPENSEARCH_HEAP:-1g}"
readonly START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-240}"
readonly STOP_TIMEOUT="${OPENSEARCH_STOP_TIMEOUT:-30}"
readonly MVN="${MVN:-mvn}"

say() { printf '[opensearch] %s\n' "$*"; }
err() { printf '[opensearch] %s\n' "$*" >&2; }
die() { err "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- HTTP probes

# Prints the cluster health status (green/yellow/red); fails if SEARCH_URL does not answer.
health() {
  local body
  body="$(curl -fsS --max-time 3 "$SEARCH_URL/_cluster/health" 2>/dev/null)" || return 1
  sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p' <<<"$body" | head -n 1
}

# Prints the OpenSearch version number from GET /.
version() {
  local body
  body="$(curl -fsS --max-time 3 "$SEARCH_URL/" 2>/dev/null)" || return 1
  tr -d '\n' <<<"$body" | sed -n 's/.*"number" *: *"\([^"]*\)".*/\1/p'
}

is_healthy() {
  local h
  h="$(health)" || return 1
  [[ "$h" == green || "$h" == yellow ]]
}

# ---------------------------------------------------------------- process helpers

# Prints the pid from the pid file if that process is alive and is our launcher.
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid cmd
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  [[ "$cmd" == *"$MAIN_CLASS"* ]] || return 1
  printf '%s\n' "$pid"
}

url_is_local() {
  local rest host
  rest="${SEARCH_URL#*://}"
  rest="${rest%%/*}"
  rest="${rest##*@}"
  if [[ "$rest" == \[* ]]; then host="${rest%%]*}]"; else host="${rest%%:*}"; fi
  [[ "$SEARCH_URL" == http://* ]] || return 1
  case "$host" in 127.0.0.1|localhost|\[::1\]) return 0 ;; *) return 1 ;; esac
}

url_port() {
  local rest
  rest="${SEARCH_URL#*://}"
  rest="${rest%%/*}"
  rest="${rest##*@}"
  rest="${rest##*]}"
  if [[ "$rest" == *:* ]]; then printf '%s\n' "${rest##*:}"; else printf '9200\n'; fi
}

# ---------------------------------------------------------------- JDK selection

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or fails.
jdk_feature() {
  local home="$1" v=""
  [[ -x "$home/bin/java" ]] || return 1
  if [[ -f "$home/release" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")"
  fi
  if [[ -z "$v" ]]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  fi
  v="${v#1.}"
  v="${v%%[.+-]*}"
  [[ "$v" =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$v"
}

# Prints the JDK home to use.
pick_jdk() {
  local v
  if [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]]; then
    v="$(jdk_feature "$OPENSEARCH_JAVA_HOME")" \
      || die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME has no usable bin/java. Fix: point it at a JDK $MIN_JAVA+ (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)."
    ((v >= MIN_JAVA)) \
      || die "OPENSEARCH_JAVA_HOME=$OPENSEARCH_JAVA_HOME is Java $v; OpenSearch 3.x needs Java $MIN_JAVA+. Fix: point it at a JDK $MIN_JAVA+ or unset it."
    printf '%s\n' "$OPENSEARCH_JAVA_HOME"
    return
  fi
  local best="" best_v=0 cand real
  local -A seen=()
  for cand in /usr/lib/jvm/* ${JAVA_HOME:+"$JAVA_HOME"}; do
    [[ -d "$cand" ]] || continue
    real="$(readlink -f "$cand")"
    [[ -z "${seen[$real]:-}" ]] || continue
    seen[$real]=1
    v="$(jdk_feature "$real")" || continue
    [[ -x "$real/bin/javac" ]] || continue   # Maven compiles the launcher
    if ((v >= MIN_JAVA && v > best_v)); then best="$real"; best_v="$v"; fi
  done
  [[ -n "$best" ]] || die "no JDK $MIN_JAVA+ found in /usr/lib/jvm or \$JAVA_HOME (OpenSearch 3.x needs Java $MIN_JAVA+). Fix: install one (e.g. apt-get install temurin-25-jdk, or openjdk-21-jdk) or set OPENSEARCH_JAVA_HOME=/path/to/jdk$MIN_JAVA+."
  printf '%s\n' "$best"
}

# ---------------------------------------------------------------- classpath (Maven only when needed)

source_hash() {
  (
    cd "$MODULE_DIR"
    { printf 'pom.xml\n'; find src -type f | LC_ALL=C sort; } | while IFS= read -r f; do
      printf '%s\n' "$f"
      cat "$f"
    done
  ) | sha256sum | cut -d' ' -f1
}

ensure_classpath() {
  local jdk="$1" want have=""
  want="$(source_hash)"
  if [[ -f "$STAMP_FILE" ]]; then have="$(cat "$STAMP_FILE")"; fi
  if [[ "$want" == "$have" && -d "$LIB_DIR" && -d "$CLASSES_DIR" ]]; then
    return 0
  fi
  # Nodes with other state dirs share this build: one Maven run at a time, and a second caller
  # finds it done.
  mkdir -p "$BUILD_DIR"
  exec 8>"$BUILD_DIR/.build.lock"
  flock -w 900 8 || die "another build holds $BUILD_DIR/.build.lock for too long."
  if [[ -f "$STAMP_FILE" ]]; then have="$(cat "$STAMP_FILE")"; fi
  if [[ "$want" == "$have" && -d "$LIB_DIR" && -d "$CLASSES_DIR" ]]; then
    exec 8>&-
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 \
    || die "Maven ('$MVN') not found; it is needed once to fetch OpenSearch from Maven Central. Fix: apt-get install maven, or set MVN=/path/to/mvn."
  err "building launcher + resolving OpenSearch jars with Maven (first start, or infra/opensearch changed) ..."
  rm -rf "$LIB_DIR" "$BUILD_DIR/build" "$STAMP_FILE"
  local mvn_log="$BUILD_DIR/maven.log"
  if ! JAVA_HOME="$jdk" "$MVN" -B -q -f "$MODULE_DIR/pom.xml" \
      -Daisle.local.dir="$BUILD_DIR" compile dependency:copy-dependencies >"$mvn_log" 2>&1; then
    tail -n 30 "$mvn_log" >&2 || true
    die "Maven build of infra/opensearch failed (full output: $mvn_log). Fix: check network access to Maven Central / ~/.m2, or set SEARCH_URL to a running server, or run docker compose up."
  fi
  [[ -d "$CLASSES_DIR" && -d "$LIB_DIR" ]] || die "Maven finished but $CLASSES_DIR or $LIB_DIR is missing (see $mvn_log)."
  printf '%s\n' "$want" >"$STAMP_FILE"
  exec 8>&-
}

# ---------------------------------------------------------------- commands

prepare_state_dir() {
  mkdir -p "$STATE_DIR/tmp"
  # belt and braces: keep this folder out of git even if the repo .gitignore does not list .local/
  [[ -f "$STATE_DIR/.gitignore" ]] || printf '*\n' >"$STATE_DIR/.gitignore"
}

start_failed() {
  local why="$1" pid="${2:-}"
  err "$why"
  if [[ -f "$LOG_FILE" ]]; then
    err "---- last 30 lines of $LOG_FILE ----"
    tail -n 30 "$LOG_FILE" >&2 || true
    err "----"
  fi
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    err "stopping the half-started node (pid $pid)"
    stop_pid "$pid" >&2
  fi
  rm -f "$PID_FILE"
  die "OpenSearch did not become ready at $SEARCH_URL. Log: $LOG_FILE. Fix: check the log; or set SEARCH_URL to a running server; or run docker compose up. (Slow machine? raise OPENSEARCH_START_TIMEOUT, now ${START_TIMEOUT}s.)"
}

wait_healthy() {
  local pid="$1" started=$SECONDS deadline=$((SECONDS + START_TIMEOUT))
  err "waiting for $SEARCH_URL/_cluster/health (timeout ${START_TIMEOUT}s) "
  while ((SECONDS < deadline)); do
    if is_healthy; then
      printf ' %ss\n' "$((SECONDS - started))" >&2
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      printf '\n' >&2
      start_failed "the OpenSearch process (pid $pid) exited during startup."
    fi
    if (((SECONDS - started) % 10 == 0 && SECONDS > started)); then
      printf '%ss' "$((SECONDS - started))" >&2
    else
      printf '.' >&2
    fi
    sleep 1
  done
  printf '\n' >&2
  start_failed "timed out after ${START_TIMEOUT}s waiting for health yellow/green." "$pid"
}

cmd_up() {
  local h
  if h="$(health)" && [[ "$h" == green || "$h" == yellow ]]; then
    say "already up at $SEARCH_URL (OpenSearch $(version || echo '?'), health $h)"
    return 0
  fi

  prepare_state_dir
  # one `up` at a time; a second caller waits here and then finds the node healthy
  exec 9>"$STATE_DIR/.lock"
  flock -w "$((START_TIMEOUT + 600))" 9 || die "another 'opensearch.sh up' holds $STATE_DIR/.lock for too long."
  if h="$(health)" && [[ "$h" == green || "$h" == yellow ]]; then
    say "already up at $SEARCH_URL (OpenSearch $(version || echo '?'), health $h)"
    return 0
  fi

  local pid
  if pid="$(our_pid)"; then
    err "node already starting (pid $pid)"
    wait_healthy "$pid"
    say "up at $SEARCH_URL (OpenSearch $(version || echo '?'), health $(health || echo '?'), pid $pid)"
    return 0
  fi

  url_is_local || die "SEARCH_URL=$SEARCH_URL does not answer with health yellow/green, and it is not a local http://127.0.0.1|localhost URL, so no local node will be started. Fix: start that server, or unset SEARCH_URL to use the local node, or run docker compose up."
  if h="$(health)"; then
    die "$SEARCH_URL answers but health is '$h' (not started by this script?). Fix: check that server, or point SEARCH_URL elsewhere."
  fi

  local jdk port t0=$SECONDS
  jdk="$(pick_jdk)"
  port="$(url_port)"
  ensure_classpath "$jdk"

  local feature
  feature="$(jdk_feature "$jdk")"
  local -a jvm_opts=(
    "-Xms$HEAP" "-Xmx$HEAP"
    -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
    "-Djava.io.tmpdir=$STATE_DIR/tmp"
    --add-modules=jdk.incubator.vector
  )
  if ((feature >= 22)); then jvm_opts+=(--enable-native-access=ALL-UNNAMED); fi
  if [[ -n "${OPENSEARCH_JAVA_OPTS:-}" ]]; then
    # shellcheck disable=SC2206  # intentional word splitting of user-supplied options
    jvm_opts+=(${OPENSEARCH_JAVA_OPTS})
  fi

  if [[ -f "$LOG_FILE" ]]; then mv -f "$LOG_FILE" "$LOG_FILE.prev"; fi
  say "starting OpenSearch on $SEARCH_URL (transport 127.0.0.1:$TRANSPORT_PORT, heap $HEAP, Java $feature at $jdk)"
  say "log: $LOG_FILE"
  (
    cd "$STATE_DIR"
    exec env SEARCH_URL="http://127.0.0.1:$port" OPENSEARCH_TRANSPORT_PORT="$TRANSPORT_PORT" \
      setsid nohup "$jdk/bin/java" "${jvm_opts[@]}" \
      -cp "$CLASSES_DIR:$LIB_DIR/*" "$MAIN_CLASS" "$STATE_DIR" \
      >"$LOG_FILE" 2>&1 </dev/null 9>&-
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  wait_healthy "$pid"
  say "up at $SEARCH_URL (OpenSearch $(version || echo '?'), health $(health || echo '?'), pid $pid, ready in $((SECONDS - t0))s)"
}

# Sends SIGTERM, waits up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
  local pid="$1" deadline
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      die "pid $pid survived SIGKILL for 10s"
    fi
  fi
}

cmd_down() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if is_healthy; then
      say "no node started by this script is running; $SEARCH_URL is served by something else (left alone)"
    else
      say "already down"
    fi
    return 0
  fi
  say "stopping OpenSearch (pid $pid)"
  stop_pid "$pid"
  rm -f "$PID_FILE"
  say "down"
}

cmd_status() {
  local h pid="" extra=""
  if pid="$(our_pid)"; then extra=", pid $pid"; else pid=""; fi
  if h="$(health)"; then
    say "up: $SEARCH_URL OpenSearch $(version || echo '?'), health $h${extra}"
    return 0
  fi
  if [[ -n "$pid" ]]; then
    say "down: $SEARCH_URL not answering yet (node process pid $pid is starting; log $LOG_FILE)"
  else
    say "down: $SEARCH_URL not answering"
  fi
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *)
    printf 'usage: %s up|down|status\n' "$(basename "$0")" >&2
    exit 2
    ;;
esac
