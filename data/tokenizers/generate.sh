#!/usr/bin/env bash
# Regenerates the BPE rank tables (cl100k_base, o200k_base) from the js-tiktoken npm package.
# SPDX-License-Identifier: MIT
#
# The tables are data from the tiktoken project (MIT, see NOTICE at the repo root). js-tiktoken
# ships them in a compressed form ("! <first rank> <base64> <base64> ..." groups); this script
# writes them back in the standard `.tiktoken` form, one "<base64 of token bytes> <rank>" line per
# token, ordered by rank. The result is byte-identical to the files tiktoken itself downloads
# (the SHA-256 sums below are the ones tiktoken pins in openai_public.py).
#
# usage: data/tokenizers/generate.sh [work dir]   (needs node and npm, uses /tmp by default)
set -euo pipefail

JS_TIKTOKEN_VERSION=1.0.21
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-$(mktemp -d /tmp/sage-tiktoken.XXXXXX)}"

if [[ ! -f "$work/node_modules/js-tiktoken/package.json" ]]; then
  npm install --prefix "$work" "js-tiktoken@${JS_TIKTOKEN_VERSION}" --no-audit --no-fund >&2
fi

for enc in cl100k_base o200k_base; do
  (cd "$work" && node --input-type=module -e "
    const { default: data } = await import('js-tiktoken/ranks/${enc}');
    const lines = [];
    for (const group of data.bpe_ranks.split('\n').filter(Boolean)) {
      const [, first, ...tokens] = group.split(' ');
      tokens.forEach((tok, i) => lines.push([Number.parseInt(first, 10) + i, tok]));
    }
    lines.sort((a, b) => a[0] - b[0]);
    process.stdout.write(lines.map(([rank, tok]) => tok + ' ' + rank + '\n').join(''));
  ") >"$here/${enc}.tiktoken"
done

# Expected hashes of the upstream files (tiktoken/tiktoken_ext/openai_public.py).
sha256sum --check <<SUMS
223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7  $here/cl100k_base.tiktoken
446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d  $here/o200k_base.tiktoken
SUMS
