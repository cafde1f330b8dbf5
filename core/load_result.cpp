// JSON form of a load result.
// SPDX-License-Identifier: MIT
#include "core/load_result.hpp"

#include <nlohmann/json.hpp>

namespace sage::core {
namespace {

nlohmann::json refs_to_json(const std::vector<section_ref>& refs) {
  auto out = nlohmann::json::array();
  for (const auto& r : refs)
    out.push_back({{"id", r.id}, {"tokens", r.tokens}, {"score", r.score}});
  return out;
}

} // namespace

nlohmann::json to_json(const load_result& r) {
  nlohmann::json budget;
  if (r.budget_limit > 0) {
    budget = {{"limit", r.budget_limit},
              {"used", r.tokens},
              {"remaining", r.budget_limit > r.tokens ? r.budget_limit - r.tokens : 0}};
  } else {
    budget = {{"limit", nullptr}, {"used", r.tokens}, {"remaining", nullptr}};
  }
  return {{"content", r.content},
          {"tokens", r.tokens},
          {"status", r.status},
          {"complete", r.complete},
          {"duration_ms", r.duration_ms},
          {"timeout_ms", r.timeout_ms},
          {"files_loaded", r.files_loaded},
          {"layers", r.layers},
          {"sections", refs_to_json(r.sections)},
          {"omitted", refs_to_json(r.omitted)},
          {"budget", budget},
          {"errors", r.errors},
          {"index", {{"generation", r.index.generation}, {"built_at", r.index.built_at}}}};
}

} // namespace sage::core
