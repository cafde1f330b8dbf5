#!/usr/bin/env bash
# Installs the Debian packages SAGE needs; by default every package of the build, tests and
# benchmarks. Idempotent: packages already present are skipped; uses sudo when not root.
#
# Usage: install-deps.sh [--build | --runtime] [--list]
#   (no mode)   everything: build, tests, benchmarks (what CI and developers use)
#   --build     only what building `sage` needs (the build stage of deploy/Dockerfile)
#   --runtime   only the shared libraries `sage` runs with (the image's runtime stage); the
#               deploy test checks this list against `ldd` of a built binary
#   --list      print the chosen packages, one a line, instead of installing them
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config
  libcaf-dev                 # actors, remote actors (CAF 0.17.6)
  nlohmann-json3-dev         # JSON
  libyaml-cpp-dev            # YAML config and front matter
  libspdlog-dev libfmt-dev   # logging
  libcpp-httplib-dev         # HTTP server and client
  libcli11-dev               # CLI parsing
  libmd4c-dev                # Markdown parsing
  libutf8proc-dev            # Unicode normalisation and case folding
  libstemmer-dev             # Snowball stemming
  libsqlite3-dev             # memory store
  uuid-dev                   # memory entry ids (libuuid)
  libpcre2-dev               # tokenizer pre-split patterns (\p{L}, look-ahead)
  libicu-dev                 # sentence and word boundaries for extractive summaries
  libssl-dev                 # SHA-256 checksums of backups (libcrypto)
  prometheus-cpp-dev         # metrics registry and Prometheus text format (core library)
)

# The packages that own the libraries the `sage` binary loads, as named in Debian bookworm
# (the names carry the library's soname, so they change between Debian releases).
runtime_packages=(
  libc6 libgcc-s1 libstdc++6
  libcaf-core0.17 libcaf-io0.17
  libyaml-cpp0.7
  libspdlog1.10 libfmt9
  libcpp-httplib0.11 libssl3 zlib1g libbrotli1
  libmd4c0
  libutf8proc2
  libstemmer0d
  libsqlite3-0
  libuuid1
  libpcre2-8-0
  libicu72
  libprometheus-cpp-core1.0
)

# Beyond the build: tests, benchmarks and the tools the ctest entries call.
dev_packages=(
  ccache git ca-certificates
  libboost-test-dev          # tests
  sqlite3                    # FTS5 baseline in benchmarks
  libbenchmark-dev           # micro-benchmarks
  nodejs npm                 # reference tokenizer and MCP SDK in interop tests
  xz-utils tar               # extracting the tldr corpus in tests and benchmarks
  curl
  hyperfine                  # whole-process timings in bench/
  wrk                        # HTTP load in bench/http_bench.sh
  clang-format               # the format check run by ctest
  systemd                    # systemd-analyze verify of deploy/systemd/sage.service
  iproute2                   # a loopback in the network namespace of the deploy test
  util-linux mount           # unshare and a read-only bind mount in the health test
  prometheus                 # promtool check metrics on what `sage serve` serves at /metrics
)

mode=all
list_only=false
for arg in "$@"; do
  case $arg in
    --build) mode=build ;;
    --runtime) mode=runtime ;;
    --list) list_only=true ;;
    *)
      echo "install-deps: unknown argument $arg" >&2
      echo "hint: usage: install-deps.sh [--build | --runtime] [--list]" >&2
      exit 2
      ;;
  esac
done

case $mode in
  all) packages=("${build_packages[@]}" "${dev_packages[@]}") ;;
  build) packages=("${build_packages[@]}") ;;
  runtime) packages=("${runtime_packages[@]}") ;;
esac

if $list_only; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

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
