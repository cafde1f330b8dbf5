// Packing whole sections into Markdown within a token budget.
// SPDX-License-Identifier: MIT
#include "core/section_packer.hpp"

#include <algorithm>
#include <set>

namespace sage::core {

std::string render_piece(const candidate_section& c) {
  std::string text = c.sec->text;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return "<!-- source: " + c.sec->id + " -->\n" + text + "\n\n";
}

void measure(std::vector<candidate_section>& candidates, const token_counter& counter) {
  for (auto& c : candidates)
    c.tokens = counter.count(render_piece(c));
}

void assemble(std::vector<candidate_section>& chosen, size_t budget, const token_counter& counter,
              load_result& out, std::vector<candidate_section>& dropped) {
  std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
    if (a.layer_priority != b.layer_priority) return a.layer_priority < b.layer_priority;
    if (a.doc_order != b.doc_order) return a.doc_order < b.doc_order;
    return a.section_order < b.section_order;
  });
  for (;;) {
    out.content.clear();
    for (const auto& c : chosen)
      out.content += render_piece(c);
    out.tokens = counter.count(out.content);
    if (budget == 0 || out.tokens <= budget || chosen.empty()) break;
    // Token counts of pieces need not add up exactly at the joins: drop the least valuable
    // section per token and count again, so the budget holds for the real text.
    auto worst = std::min_element(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
      return a.score / std::max<size_t>(a.tokens, 1) < b.score / std::max<size_t>(b.tokens, 1);
    });
    dropped.push_back(*worst);
    chosen.erase(worst);
  }
  out.sections.clear();
  out.files_loaded.clear();
  out.layers.clear();
  std::set<std::string> files, layers;
  for (const auto& c : chosen) {
    out.sections.push_back({c.sec->id, c.tokens, c.score});
    if (files.insert(c.doc->path).second) out.files_loaded.push_back(c.doc->path);
    if (layers.insert(c.doc->layer).second) out.layers.push_back(c.doc->layer);
  }
  if (budget > 0) out.budget_limit = budget;
}

} // namespace sage::core
