// Checks of a knowledge base: structure (layers, front matter, files) and internal links with
// their heading anchors.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/knowledge_base.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace sage::core {

struct validation_issue {
  std::string severity; ///< error | warning
  std::string kind; ///< missing_layer, front_matter, status, empty, broken_link, broken_anchor, ...
  std::string path;
  uint32_t line = 0;
  std::string message;
};

struct validation_report {
  size_t files_checked = 0;
  size_t links_checked = 0;
  std::vector<validation_issue> issues;

  size_t errors() const;
  size_t warnings() const;
};

/// Validates the snapshot. Files are re-read from disk for their links (links are not kept in
/// the snapshot). External links (with a URL scheme) are not followed.
validation_report validate_knowledge_base(const knowledge_base& kb);

nlohmann::json to_json(const validation_report& r);

} // namespace sage::core
