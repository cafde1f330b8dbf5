// Rank table of a byte-pair encoding: `.tiktoken` parsing and the flat hash lookup.
// SPDX-License-Identifier: MIT
#include "core/bpe_ranks.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

namespace sage::core {
namespace {

uint64_t load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

uint32_t load32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

/// The first (up to) eight bytes of `p`, zero-padded, read without touching bytes past `n`.
uint64_t prefix_of(const char* p, size_t n) {
  if (n >= 8) return load64(p);
  if (n >= 4) {
    // Two overlapping 4-byte reads; shift out the overlap of the high one.
    const uint64_t hi = load32(p + n - 4);
    return load32(p) | ((hi >> (8 * (8 - n))) << 32);
  }
  auto b = [&](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
  uint64_t w = n > 0 ? b(0) : 0;
  if (n > 1) w |= b(1) << 8;
  if (n > 2) w |= b(2) << 16;
  return w;
}

/// A small multiply-xorshift hash over the prefix, the length and any bytes past eight. Tokens
/// are short, so the fixed cost is what matters: whole-word reads, no byte loop.
uint64_t hash_of(uint64_t prefix, const char* p, size_t n) {
  constexpr uint64_t k = 0x9e3779b97f4a7c15ULL;
  uint64_t h = (prefix ^ (n * 0x2545f4914f6cdd1dULL)) * k;
  for (size_t i = 8; i < n; i += 8) {
    h ^= h >> 29;
    h = (h ^ (i + 8 <= n ? load64(p + i) : prefix_of(p + i, n - i))) * k;
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

/// Base64 alphabet -> 6-bit value; 0xff for bytes outside it.
struct base64_table {
  unsigned char v[256];
  constexpr base64_table() : v{} {
    for (auto& x : v)
      x = 0xff;
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
      v[static_cast<unsigned char>(a[i])] = static_cast<unsigned char>(i);
  }
};
constexpr base64_table b64;

/// Decodes `in` (padded standard base64) into `out`, which has room for 3/4 of its size.
/// Returns the number of bytes written, or -1 if `in` is malformed.
long decode_base64(std::string_view in, char* out) {
  if (in.empty() || in.size() % 4 != 0) return -1;
  const auto* q = reinterpret_cast<const unsigned char*>(in.data());
  size_t pad = 0;
  if (in.back() == '=') pad = in[in.size() - 2] == '=' ? 2 : 1;
  const size_t full = in.size() / 4 - (pad ? 1 : 0);
  char* o = out;
  for (size_t g = 0; g < full; ++g, q += 4) {
    const uint32_t a = b64.v[q[0]], b = b64.v[q[1]], c = b64.v[q[2]], d = b64.v[q[3]];
    if ((a | b | c | d) & 0xc0) return -1; // 0xff marks bytes outside the alphabet
    const uint32_t bits = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<char>(bits >> 16);
    o[1] = static_cast<char>(bits >> 8);
    o[2] = static_cast<char>(bits);
    o += 3;
  }
  if (pad) {
    const uint32_t a = b64.v[q[0]], b = b64.v[q[1]], c = pad == 1 ? b64.v[q[2]] : 0;
    if ((a | b | c) & 0xc0) return -1;
    const uint32_t bits = (a << 18) | (b << 12) | (c << 6);
    *o++ = static_cast<char>(bits >> 16);
    if (pad == 1) *o++ = static_cast<char>(bits >> 8);
  }
  return o - out;
}

} // namespace

result<bpe_ranks> bpe_ranks::load(const std::string& path) {
  // One read of the whole file: the table is a few MB and is parsed in a single pass.
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    return make_error(error_code::io, "cannot open token rank table " + path,
                      "check the data directory (it must contain tokenizers/<encoding>.tiktoken)");
  }
  std::string text;
  char buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0)
    text.append(buf, got);
  if (std::ferror(f.get()))
    return make_error(error_code::io, "cannot read token rank table " + path);
  return parse(text, path);
}

result<bpe_ranks> bpe_ranks::parse(std::string_view text, const std::string& origin) {
  bpe_ranks t;
  // The shortest line ("IQ== 0\n") has 7 bytes: reserving for that many lines never regrows,
  // and the untouched tail of the reservation costs no memory.
  t.tokens_.reserve(text.size() / 7 + 1);
  // Decoded bytes are at most 3/4 of the text: decode straight into place, trim at the end.
  t.arena_.resize(text.size() * 3 / 4 + 4);
  char* const arena = t.arena_.data();
  size_t used = 0;
  t.byte_rank_.fill(no_rank);

  // One hand-written pass per line (base64, one space, decimal rank): this loop is most of the
  // load time of a CLI call, so no per-line searches or allocations.
  const char* p = text.data();
  const char* const stop = p + text.size();
  size_t line_no = 0;
  while (p < stop) {
    ++line_no;
    const auto bad = [&] {
      return make_error(error_code::parse,
                        "malformed token rank table " + origin + " at line " +
                            std::to_string(line_no),
                        "regenerate it with data/tokenizers/generate.sh");
    };
    const char* const b64_begin = p;
    while (p < stop && *p != ' ' && *p != '\n')
      ++p;
    if (p == b64_begin && p < stop && *p == '\n') { // blank line
      ++p;
      continue;
    }
    if (p == stop || *p != ' ') return bad();
    const std::string_view b64_text(b64_begin, static_cast<size_t>(p - b64_begin));
    ++p;
    uint64_t rank = 0;
    const char* const digits = p;
    while (p < stop && *p >= '0' && *p <= '9') {
      rank = rank * 10 + static_cast<uint64_t>(*p - '0');
      if (rank >= no_rank) return bad();
      ++p;
    }
    if (p == digits) return bad();
    if (p < stop && *p == '\r') ++p;
    if (p < stop && *p++ != '\n') return bad();
    const long n = decode_base64(b64_text, arena + used);
    if (n < 0) return bad();
    if (used + static_cast<size_t>(n) > UINT32_MAX) return bad();
    t.tokens_.push_back(
        {static_cast<uint32_t>(used), static_cast<uint32_t>(n), static_cast<uint32_t>(rank)});
    used += static_cast<size_t>(n);
  }
  t.arena_.resize(used);
  if (t.tokens_.empty()) {
    return make_error(error_code::parse, "empty token rank table " + origin,
                      "regenerate it with data/tokenizers/generate.sh");
  }

  if (t.tokens_.size() >= (1U << 24)) {
    return make_error(error_code::parse, "token rank table " + origin + " has too many tokens");
  }
  t.pair_rank_.assign(65536, no_rank);
  size_t capacity = 16;
  while (capacity < t.tokens_.size() * 2)
    capacity *= 2;
  t.slots_.assign(capacity, slot{});
  t.mask_ = capacity - 1;
  // Hash everything first, then insert with the slot of a later token prefetched: the inserts
  // are random accesses into a table larger than the cache, and would otherwise wait on memory
  // one at a time (this is a good part of the load time of a CLI call).
  std::vector<uint64_t> hashes(t.tokens_.size());
  for (size_t i = 0; i < hashes.size(); ++i) {
    const char* bytes = t.arena_.data() + t.tokens_[i].offset;
    const size_t n = t.tokens_[i].length;
    hashes[i] = hash_of(prefix_of(bytes, n), bytes, n);
  }
  constexpr size_t ahead = 16;
  for (uint32_t i = 0; i < t.tokens_.size(); ++i) {
    if (i + ahead < hashes.size()) __builtin_prefetch(&t.slots_[hashes[i + ahead] & t.mask_], 1);
    t.insert(i, hashes[i]);
  }
  return t;
}

void bpe_ranks::insert(uint32_t index, uint64_t hash) {
  const token& tok = tokens_[index];
  const char* bytes = arena_.data() + tok.offset;
  if (tok.length == 1) byte_rank_[static_cast<unsigned char>(bytes[0])] = tok.rank;
  if (tok.length == 2) {
    pair_rank_[static_cast<unsigned char>(bytes[0]) | (static_cast<unsigned char>(bytes[1]) << 8)] =
        tok.rank;
  }
  const uint64_t prefix = prefix_of(bytes, tok.length);
  const uint32_t meta = (index << 8) | std::min<uint32_t>(tok.length, 255);
  for (uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
    slot& s = slots_[i];
    // An empty slot, or a repeated token, which keeps the later rank as a map filled line by
    // line would.
    if (s.rank == no_rank ||
        (s.prefix == prefix && (s.meta & 0xff) == (meta & 0xff) &&
         tokens_[s.meta >> 8].length == tok.length &&
         std::memcmp(arena_.data() + tokens_[s.meta >> 8].offset, bytes, tok.length) == 0)) {
      s = slot{prefix, tok.rank, meta};
      return;
    }
  }
}

uint32_t bpe_ranks::find_long(std::string_view bytes) const {
  if (slots_.empty()) return no_rank;
  const size_t n = bytes.size();
  const uint64_t prefix = prefix_of(bytes.data(), n);
  const uint32_t len8 = static_cast<uint32_t>(std::min<size_t>(n, 255));
  for (uint64_t i = hash_of(prefix, bytes.data(), n) & mask_;; i = (i + 1) & mask_) {
    const slot& s = slots_[i];
    if (s.rank == no_rank) return no_rank;
    if (s.prefix != prefix || (s.meta & 0xff) != len8) continue;
    if (n <= 8) return s.rank; // prefix and length are the whole token
    const token& tok = tokens_[s.meta >> 8];
    if (tok.length == n &&
        std::memcmp(arena_.data() + tok.offset + 8, bytes.data() + 8, n - 8) == 0) {
      return tok.rank;
    }
  }
}

} // namespace sage::core
