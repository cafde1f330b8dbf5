// Writes deterministic edge-case files for the tokenizer exactness test into the dir given.
// SPDX-License-Identifier: MIT
//
// usage: node make_edge_cases.mjs DIR
// The corpora are ordinary prose and command docs; these files aim at the corners: whitespace
// the regex engines disagree on (U+FEFF, U+0085), contractions, special-token text, very long
// runs (pieces far longer than usual), ill-formed UTF-8, and random mixes of scripts.
// Random text draws only from characters assigned long before Unicode 14 (PCRE2 10.42's
// tables): the reference takes its Unicode tables from the Node version running it, so newer
// characters would test Node's Unicode version rather than the tokenizer.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node make_edge_cases.mjs DIR");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const put = (name, data) => writeFileSync(path.join(dir, name), data);

// xorshift32: the same files on every run and every machine.
let seed = 0x5a9e2024;
const rand = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
};
const pick = (a) => a[Math.floor(rand() * a.length)];
const range = (lo, hi) => () => lo + Math.floor(rand() * (hi - lo + 1));

put("bom.md", "\ufeffhello \ufeff \ufeffworld\n\ufeff  \ufeff\n");
put("nel.md", "a \u0085b\u0085\u0085 c\u0085 \u0085\n\u0085");
put("contractions.md", "it's IT'S we'LL they'Re I'd you've she'M it'ſt ſ'ſ 's 'S dont' ''s x'''s\n");
put("special_tokens.md", "<|endoftext|> hi <|fim_prefix|>x<|fim_middle|>y<|fim_suffix|><|endofprompt|>\n");
put("long_spaces.md", " ".repeat(2000) + "x" + "\t".repeat(1000) + "\n".repeat(1000) + " \n".repeat(300) + "\u3000".repeat(300) + "y  ");
put("long_digits.md", "1234567890".repeat(500) + " 3.14159 1,000,000 ١٢٣٤٥٦٧ ⅫⅯ ²³¹ ①②③");
put("long_letters.md", "a".repeat(1500) + " " + "日本語のテキストは空白がありません".repeat(30) + " " + "Ab".repeat(600));
put("long_punct.md", "=".repeat(1500) + "-".repeat(600) + "!?".repeat(400) + "/".repeat(600) + "\n/");
put("scripts.md", "Ünïcödé ŞĞÇ İı ǅ ǈ ΣΑΣ ΣΑς ﬁ ß ẞ \u0301\u0301a\u0301 Straße\nمرحبا بالعالم ١٢٣ नमस्ते दुनिया ११२३ สวัสดีครับ 안녕하세요 👍🏽👨‍👩‍👧‍👦🇩🇪😀\n");
put("controls.md", Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("").repeat(3) + "\x7f\x85\xa0\r\n\r\r\n");
put("empty.md", "");

// Ill-formed UTF-8: the reference reads it with U+FFFD for each maximal ill-formed subpart.
put("invalid_utf8.md", Buffer.concat([
  Buffer.from("abc\xff\xfe def\n", "latin1"), Buffer.from([0xc3, 0x28, 0x20, 0x78, 0x0a]),
  Buffer.from([0xe2, 0x82, 0x20, 0x79, 0x0a, 0xf0, 0x9f, 0x98, 0x0a]), Buffer.from([0xed, 0xa0, 0x80, 0x0a]),
  Buffer.from([0xc0, 0xaf, 0x0a, 0xf4, 0x90, 0x80, 0x80, 0x0a, 0xe0, 0x80, 0x80, 0x0a]),
  Buffer.from([0xf0, 0x80, 0x80, 0x80, 0x0a, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x0a, 0x80, 0x80, 0x0a]),
  Buffer.from([0xe2, 0x82, 0xac, 0xe2, 0x82, 0x0a, 0xe2]),
]));
// Random bytes: ASCII, continuation bytes, two-byte leads (U+0080..U+07FF, all old) and bytes
// that never start a sequence, so every three- and four-byte sequence is ill-formed.
for (let n = 0; n < 6; ++n) {
  const pools = [range(0x00, 0x7f), range(0x80, 0xbf), range(0xc0, 0xdf), range(0xe0, 0xff)];
  const bytes = Buffer.alloc(4000);
  for (let i = 0; i < bytes.length; ++i) {
    let b = pick(pools)();
    if (b >= 0xe0 && b <= 0xf4) b = 0xf5 + (b % 11); // 0xf5..0xff
    bytes[i] = b;
  }
  put(`random_bytes_${n}.md`, bytes);
}

// Random text from old, stable blocks, weighted towards what splits interestingly.
const spaces = [9, 10, 11, 12, 13, 32, 32, 32, 32, 0x85, 0xa0, 0x1680, 0x2003, 0x2028, 0x2029, 0x202f, 0x3000, 0xfeff, 0x200b];
const sources = [
  [8, range(0x20, 0x7e)], [3, () => pick(spaces)], [2, () => pick([0x27, 0x27, 0x2f, 0x0d, 0x0a])],
  [1, range(0xa1, 0x17f)], [1, range(0x300, 0x36f)], [1, range(0x391, 0x3c9)], [1, range(0x410, 0x44f)],
  [1, range(0x621, 0x64a)], [1, range(0x660, 0x669)], [1, range(0x905, 0x96f)], [1, range(0xe01, 0xe3a)],
  [1, range(0x3041, 0x3096)], [1, range(0x30a1, 0x30fa)], [2, range(0x4e00, 0x9fa5)], [1, range(0xac00, 0xd7a3)],
  [1, range(0xff01, 0xff5e)], [1, range(0x2010, 0x205e)], [1, range(0x2160, 0x2182)], [1, range(0x2460, 0x249b)],
  [1, range(0x1f600, 0x1f64f)], [1, range(0x1d400, 0x1d6a3)], [1, range(0x2b0, 0x2ff)],
  [1, () => pick([0xb2, 0xb3, 0xb9, 0x1c5, 0x1c8, 0x1cb, 0x1f2, 0x17f, 0x2019, 0x212a])],
];
const total = sources.reduce((s, [w]) => s + w, 0);
const draw = () => {
  let r = rand() * total;
  for (const [w, f] of sources) if ((r -= w) < 0) return f();
  return 0x20;
};
for (let n = 0; n < 40; ++n) {
  let s = "";
  // Runs of one source make words, numbers and whitespace runs rather than pure noise.
  while (s.length < 3000) {
    const cp = draw();
    const run = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < run; ++i) s += String.fromCodePoint(rand() < 0.7 ? cp : draw());
  }
  put(`random_text_${String(n).padStart(2, "0")}.md`, s);
}
