#!/usr/bin/env bash
# Brings all four stores up (or down, or reports them). Each store script is idempotent and uses a
# server that already answers at its URL, so this is safe to run any number of times.
#
#   infra/local/stores.sh up | down | status
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stores=(postgres redis opensearch clickhouse)
action="${1:-}"

case "$action" in
  up)
    started=$SECONDS
    # Postgres and Redis answer in seconds; OpenSearch is the slow one, so it starts first in the
    # background while the others come up, and everything is awaited at the end.
    "$here/opensearch.sh" up & search_pid=$!
    "$here/postgres.sh" up
    "$here/redis.sh" up
    "$here/clickhouse.sh" up
    wait "$search_pid"
    echo "[stores] all four stores up in $((SECONDS - started)) s" >&2
    ;;
  down)
    for store in "${stores[@]}"; do "$here/$store.sh" down; done
    ;;
  status)
    failed=0
    for store in "${stores[@]}"; do "$here/$store.sh" status || failed=1; done
    exit "$failed"
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
