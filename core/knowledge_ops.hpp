// The knowledge operations every interface offers (PRODUCT.md 3.1): get, named documents,
// context (smart loading) and search, over one snapshot.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzer.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/knowledge_base.hpp"
#include "core/load_result.hpp"
#include "core/progress.hpp"
#include "core/search_index.hpp"
#include "core/tokenizer.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// What an operation runs against. The analyzer is per thread (stemmers are not thread-safe).
struct op_context {
  const knowledge_base& kb;
  const config& cfg;
  const token_counter& tokens;
  analyzer& an;
  /// Set by callers with a deadline: long operations report what is ready and stop when the
  /// caller has given up. Null = run to the end.
  const progress_sink* progress = nullptr;
};

/// `get`: a layer name (or numeric alias), a KB-relative document path, a folder (its
/// documents) or a `knowledge://` URI.
/// `budget` 0 means the whole target; otherwise sections in document order while they fit,
/// the rest listed in `omitted`.
result<load_result> get_knowledge(const op_context& ctx, std::string_view target, size_t budget,
                                  bool include_retired = false);

/// `guidelines` / `framework` / `template`: a document by name or alias.
result<load_result> get_named(const op_context& ctx, named_kind kind, std::string_view name,
                              size_t budget);

/// `context`: the most relevant sections for a task within `budget` tokens (PRODUCT.md 3.2).
/// `layers` restricts the candidate layers (empty = all); always-loaded layers are included.
result<load_result> build_context(const op_context& ctx, std::string_view task, size_t budget,
                                  const std::vector<std::string>& layers = {});

struct search_item {
  std::string path, uri, title, section, section_id, layer, snippet;
  double score = 0;
  size_t tokens = 0;
};

struct search_answer {
  std::string query;
  std::vector<search_item> results;
  double duration_ms = 0;
  index_stamp index;
  std::string status = "success";  ///< success | fallback (no results in time)
  std::vector<std::string> errors; ///< why the status is not success
};

struct search_params {
  std::string query;
  int limit = 0; ///< 0 = search.default_limit
  std::vector<std::string> layers;
  std::vector<std::string> tags;
  bool include_retired = false;
};

/// `search`: ranked sections. Bad limits and unknown layers are errors; an empty query is an
/// error too (nothing to rank).
result<search_answer> run_search(const op_context& ctx, const search_params& params);

nlohmann::json to_json(const search_answer& a);

} // namespace sage::core
