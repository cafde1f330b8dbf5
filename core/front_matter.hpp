// YAML front matter at the top of a Markdown file (`---` ... `---`).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// The front-matter fields the knowledge model uses; other keys are ignored.
struct front_matter {
  std::string title;
  std::string description;
  std::vector<std::string> tags; ///< `tags` and `keywords` together
  std::string layer;
  std::string status;
  std::string language; ///< `lang` or `language`
  int priority = 0;
};

/// The file split into its front matter and the Markdown body after it.
struct split_file {
  front_matter meta;
  std::string_view body;  ///< the text after the closing `---` (or all of it)
  uint32_t body_line = 1; ///< 1-based line number where `body` starts
  std::string problem;    ///< why the front matter was ignored, empty when it was fine
};

/// Splits `text` into front matter and body. Malformed front matter never fails the file: it
/// is ignored and `problem` says why, so `sage validate` can report it.
split_file split_front_matter(std::string_view text);

} // namespace sage::core
