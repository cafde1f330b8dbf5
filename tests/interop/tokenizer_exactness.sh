#!/usr/bin/env bash
# Compares our cl100k_base/o200k_base token counts with the reference tokenizer (js-tiktoken).
# SPDX-License-Identifier: MIT
#
# usage: tests/interop/tokenizer_exactness.sh [NODE_DIR]
#   NODE_DIR            where js-tiktoken is npm-installed (default: build/interop-node)
#   SAGE_COUNT_TOKENS   our counting tool (default: build/tests/interop/sage_count_tokens)
#   SAGE_CORPORA        the shared corpora (default: ../shared/corpora from the repo root)
#   SAGE_INTEROP_WORK   scratch dir for the extracted tldr pages (default: beside NODE_DIR)
#   CI=true             missing corpora or node fail the test instead of skipping it
#
# Files compared: every .md of sage-kb/knowledge, a fixed sample of the tldr pages (every Nth
# of the byte-sorted list, so every language folder is represented), and generated edge cases
# (make_edge_cases.mjs). Counts must be equal for every file and both encodings.
set -euo pipefail

JS_TIKTOKEN_VERSION=1.0.21 # keep in step with data/tokenizers/generate.sh
TLDR_SAMPLE_TARGET=2400    # sample size aimed at; the test requires at least 2000

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node_dir="${1:-$root/build/interop-node}"
tool="${SAGE_COUNT_TOKENS:-$root/build/tests/interop/sage_count_tokens}"
corpora="${SAGE_CORPORA:-${SAGE_CORPORA_DEFAULT:-$root/../shared/corpora}}"
work="${SAGE_INTEROP_WORK:-$(dirname "$node_dir")/interop-work}"
export LC_ALL=C # byte order for sorting, the same sample on every machine

skip_or_fail() {
  echo "" >&2
  echo "########################################################################" >&2
  echo "## SKIP tokenizer_exactness: $1" >&2
  echo "########################################################################" >&2
  if [[ "${CI:-}" == "true" ]]; then
    echo "error: CI=true, so this is a failure" >&2
    exit 1
  fi
  exit 0
}

[[ -x "$tool" ]] || { echo "error: $tool not found; build the sage_count_tokens target first" >&2; exit 1; }
command -v node >/dev/null || skip_or_fail "node is not installed"
command -v npm >/dev/null || skip_or_fail "npm is not installed"

if [[ ! -f "$node_dir/node_modules/js-tiktoken/package.json" ]] ||
   ! grep -q "\"version\": \"$JS_TIKTOKEN_VERSION\"" "$node_dir/node_modules/js-tiktoken/package.json"; then
  echo "installing js-tiktoken@$JS_TIKTOKEN_VERSION into $node_dir" >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" "js-tiktoken@$JS_TIKTOKEN_VERSION" --no-audit --no-fund >&2
fi
export SAGE_INTEROP_NODE_DIR="$node_dir"

mkdir -p "$work"
list="$work/files.txt"
: >"$list"

# Edge cases first: they need no corpora.
rm -rf "$work/edge"
node "$here/make_edge_cases.mjs" "$work/edge"
find "$work/edge" -type f | sort >>"$list"
edge_count=$(wc -l <"$list")

corpus_note=""
kb="$corpora/sage-kb/knowledge"
tldr_archive="$corpora/tldr-pages.tar.xz"
if [[ -d "$kb" && -f "$tldr_archive" ]]; then
  find "$kb" -type f -name '*.md' | sort >>"$list"
  kb_count=$(( $(wc -l <"$list") - edge_count ))

  tldr="$work/tldr"
  if [[ ! -f "$tldr/.extracted" ]]; then
    rm -rf "$tldr"
    mkdir -p "$tldr"
    tar xJf "$tldr_archive" -C "$tldr"
    touch "$tldr/.extracted"
  fi
  all="$work/tldr-all.txt"
  (cd "$tldr" && find . -path './pages*' -type f -name '*.md' | sed 's|^\./||' | sort) >"$all"
  total=$(wc -l <"$all")
  step=$(( total / TLDR_SAMPLE_TARGET ))
  (( step >= 1 )) || step=1
  awk -v step="$step" -v dir="$tldr" '(NR - 1) % step == 0 { print dir "/" $0 }' "$all" >"$work/tldr-sample.txt"
  sample_count=$(wc -l <"$work/tldr-sample.txt")
  langs=$(sed "s|^$tldr/||; s|/.*||" "$work/tldr-sample.txt" | sort -u | wc -l)
  all_langs=$(sed 's|/.*||' "$all" | sort -u | wc -l)
  if (( sample_count < 2000 || langs < all_langs )); then
    echo "error: tldr sample too small ($sample_count files, $langs of $all_langs language folders)" >&2
    exit 1
  fi
  cat "$work/tldr-sample.txt" >>"$list"
  corpus_note="$kb_count sage-kb files, $sample_count of $total tldr pages (every ${step}th, $langs language folders)"
else
  corpus_missing=1
fi

"$tool" <"$list" >"$work/ours.tsv"
node "$here/count_tokens.mjs" <"$list" >"$work/reference.tsv"

compared=$(wc -l <"$list")
if ! cmp -s "$work/ours.tsv" "$work/reference.tsv"; then
  echo "tokenizer_exactness: MISMATCHES (path: ours cl100k/o200k vs reference cl100k/o200k)" >&2
  paste "$work/ours.tsv" "$work/reference.tsv" |
    awk -F'\t' '$1 != $4 || $2 != $5 || $3 != $6 { printf "  %s: %s/%s vs %s/%s\n", $1, $2, $3, $5, $6; n++ }
                END { printf "%d of %d files differ\n", n, NR }' >&2
  exit 1
fi
echo "tokenizer_exactness: $compared files equal for cl100k_base and o200k_base ($edge_count edge cases${corpus_note:+, $corpus_note})"

if [[ -n "${corpus_missing:-}" ]]; then
  skip_or_fail "corpora not found under $corpora (set SAGE_CORPORA); only the $edge_count edge cases were compared"
fi
