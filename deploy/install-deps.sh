#!/usr/bin/env bash
# Installs every Debian package the SAGE build, tests and benchmarks need.
# Idempotent: packages already present are skipped; uses sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git ca-certificates
  libcaf-dev                 # actors, remote actors (CAF 0.17.6)
  nlohmann-json3-dev         # JSON
  libyaml-cpp-dev            # YAML config and front matter
  libspdlog-dev libfmt-dev   # logging
  libcpp-httplib-dev         # HTTP server and client
  libboost-test-dev          # tests
  libcli11-dev               # CLI parsing
  libmd4c-dev                # Markdown parsing
  libutf8proc-dev            # Unicode normalisation and case folding
  libstemmer-dev             # Snowball stemming
  libsqlite3-dev sqlite3     # memory store; FTS5 baseline in benchmarks
  uuid-dev                   # memory entry ids (libuuid)
  libpcre2-dev               # tokenizer pre-split patterns (\p{L}, look-ahead)
  libicu-dev                 # sentence and word boundaries for extractive summaries
  libbenchmark-dev           # micro-benchmarks
  nodejs npm                 # reference tokenizer and MCP SDK in interop tests
  xz-utils tar               # extracting the tldr corpus in tests and benchmarks
  curl
  hyperfine                 # whole-process timings in bench/
  clang-format              # the format check run by ctest
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# node and npm may come from outside Debian on some machines; accept a working pair.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages present"
  exit 0
fi

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
