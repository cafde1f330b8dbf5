// What changed between two snapshots of the same knowledge base, for `loader.changed`.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/knowledge_base.hpp"

#include <string>
#include <vector>

namespace sage::core {

struct kb_changes {
  std::vector<std::string> added, changed, removed; ///< KB-relative paths, sorted

  bool empty() const { return added.empty() && changed.empty() && removed.empty(); }
};

/// Files added, changed (another version on disk) and removed from `before` to `after`.
kb_changes diff_snapshots(const knowledge_base& before, const knowledge_base& after);

} // namespace sage::core
