// The rendering of knowledge answers (LoadResults) for the tools; their schema is the
// catalogue's.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools_support.hpp"

#include <algorithm>

namespace sage::services::mcp::tools {
namespace {

constexpr size_t max_omitted_listed = 50;
constexpr size_t max_omitted_in_text = 10;

} // namespace

json load_result_structured(const core::load_result& r, const std::string& notice) {
  auto j = core::to_json(r);
  auto& omitted = j["omitted"];
  j["omitted_count"] = omitted.size();
  if (omitted.size() > max_omitted_listed)
    omitted.erase(omitted.begin() + static_cast<std::ptrdiff_t>(max_omitted_listed), omitted.end());
  if (!notice.empty()) j["notice"] = notice;
  return j;
}

std::string load_result_text(const core::load_result& r, const std::string& notice) {
  std::string out = r.content;
  out += "\n\n---\n";
  out += "status: " + r.status + ", " + std::to_string(r.tokens) + " tokens";
  if (r.budget_limit > 0) out += " of a " + std::to_string(r.budget_limit) + "-token budget";
  out += ", " + std::to_string(r.sections.size()) + " sections from " +
         std::to_string(r.files_loaded.size()) + " documents\n";
  if (!notice.empty()) out += notice + "\n";
  if (!r.omitted.empty()) {
    out += std::to_string(r.omitted.size()) +
           " sections left out by the budget (ask again with a larger budget, or fetch one "
           "with get_knowledge and its document path):";
    for (size_t i = 0; i < std::min(r.omitted.size(), max_omitted_in_text); ++i)
      out += "\n- " + r.omitted[i].id + " (" + std::to_string(r.omitted[i].tokens) + " tokens)";
    if (r.omitted.size() > max_omitted_in_text)
      out += "\n- … and " + std::to_string(r.omitted.size() - max_omitted_in_text) + " more";
    out += "\n";
  }
  for (const auto& e : r.errors)
    out += "error: " + e + "\n";
  return out;
}

uint64_t knowledge_budget(int64_t requested, std::string& notice) {
  if (requested <= 0) return default_knowledge_budget;
  auto budget = static_cast<uint64_t>(requested);
  if (budget > max_knowledge_budget) {
    notice = "the budget was lowered from " + std::to_string(budget) + " to " +
             std::to_string(max_knowledge_budget) +
             " tokens so the result fits a tool result; fetch what was left out separately";
    return max_knowledge_budget;
  }
  return budget;
}

} // namespace sage::services::mcp::tools
