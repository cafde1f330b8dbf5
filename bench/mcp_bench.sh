#!/usr/bin/env bash
# MCP latency of `sage mcp` (stdio) and `sage serve` (Streamable HTTP) under the official MCP
# TypeScript SDK client, beside the reference @modelcontextprotocol/server-filesystem reading the
# same file over stdio in the same run (mcp_bench.mjs says what is measured).
# SPDX-License-Identifier: MIT
#
# usage: bench/mcp_bench.sh BUILD_DIR [--calls N] [--init-runs N]
#   BUILD_DIR      a build with the sage target built (Release for figures worth keeping)
#   SAGE_CORPORA   the shared corpora (default: ../shared/corpora from the repo root)
#
# The SDK and server-filesystem are pinned to exact versions and installed into
# BUILD_DIR/bench-node-mcp on the first run (needs the npm registry once); the tldr pages are
# extracted into BUILD_DIR/bench-tldr once. Nothing is written into the source tree.
set -euo pipefail

MCP_SDK_VERSION=1.32.2
MCP_FS_VERSION=2026.8.31 # @modelcontextprotocol/server-filesystem

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
usage="usage: bench/mcp_bench.sh BUILD_DIR [--calls N] [--init-runs N]"
[[ -d "${1:-}" ]] || { echo "error: build folder '${1:-}' not found; $usage" >&2; exit 2; }
build="$(cd "$1" && pwd)"
shift
sage="$build/services/sage"
corpora="${SAGE_CORPORA:-$root/../shared/corpora}"
node_dir="$build/bench-node-mcp"
tldr="$build/bench-tldr"

[[ -x "$sage" ]] || { echo "error: $sage not found; build the sage target first" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "error: node and npm are needed (node 18 or later)" >&2; exit 1; }
[[ -f "$corpora/tldr-pages.tar.xz" ]] ||
  { echo "error: $corpora/tldr-pages.tar.xz not found; set SAGE_CORPORA" >&2; exit 1; }

installed() { # package version
  grep -qs "\"version\": \"$2\"" "$node_dir/node_modules/$1/package.json"
}
if ! installed @modelcontextprotocol/sdk "$MCP_SDK_VERSION" ||
   ! installed @modelcontextprotocol/server-filesystem "$MCP_FS_VERSION"; then
  echo "installing the MCP SDK $MCP_SDK_VERSION and server-filesystem $MCP_FS_VERSION" \
       "into $node_dir" >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund \
    "@modelcontextprotocol/sdk@$MCP_SDK_VERSION" \
    "@modelcontextprotocol/server-filesystem@$MCP_FS_VERSION" >&2
fi

if [[ ! -f "$tldr.extracted" ]]; then
  echo "extracting the tldr pages into $tldr" >&2
  rm -rf "$tldr" && mkdir -p "$tldr"
  tar xJf "$corpora/tldr-pages.tar.xz" -C "$tldr"
  touch "$tldr.extracted"
fi

SAGE_BENCH_NODE_DIR="$node_dir" node "$here/mcp_bench.mjs" "$sage" "$root/knowledge" "$tldr" "$@"
