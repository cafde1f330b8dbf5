// JSON forms of the memory store's and the budget controller's answers.
// SPDX-License-Identifier: MIT
#include "actors/memory_json.hpp"

namespace sage::actors {

nlohmann::json to_json(const checkpoint_summary& c) {
  return {{"id", c.id},           {"session_id", c.session_id}, {"label", c.label},
          {"entries", c.entries}, {"tokens", c.tokens},         {"created_at", c.created_at}};
}

nlohmann::json to_json(const handoff_answer& h) {
  auto package = nlohmann::json::parse(h.package, nullptr, false);
  if (package.is_discarded()) package = nullptr;
  return {{"session_id", h.session_id},
          {"markdown", h.markdown},
          {"tokens", h.tokens},
          {"package", std::move(package)}};
}

nlohmann::json to_json(const budget_report& r) {
  return {{"session_id", r.session_id},
          {"level", core::to_string(r.status.level)},
          {"status", core::to_json(r.status)},
          {"recommendations", r.recommendations},
          {"markdown", r.markdown}};
}

} // namespace sage::actors
