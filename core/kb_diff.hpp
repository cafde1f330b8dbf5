// What changed between two snapshots of the same knowledge base, for `loader.changed`.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/knowledge_base.hpp"

#include <string>
#include <vector>

namespace sage::core {

struct kb_changes {
  std::vector<std::string> added, changed, removed; ///< KB-relative paths, sorted
  /// The same documents as `knowledge://<layer>/<path>` URIs, parallel to the paths: added and
  /// changed ones as `after` names them, removed ones as `before` did (a front-matter `layer`
  /// can move a document out of its folder's layer, so a path alone does not give the URI).
  std::vector<std::string> added_uris, changed_uris, removed_uris;

  bool empty() const { return added.empty() && changed.empty() && removed.empty(); }
};

/// Files added, changed (another version on disk) and removed from `before` to `after`.
kb_changes diff_snapshots(const knowledge_base& before, const knowledge_base& after);

} // namespace sage::core
