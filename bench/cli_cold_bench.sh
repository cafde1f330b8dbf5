#!/usr/bin/env bash
# Wall time of a cold `sage search` process (a fresh process per run) with and without the
# on-disk index cache, on the bundled KB, the sage-kb corpus and the tldr pages, beside the
# sqlite3 shell answering the same OR query from an FTS5 database built once.
# Usage: bench/cli_cold_bench.sh BUILD_DIR [CORPORA_DIR]
set -euo pipefail
build=${1:?usage: cli_cold_bench.sh BUILD_DIR [CORPORA_DIR]}
corpora=${2:-${SAGE_CORPORA:-$(dirname "$0")/../../shared/corpora}}
sage="$build/services/sage"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "hyperfine missing: run deploy/install-deps.sh" >&2; exit 1; }

mkdir -p "$work/tldr"
tar xJf "$corpora/tldr-pages.tar.xz" -C "$work/tldr"

bench_kb() { # name kb_path query
  local name=$1 kb=$2 query=$3
  echo "== $name: sage search \"$query\""
  local cache="$work/cache-$name"
  rm -rf "$cache"
  SAGE_CACHE_DIR="$cache" "$sage" --kb "$kb" search "$query" >/dev/null # warm the cache
  hyperfine --warmup 1 --runs 10 -N --style basic \
    -n "without cache" "env SAGE_CACHE__ENABLED=false $sage --kb $kb search '$query'" \
    -n "with warm cache" "env SAGE_CACHE_DIR=$cache $sage --kb $kb search '$query'" 2>&1 |
    grep -E "Time|±|without|with warm" || true
  # Baseline: the sqlite3 shell over an FTS5 table of the same files (one row per file).
  local db="$work/$name.db"
  python3 - "$kb" "$db" <<'PY'
import os, sqlite3, sys
root, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
con.execute("create virtual table docs using fts5(path, body)")
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith(".md"):
            p = os.path.join(d, f)
            con.execute("insert into docs values (?, ?)", (p, open(p, encoding="utf-8", errors="replace").read()))
con.commit()
PY
  local match
  match=$(echo "$query" | sed 's/ / OR /g')
  hyperfine --warmup 1 --runs 10 -N --style basic \
    -n "sqlite3 fts5 process" "sqlite3 $db \"select path from docs where docs match '$match' order by rank limit 10\"" 2>&1 |
    grep -E "Time|±|sqlite3" || true
}

bench_kb bundled "$(dirname "$0")/../knowledge" "timeout circuit breaker"
bench_kb sage-kb "$corpora/sage-kb/knowledge" "timeout circuit breaker"
bench_kb tldr "$work/tldr" "compress archive files"
