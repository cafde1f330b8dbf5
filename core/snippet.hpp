// Search snippets: a short excerpt of a section around its best match, matches highlighted.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sage::core {

/// A matched word in the text: its byte range and which query word it matched.
struct snippet_match {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t group = 0;
};

/// About `max_chars` characters (code points) of `text` around the window with the most
/// distinct matched query words, with every match inside it wrapped in `**`, whitespace runs
/// collapsed to one space, the text's own `**` bold markers removed (so highlights stay
/// unambiguous), and `…` where the text was cut. Cuts fall on character boundaries
/// and, when one is near, on spaces. Invalid UTF-8 in `text` is dropped, so the result is always
/// valid UTF-8. Without matches it is the start of the text. `matches` must be sorted by
/// `begin` and lie within `text`.
std::string make_snippet(std::string_view text, std::span<const snippet_match> matches,
                         size_t max_chars = 200);

} // namespace sage::core
