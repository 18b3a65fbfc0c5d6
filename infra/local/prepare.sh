# What `npm start` and `npm test` both do first (sourced): npm dependencies, then the stores.
# shellcheck shell=bash
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ensure_node_deps() {
  local root="$1"
  if [ ! -f "$root/node_modules/.package-lock.json" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    echo "[deps] npm ci" >&2
    # A registry mirror without other platforms' optional packages (msgpackr-extract's builds for
    # macOS/Windows) makes npm ci refuse any lock; npm install --no-save then installs the same
    # locked versions without rewriting the lock.
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null) ||
      (echo "[deps] npm ci refused the lock; npm install --no-save" >&2 &&
        cd "$root" && npm install --no-save --no-audit --no-fund --loglevel=error)
  fi
}

# Local bearer tokens: generated once into .local/tokens.env (mode 600), never printed.
load_local_tokens() {
  local root="$1" file="$1/.local/tokens.env"
  if [ ! -f "$file" ]; then
    mkdir -p "$root/.local"
    (umask 077 && printf 'ADMIN_TOKENS=%s\nANALYTICS_TOKENS=%s\n' "$(openssl rand -hex 24)" "$(openssl rand -hex 24)" >"$file")
    echo "[tokens] generated local bearer tokens in .local/tokens.env" >&2
  fi
  local line key
  while IFS= read -r line; do
    key="${line%%=*}"
    if [ -z "${!key:-}" ]; then export "${key}=${line#*=}"; fi
  done <"$file"
}

# Debian's chromium for the storefront's browser test. A failed install does not stop the tests:
# that one test then skips, saying why.
ensure_chromium() {
  "$REPO_ROOT/infra/local/chromium.sh" up ||
    echo "[chromium] not available: the storefront browser test will be skipped" >&2
}

# Prometheus's promtool for the alert rules' tests; like chromium, a failed install only makes
# that one test skip, saying why.
ensure_promtool() {
  "$REPO_ROOT/infra/local/promtool.sh" up ||
    echo "[promtool] not available: the alert rules' promtool tests will be skipped" >&2
}

# Leaves the shell in the repository root with dependencies installed and all stores up.
prepare_local() {
  cd "$REPO_ROOT" || return 1
  ensure_node_deps "$REPO_ROOT"
  infra/local/stores.sh up
}
