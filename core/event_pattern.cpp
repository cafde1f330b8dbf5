// Glob patterns for event types.
// SPDX-License-Identifier: MIT
#include "core/event_pattern.hpp"

namespace sage::core {

bool event_matches(std::string_view pattern, std::string_view type) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (t < type.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == type[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      // The last `*` absorbs one more character; earlier stars never need revisiting.
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

} // namespace sage::core
