// UTF-8 validation and WHATWG-style repair for text handed to the tokenizer.
// SPDX-License-Identifier: MIT
#include "core/utf8_repair.hpp"

#include <cstdint>
#include <cstring>

namespace sage::core {
namespace {

/// Length of the well-formed sequence at `p` (1 to 4), or 0 if the bytes there are ill-formed;
/// `*bad` then says how many bytes form the maximal ill-formed subpart to replace (at least 1).
/// The ranges of the second byte are those of Unicode's table of well-formed sequences.
size_t sequence_at(const unsigned char* p, size_t left, size_t* bad) {
  const unsigned char c = p[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f; // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f; // nothing above U+10FFFF
  } else {
    *bad = 1;
    return 0;
  }
  size_t i = 1;
  for (; i <= need; ++i) {
    if (i >= left) break;
    const unsigned char b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) break;
  }
  if (i == need + 1) return need + 1;
  *bad = i; // the lead byte and the continuation bytes that were valid so far
  return 0;
}

} // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, eight bytes at a time: most text served is mostly ASCII.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 0;
    const size_t len = sequence_at(p + i, n - i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string replace_invalid_utf8(std::string_view text) {
  static constexpr char replacement[] = "\xef\xbf\xbd";
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  std::string out;
  out.reserve(n + n / 4);
  size_t i = 0;
  while (i < n) {
    size_t bad = 0;
    const size_t len = sequence_at(p + i, n - i, &bad);
    if (len > 0) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out.append(replacement, 3);
      i += bad;
    }
  }
  return out;
}

} // namespace sage::core
