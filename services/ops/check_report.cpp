// The outcome of one operational check.
// SPDX-License-Identifier: MIT
#include "services/ops/check_report.hpp"

namespace sage::services::ops {

nlohmann::json to_json(const check_report& r) {
  auto problems = nlohmann::json::array();
  for (const auto& p : r.problems)
    problems.push_back({{"message", p.message}, {"hint", p.hint}});
  return {{"name", r.name},   {"ok", r.ok()},         {"summary", r.summary},
          {"notes", r.notes}, {"problems", problems}, {"details", r.details}};
}

} // namespace sage::services::ops
