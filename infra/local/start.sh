#!/usr/bin/env bash
# `npm start`: installs what is missing, brings the stores up, migrates, builds and runs every
# service (or only the ones named: `npm start -- catalog-read`). Ctrl-C stops them all.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
prepare_local
load_local_tokens "$REPO_ROOT"
echo "[build] tsc" >&2
npx tsc -p tsconfig.build.json
node dist/services/ops-cli/main.js migrate
node dist/services/ops-cli/main.js bootstrap
exec node infra/local/run-services.mjs "$@"
