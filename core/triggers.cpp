// Triggers: task keywords that pull documents into a context.
// SPDX-License-Identifier: MIT
#include "core/triggers.hpp"

#include "core/kb_paths.hpp"

#include <algorithm>
#include <set>

namespace sage::core {

std::vector<const document*> trigger_targets(std::string_view target, const knowledge_base& kb) {
  auto checked = check_relative_path(target);
  if (!checked) return {};
  if (const auto* doc = kb.find(*checked)) return {doc};
  auto prefix = ascii_lower(*checked) + "/";
  std::vector<const document*> out;
  for (const auto& d : kb.documents)
    if (ascii_lower(d.path).rfind(prefix, 0) == 0) out.push_back(&d);
  return out;
}

std::vector<fired_trigger> fire_triggers(std::string_view task,
                                         const std::vector<trigger_config>& triggers,
                                         const knowledge_base& kb, analyzer& an) {
  auto words = an.terms(task, "en");
  std::vector<const trigger_config*> ordered;
  for (const auto& t : triggers)
    ordered.push_back(&t);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return a->priority != b->priority ? a->priority < b->priority : a->name < b->name;
  });
  std::vector<fired_trigger> out;
  std::set<const document*> seen;
  for (const auto* t : ordered) {
    for (const auto& keyword : t->keywords) {
      auto needle = an.terms(keyword, "en");
      if (needle.empty()) continue;
      auto hit = std::search(words.begin(), words.end(), needle.begin(), needle.end());
      if (hit == words.end()) continue;
      fired_trigger f{t->name, t->priority, keyword, {}};
      for (const auto& target : t->targets)
        for (const auto* doc : trigger_targets(target, kb))
          if (seen.insert(doc).second) f.documents.push_back(doc);
      out.push_back(std::move(f));
      break;
    }
  }
  return out;
}

} // namespace sage::core
