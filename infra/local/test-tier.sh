#!/usr/bin/env bash
# `npm run test:unit|test:int|test:e2e`: one tier of tests, chosen by the file suffix
# (*.unit.test.ts: no I/O; *.int.test.ts: real stores; *.e2e.test.ts: whole processes).
# Unit tests need no store; the other tiers bring the stores up first. `npm test` runs all tiers
# plus lint and typecheck. Extra arguments go to tap.
set -euo pipefail
tier="${1:?usage: test-tier.sh unit|int|e2e [tap args]}"
shift
case "$tier" in unit | int | e2e) ;; *) echo "unknown tier: $tier (unit, int or e2e)" >&2 && exit 2 ;; esac
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
if [ "$tier" = unit ]; then
  cd "$REPO_ROOT"
  ensure_node_deps "$REPO_ROOT"
else
  prepare_local
  if [ "$tier" = e2e ]; then ensure_chromium; fi
fi
mapfile -t files < <(find services shared test bench -name "*.${tier}.test.ts" -not -path '*/node_modules/*' | sort)
echo "[test:${tier}] ${#files[@]} files" >&2
npx tap "$@" "${files[@]}"
