// Markdown parsing with md4c: a file body split into sections at headings, plus its links.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/document.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// A link found in a document, for the link checker.
struct markdown_link {
  std::string target; ///< href as written
  uint32_t line = 0;  ///< 1-based line in the file
};

struct parsed_markdown {
  std::vector<section> sections;
  std::string first_h1; ///< text of the first H1, empty when there is none
  std::vector<markdown_link> links;
};

/// Splits `body` (the file text after any front matter, starting at line `first_line`) into
/// sections at top-level headings of level <= `max_level`. Headings inside lists, quotes, code
/// blocks or tables never split, so those blocks are never cut in half. Section ids are
/// `path#slug`; the preamble before the first heading gets the slug of the document title
/// position (empty slug, id `path`). Empty preambles are dropped.
parsed_markdown parse_markdown(std::string_view path, std::string_view body, uint32_t first_line,
                               int max_level);

} // namespace sage::core
