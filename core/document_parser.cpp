// Turning one Markdown file into a document.
// SPDX-License-Identifier: MIT
#include "core/document_parser.hpp"

#include "core/front_matter.hpp"
#include "core/kb_paths.hpp"
#include "core/layers.hpp"
#include "core/markdown.hpp"

namespace sage::core {

parsed_document parse_document(std::string_view path, std::string_view text,
                               const std::vector<layer_config>& layers, int max_heading_level) {
  parsed_document out;
  auto& doc = out.doc;
  doc.path = std::string(path);
  if (!is_valid_utf8(text)) out.problem = "file is not valid utf-8";
  auto split = split_front_matter(text);
  if (!split.problem.empty()) out.problem = split.problem;
  auto md = parse_markdown(path, split.body, split.body_line, max_heading_level);
  doc.layer = layer_of(path, split.meta.layer, layers);
  doc.title = !split.meta.title.empty() ? split.meta.title : md.first_h1;
  if (doc.title.empty()) {
    auto slash = path.rfind('/');
    doc.title = std::string(path.substr(slash == std::string_view::npos ? 0 : slash + 1));
    if (doc.title.size() > 3 && ascii_lower(doc.title.substr(doc.title.size() - 3)) == ".md")
      doc.title.resize(doc.title.size() - 3);
  }
  doc.description = std::move(split.meta.description);
  doc.tags = std::move(split.meta.tags);
  doc.status = std::move(split.meta.status);
  doc.priority = split.meta.priority;
  doc.language = !split.meta.language.empty() ? split.meta.language : language_from_path(path);
  if (doc.language.empty()) doc.language = "en";
  doc.sections = std::move(md.sections);
  return out;
}

} // namespace sage::core
