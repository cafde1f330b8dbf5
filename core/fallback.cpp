// The built-in fallback answer.
// SPDX-License-Identifier: MIT
#include "core/fallback.hpp"

namespace sage::core {

load_result fallback_result(const token_counter& tokens, size_t budget, std::string reason) {
  load_result out;
  out.content = std::string(fallback_core_text());
  out.tokens = tokens.count(out.content);
  // Over a tiny budget, whole lines are dropped from the end: the budget is a promise.
  while (budget > 0 && out.tokens > budget && !out.content.empty()) {
    auto cut = out.content.find_last_of('\n', out.content.size() >= 2 ? out.content.size() - 2 : 0);
    out.content.resize(cut == std::string::npos ? 0 : cut + 1);
    out.tokens = tokens.count(out.content);
  }
  out.status = "fallback";
  out.complete = false;
  out.budget_limit = budget;
  out.errors.push_back(std::move(reason));
  return out;
}

void mark_partial(load_result& ready, std::string reason) {
  ready.status = "partial";
  ready.complete = false;
  ready.errors.push_back(std::move(reason));
}

} // namespace sage::core
