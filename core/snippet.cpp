// Search snippets: window selection by match density, highlighting, safe UTF-8 cutting.
// SPDX-License-Identifier: MIT
#include "core/snippet.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <vector>

namespace sage::core {

namespace {

bool is_continuation(char c) {
  return (static_cast<uint8_t>(c) & 0xC0) == 0x80;
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// The byte offset `chars` characters after `pos` (or the end).
size_t forward(std::string_view text, size_t pos, size_t chars) {
  while (pos < text.size() && chars > 0) {
    ++pos;
    while (pos < text.size() && is_continuation(text[pos]))
      ++pos;
    --chars;
  }
  return pos;
}

// The byte offset `chars` characters before `pos` (or 0).
size_t backward(std::string_view text, size_t pos, size_t chars) {
  while (pos > 0 && chars > 0) {
    --pos;
    while (pos > 0 && is_continuation(text[pos]))
      --pos;
    --chars;
  }
  return pos;
}

size_t count_chars(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

// The matches [first, last) of the window with the most distinct groups (then most matches,
// then earliest) whose span fits in `budget` bytes.
std::pair<size_t, size_t> densest(std::span<const snippet_match> matches, size_t budget) {
  uint32_t max_group = 0;
  for (const auto& m : matches)
    max_group = std::max(max_group, m.group);
  std::vector<uint32_t> seen(size_t{max_group} + 1, 0);
  size_t distinct = 0, best_first = 0, best_last = 1, best_distinct = 0, best_count = 0;
  for (size_t i = 0, j = 0; i < matches.size(); ++i) {
    if (j < i + 1) { // the window always holds match i
      j = i + 1;
      if (seen[matches[i].group]++ == 0) ++distinct;
    }
    while (j < matches.size() && matches[j].end - matches[i].begin <= budget)
      if (seen[matches[j++].group]++ == 0) ++distinct;
    if (distinct > best_distinct || (distinct == best_distinct && j - i > best_count))
      best_first = i, best_last = j, best_distinct = distinct, best_count = j - i;
    if (--seen[matches[i].group] == 0) --distinct;
  }
  return {best_first, best_last};
}

} // namespace

std::string make_snippet(std::string_view text, std::span<const snippet_match> matches,
                         size_t max_chars) {
  const size_t n = text.size();
  const size_t total_chars = count_chars(text);
  size_t start = 0, end = n;
  if (total_chars > max_chars) {
    // A byte budget that holds about max_chars characters of this text.
    const size_t budget = std::max<size_t>(1, max_chars * n / std::max<size_t>(total_chars, 1));
    size_t first_begin = 0, last_end = 0;
    if (!matches.empty()) {
      const auto [first, last] = densest(matches, budget);
      first_begin = matches[first].begin;
      last_end = matches[last - 1].end;
      const size_t span = last_end > first_begin ? last_end - first_begin : 0;
      const size_t lead = std::min((budget - std::min(span, budget)) / 2, budget / 4);
      start = first_begin > lead ? first_begin - lead : 0;
      while (start > 0 && is_continuation(text[start]))
        --start;
    }
    end = forward(text, start, max_chars);
    if (end == n) start = backward(text, start, max_chars - count_chars(text.substr(start)));
    // Prefer cutting at spaces close by, never losing the first match.
    if (start > 0) {
      const size_t limit = std::min({start + 20, n, matches.empty() ? n : size_t{first_begin}});
      for (size_t k = start; k < limit; ++k)
        if (is_space(text[k])) {
          start = k + 1;
          break;
        }
    }
    if (end < n) {
      const size_t floor = std::max(start, matches.empty() ? start : size_t{last_end});
      for (size_t k = end; k > floor && k + 20 > end; --k)
        if (is_space(text[k - 1])) {
          end = k - 1;
          break;
        }
    }
  }

  // Highlight ranges inside the window, merged where they overlap or touch (CJK bigrams).
  std::vector<std::pair<size_t, size_t>> marks;
  for (const auto& m : matches) {
    if (m.begin < start || m.end > end || m.begin >= m.end) continue;
    if (!marks.empty() && m.begin <= marks.back().second)
      marks.back().second = std::max<size_t>(marks.back().second, m.end);
    else
      marks.emplace_back(m.begin, m.end);
  }

  std::string out;
  out.reserve((end - start) + 8 * marks.size() + 8);
  if (start > 0) out += "…";
  bool pending_space = false;
  size_t mark = 0;
  for (size_t i = start; i < end;) {
    if (mark < marks.size() && i == marks[mark].first) {
      if (pending_space && !out.empty() && out != "…") out += ' ';
      pending_space = false;
      out += "**";
      out.append(text.substr(i, marks[mark].second - i));
      out += "**";
      i = marks[mark++].second;
      continue;
    }
    const auto c = static_cast<uint8_t>(text[i]);
    if (c == '*' && i + 1 < end && text[i + 1] == '*') { // the text's own bold: ours only
      i += 2;
      continue;
    }
    if (c < 0x80) {
      if (is_space(static_cast<char>(c)) || c < 0x20 || c == 0x7F) {
        pending_space = true;
      } else {
        if (pending_space && !out.empty() && out != "…") out += ' ';
        pending_space = false;
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()) + i,
                                      static_cast<utf8proc_ssize_t>(end - i), &cp);
    if (len <= 0) { // invalid byte: drop it
      ++i;
      continue;
    }
    if (pending_space && !out.empty() && out != "…") out += ' ';
    pending_space = false;
    out.append(text.substr(i, static_cast<size_t>(len)));
    i += static_cast<size_t>(len);
  }
  if (end < n) out += "…";
  return out;
}

} // namespace sage::core
