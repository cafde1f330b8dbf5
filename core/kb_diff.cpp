// Snapshot differences.
// SPDX-License-Identifier: MIT
#include "core/kb_diff.hpp"

namespace sage::core {

kb_changes diff_snapshots(const knowledge_base& before, const knowledge_base& after) {
  // `files` are sorted by path in both snapshots: one merge pass.
  kb_changes out;
  size_t i = 0, j = 0;
  while (i < before.files.size() || j < after.files.size()) {
    if (j == after.files.size() ||
        (i < before.files.size() && before.files[i].path < after.files[j].path)) {
      out.removed.push_back(before.files[i++].path);
    } else if (i == before.files.size() || after.files[j].path < before.files[i].path) {
      out.added.push_back(after.files[j++].path);
    } else {
      if (!before.files[i].same_version(after.files[j])) out.changed.push_back(after.files[j].path);
      ++i;
      ++j;
    }
  }
  return out;
}

} // namespace sage::core
