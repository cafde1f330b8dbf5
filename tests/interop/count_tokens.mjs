// Reference token counts (js-tiktoken) of the files named on stdin, for the exactness test.
// SPDX-License-Identifier: MIT
//
// usage: NODE_PATH=<dir>/node_modules node count_tokens.mjs < paths
// Prints one "path<TAB>cl100k<TAB>o200k" line per path, like sage_count_tokens.
// Files are read as Node reads UTF-8 (ill-formed bytes become U+FFFD, a BOM is kept), and
// special tokens such as <|endoftext|> count as ordinary text: encode(text, [], []) — the
// default encode(text) would throw on them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// js-tiktoken lives in the interop node dir, not next to this script: resolve it from there.
const nodeDir = process.env.SAGE_INTEROP_NODE_DIR;
if (!nodeDir) {
  console.error("error: set SAGE_INTEROP_NODE_DIR to the dir js-tiktoken was installed into");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeDir), "package.json"));
const { getEncoding } = require("js-tiktoken");

const cl100k = getEncoding("cl100k_base");
const o200k = getEncoding("o200k_base");

const paths = readFileSync(0, "utf8").split("\n").filter(Boolean);
const out = [];
for (const p of paths) {
  const text = readFileSync(p, "utf8");
  out.push(`${p}\t${cl100k.encode(text, [], []).length}\t${o200k.encode(text, [], []).length}`);
}
process.stdout.write(out.length ? out.join("\n") + "\n" : "");
