// GitHub-style heading slugs.
// SPDX-License-Identifier: MIT
#include "core/slug.hpp"

#include <utf8proc.h>

namespace sage::core {

std::string github_slug(std::string_view heading) {
  std::string out;
  out.reserve(heading.size());
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(heading.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(heading.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) { // invalid byte: dropped, like any other symbol
      ++p;
      --left;
      continue;
    }
    p += n;
    left -= n;
    if (cp == ' ') {
      out += '-';
      continue;
    }
    if (cp == '-' || cp == '_') {
      out += static_cast<char>(cp);
      continue;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: {
      utf8proc_uint8_t buf[4];
      auto len = utf8proc_encode_char(utf8proc_tolower(cp), buf);
      out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
      break;
    }
    default:
      break; // punctuation, symbols, other whitespace
    }
  }
  return out;
}

std::string slug_registry::unique(std::string_view heading) {
  auto base = github_slug(heading);
  auto [it, inserted] = seen_.emplace(base, 0);
  if (inserted) return base;
  // GitHub appends -1, -2, ... and skips suffixes that collide with a real heading's slug.
  for (;;) {
    auto candidate = base + "-" + std::to_string(++it->second);
    if (seen_.emplace(candidate, 0).second) return candidate;
  }
}

} // namespace sage::core
