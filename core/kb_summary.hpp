// What the knowledge base holds, for `layers`, `info` and document listings (PRODUCT.md 3.1).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/knowledge_ops.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

struct layer_summary {
  std::string name;
  std::string folder; ///< `(elsewhere)` for the `other` layer
  int priority = -1;  ///< -1 for the `other` layer, which has none
  bool always_loaded = false;
  size_t documents = 0, sections = 0, tokens = 0;
};

struct layers_answer {
  std::vector<layer_summary> layers; ///< configured order, `other` last when used
  std::string encoding;
  index_stamp index;
};

struct kb_info {
  std::string version, kb_path;
  size_t documents = 0, sections = 0, problems = 0;
  index_stamp index;
  double build_ms = 0, scan_ms = 0, cache_read_ms = 0, parse_ms = 0, index_ms = 0;
  size_t files_parsed = 0, files_from_cache = 0;
  std::string token_encoding;
  int default_budget = 0;
  double core_share = 0;
  std::string cache_dir; ///< empty when the cache is disabled
  size_t layer_count = 0, trigger_count = 0;
};

struct document_entry {
  std::string path, title, uri;
};

struct document_listing {
  std::string layer;
  std::vector<document_entry> documents;
};

/// Documents, sections and exact tokens per layer.
layers_answer summarize_layers(const op_context& ctx);

/// Version, KB path, counts, index generation and build figures, a configuration summary.
kb_info describe_kb(const op_context& ctx);

/// The documents of one layer (name or alias), in order; unknown layers are not-found errors.
result<document_listing> list_documents(const op_context& ctx, std::string_view layer);

nlohmann::json to_json(const layers_answer& a);
nlohmann::json to_json(const kb_info& i);
nlohmann::json to_json(const document_listing& l);

} // namespace sage::core
