#!/usr/bin/env bash
# Validates the OpenAPI document `sage serve` publishes at /v1/openapi.json against the
# OpenAPI 3.1 JSON schemas, with a validator nobody here wrote (@seriousme/openapi-schema-validator).
# SPDX-License-Identifier: MIT
#
# usage: tests/interop/openapi_validate.sh [SAGE_BINARY [NODE_DIR]]
#   SAGE_BINARY   the sage executable (default: build/services/sage)
#   NODE_DIR      where the validator is npm-installed (default: build/interop-node-openapi)
#   CI=true       missing node or npm fail the test instead of skipping it
#
# The validator is pinned to an exact version and installed into NODE_DIR on the first run
# (needs the npm registry once); nothing is installed into the source tree.
set -euo pipefail

VALIDATOR_VERSION=2.11.0

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sage="${1:-$root/build/services/sage}"
node_dir="${2:-$root/build/interop-node-openapi}"

skip_or_fail() {
  echo "" >&2
  echo "########################################################################" >&2
  echo "## SKIP openapi_validate: $1" >&2
  echo "########################################################################" >&2
  if [[ "${CI:-}" == "true" ]]; then
    echo "error: CI=true, so this is a failure" >&2
    exit 1
  fi
  exit 0
}

[[ -x "$sage" ]] || { echo "error: $sage not found; build the sage target first" >&2; exit 1; }
command -v node >/dev/null || skip_or_fail "node is not installed"
command -v npm >/dev/null || skip_or_fail "npm is not installed"
command -v curl >/dev/null || skip_or_fail "curl is not installed"

pkg="$node_dir/node_modules/@seriousme/openapi-schema-validator/package.json"
if [[ ! -f "$pkg" ]] || ! grep -q "\"version\": \"$VALIDATOR_VERSION\"" "$pkg"; then
  echo "installing @seriousme/openapi-schema-validator@$VALIDATOR_VERSION into $node_dir" >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" "@seriousme/openapi-schema-validator@$VALIDATOR_VERSION" \
    --no-audit --no-fund >&2
fi

work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A private home, cache and data folder; any free ports.
env -u SAGE_API_KEY HOME="$work" SAGE_CACHE_DIR="$work/cache" SAGE_DATA_DIR="$work/data" \
  "$sage" serve --api-port 0 --mcp-port 0 --metrics-port 0 2>"$work/serve.err" &
pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(grep -oE 'api server listening on http://127\.0\.0\.1:[0-9]+' "$work/serve.err" | head -1 |
        sed 's/.* on //') || true
  [[ -n "$url" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.err" >&2; echo "error: sage serve exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { cat "$work/serve.err" >&2; echo "error: sage serve did not start" >&2; exit 1; }

curl -sf "$url/v1/openapi.json" -o "$work/openapi.json"
SAGE_INTEROP_NODE_DIR="$node_dir" node "$here/openapi_validate.mjs" "$work/openapi.json"
