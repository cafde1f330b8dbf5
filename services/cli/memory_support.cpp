// Helpers shared by the memory, session and budget commands.
// SPDX-License-Identifier: MIT
#include "services/cli/memory_support.hpp"

#include "services/cli/output.hpp"

#include "core/utf8_repair.hpp"
#include "core/uuid.hpp"

#include <algorithm>
#include <iostream>
#include <utf8proc.h>

namespace sage::services::cli {

std::optional<core::error> check_uuid(const std::string& id, const std::string& what,
                                      const std::string& hint) {
  return core::check_uuid(id, what, hint);
}

std::optional<core::error> check_utf8(const std::string& text, const std::string& what) {
  if (core::is_valid_utf8(text)) return std::nullopt;
  return core::make_error(core::error_code::invalid_argument, what + " is not valid utf-8 text",
                          "pass text encoded as UTF-8");
}

std::optional<core::error> check_not_blank(const std::string& text, const std::string& what,
                                           const std::string& hint) {
  if (text.find_first_not_of(" \t\r\n") != std::string::npos) return std::nullopt;
  return core::make_error(core::error_code::invalid_argument, what + " is empty", hint);
}

core::result<std::string> text_argument(const std::string& arg, size_t limit,
                                        const std::string& what, const std::string& hint) {
  if (arg != "-") return arg;
  std::string text;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    text.append(buf, static_cast<size_t>(std::cin.gcount()));
    if (text.size() > limit)
      return core::make_error(core::error_code::invalid_argument,
                              what + " on standard input is too large: more than " +
                                  std::to_string(limit) + " bytes",
                              hint);
  }
  if (std::cin.bad())
    return core::make_error(core::error_code::io, "failed to read " + what + " from standard input",
                            "pipe the text into the command, e.g. `echo text | sage memory add -`");
  return text;
}

std::string preview(const std::string& text, size_t width) {
  std::string flat;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
  }
  if (display_width(flat) <= width) return flat;
  // Cut on a code point boundary, leaving a column for the ellipsis.
  std::string out;
  size_t used = 0;
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(flat.data());
  auto left = static_cast<utf8proc_ssize_t>(flat.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) n = 1, cp = 0xFFFD;
    auto w = static_cast<size_t>(std::max(0, utf8proc_charwidth(cp)));
    if (used + w + 1 > width) break;
    out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    used += w, p += n, left -= n;
  }
  return out + "…";
}

std::string count_of(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string short_time(const std::string& timestamp) {
  if (timestamp.size() < 19 || timestamp[10] != 'T') return timestamp;
  return timestamp.substr(0, 10) + " " + timestamp.substr(11, 8);
}

} // namespace sage::services::cli
