#!/usr/bin/env bash
# `npm test`: lint, typecheck and every test tier against the real stores, which it brings up
# first when they are not up. Extra arguments go to tap (e.g. a file to run alone).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
prepare_local
ensure_chromium
ensure_promtool
echo "[test] lint" >&2
npm run --silent lint
echo "[test] typecheck" >&2
npm run --silent typecheck
echo "[test] tap" >&2
npx tap "$@"
