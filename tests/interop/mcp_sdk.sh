#!/usr/bin/env bash
# Runs sage's MCP server under the official MCP TypeScript SDK client (mcp_sdk.mjs), over stdio
# (`sage mcp`) or Streamable HTTP (`sage serve`).
# SPDX-License-Identifier: MIT
#
# usage: tests/interop/mcp_sdk.sh stdio|http [SAGE_BINARY [NODE_DIR]]
#   SAGE_BINARY   the sage executable (default: build/services/sage)
#   NODE_DIR      where @modelcontextprotocol/sdk is npm-installed (default: build/interop-node-mcp)
#   CI=true       missing node or npm fail the test instead of skipping it
#
# The SDK is pinned to an exact version and installed into NODE_DIR on the first run (needs
# the npm registry once); nothing is installed into the source tree.
set -euo pipefail

MCP_SDK_VERSION=1.32.2 # speaks 2025-11-25 (LATEST_PROTOCOL_VERSION) and 2025-06-18

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
transport="${1:-}"
[[ "$transport" == "stdio" || "$transport" == "http" ]] ||
  { echo "usage: $0 stdio|http [SAGE_BINARY [NODE_DIR]]" >&2; exit 2; }
sage="${2:-$root/build/services/sage}"
node_dir="${3:-$root/build/interop-node-mcp}"

skip_or_fail() {
  echo "" >&2
  echo "########################################################################" >&2
  echo "## SKIP mcp_sdk_$transport: $1" >&2
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
node_major=$(node -p 'process.versions.node.split(".")[0]')
(( node_major >= 18 )) ||
  skip_or_fail "node $(node --version) is too old; the SDK needs node 18 or later"

pkg="$node_dir/node_modules/@modelcontextprotocol/sdk/package.json"
if [[ ! -f "$pkg" ]] || ! grep -q "\"version\": \"$MCP_SDK_VERSION\"" "$pkg"; then
  echo "installing @modelcontextprotocol/sdk@$MCP_SDK_VERSION into $node_dir" >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" "@modelcontextprotocol/sdk@$MCP_SDK_VERSION" \
    --no-audit --no-fund >&2
fi

SAGE_INTEROP_NODE_DIR="$node_dir" node "$here/mcp_sdk.mjs" "$transport" "$sage"
