// Query words for benchmarks: the distinct lower-case ASCII words (three letters or more) of a
// text, so generated queries read like what people type and hit real postings.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace sage::bench {

inline std::vector<std::string> query_words(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (char c : text + " ") {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      w += static_cast<char>(c | 0x20);
    } else {
      if (w.size() >= 3) words.push_back(w);
      w.clear();
    }
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

} // namespace sage::bench
