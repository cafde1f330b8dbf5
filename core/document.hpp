// The knowledge model: documents of a knowledge base and the sections they are split into.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sage::core {

/// A part of a document that starts at a heading (H1..H3 by default) and runs to the next
/// heading of the same or a higher level. The text before the first heading is a section of
/// level 0 with an empty heading. Sections are the unit of search and of budgeted loading;
/// code blocks and tables never cross a section boundary.
struct section {
  std::string id;                        ///< `path#slug`, e.g. `guidelines/CODE_STYLE.md#naming`
  std::string slug;                      ///< GitHub-style heading slug, unique in the document
  std::string heading;                   ///< heading text (inline Markdown stripped)
  std::vector<std::string> heading_path; ///< headings from H1 down to this one
  int level = 0;                         ///< 0 = preamble, 1..3 = heading level
  uint32_t line_begin = 0;               ///< first line, 1-based
  uint32_t line_end = 0;                 ///< last line, 1-based, inclusive
  std::string text;                      ///< raw Markdown of the section, heading line included

  friend bool operator==(const section&, const section&) = default;
};

/// One Markdown file of the knowledge base.
struct document {
  std::string path;              ///< relative to the KB root, `/`-separated, original case
  std::string layer;             ///< layer name (`core`, `guidelines`, ..., or `other`)
  std::string title;             ///< front-matter title, else first H1, else file name
  std::string description;       ///< front-matter description
  std::vector<std::string> tags; ///< front-matter tags and keywords
  std::string status;            ///< draft | review | approved | deprecated | archived ("" = unset)
  std::string language;          ///< ISO 639-1 code (`en`, `de`, `ja`, ...); `en` by default
  int priority = 0;              ///< front-matter priority, 0 when unset
  std::vector<section> sections;

  friend bool operator==(const document&, const document&) = default;
};

/// Deprecated and archived documents are only served when asked for explicitly.
inline bool is_retired(const document& doc) {
  return doc.status == "deprecated" || doc.status == "archived";
}

} // namespace sage::core
