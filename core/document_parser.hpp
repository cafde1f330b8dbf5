// Turning one Markdown file into a document: front matter, title, layer, language, sections.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/document.hpp"

#include <string>
#include <string_view>

namespace sage::core {

/// A parsed document and anything worth reporting about the file (bad front matter, invalid
/// UTF-8), which never stops the file from being served.
struct parsed_document {
  document doc;
  std::string problem;
};

/// Parses `text`, the content of the KB-relative file `path`.
parsed_document parse_document(std::string_view path, std::string_view text,
                               const std::vector<layer_config>& layers, int max_heading_level);

} // namespace sage::core
