// The answer of every knowledge operation (get, context, guidelines, ...): PRODUCT.md 3.1.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace sage::core {

/// A section included in, or left out of, an answer.
struct section_ref {
  std::string id;
  size_t tokens = 0;
  double score = 0;
};

/// Which snapshot of the index answered, so staleness is never silent.
struct index_stamp {
  uint64_t generation = 0;
  std::string built_at; ///< ISO 8601, UTC
};

struct load_result {
  std::string content;            ///< Markdown; each included section headed by its source
  size_t tokens = 0;              ///< exact count of `content`
  std::string status = "success"; ///< success | partial | fallback | error
  bool complete = true;           ///< false when anything was left out
  double duration_ms = 0;
  int64_t timeout_ms = 0;
  std::vector<std::string> files_loaded;
  std::vector<std::string> layers;
  std::vector<section_ref> sections;
  std::vector<section_ref> omitted; ///< candidates left out by the budget, best first
  size_t budget_limit = 0;          ///< 0 = no budget given
  std::vector<std::string> errors;
  index_stamp index;
};

nlohmann::json to_json(const load_result& r);

} // namespace sage::core
