// Triggers: task keywords that pull documents or folders into a context (PRODUCT.md 2.3).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzer.hpp"
#include "core/config.hpp"
#include "core/knowledge_base.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// A trigger whose keyword occurred in the task, with the documents it names.
struct fired_trigger {
  std::string name;
  int priority = 0;
  std::string keyword;                    ///< the keyword that matched
  std::vector<const document*> documents; ///< targets resolved; a folder means its .md files
};

/// The triggers a task fires: a keyword matches when its analysed words (normalised and
/// stemmed, so `classification` does not fire `class`) occur as consecutive whole words of the
/// task. In priority order, then name; each document appears once, under its first trigger.
std::vector<fired_trigger> fire_triggers(std::string_view task,
                                         const std::vector<trigger_config>& triggers,
                                         const knowledge_base& kb, analyzer& an);

/// Documents a trigger target names: a file (case-insensitive, `.md` optional) or every `.md`
/// file under a folder. Unknown targets give nothing.
std::vector<const document*> trigger_targets(std::string_view target, const knowledge_base& kb);

} // namespace sage::core
