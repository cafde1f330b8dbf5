// Snapshot differences.
// SPDX-License-Identifier: MIT
#include "core/kb_diff.hpp"

namespace sage::core {

kb_changes diff_snapshots(const knowledge_base& before, const knowledge_base& after) {
  // `files` are sorted by path in both snapshots and parallel to `documents`: one merge pass.
  kb_changes out;
  auto note = [](std::vector<std::string>& paths, std::vector<std::string>& uris,
                 const knowledge_base& kb, size_t index) {
    paths.push_back(kb.files[index].path);
    uris.push_back(kb.uri_of(kb.documents[index]));
  };
  size_t i = 0, j = 0;
  while (i < before.files.size() || j < after.files.size()) {
    if (j == after.files.size() ||
        (i < before.files.size() && before.files[i].path < after.files[j].path)) {
      note(out.removed, out.removed_uris, before, i++);
    } else if (i == before.files.size() || after.files[j].path < before.files[i].path) {
      note(out.added, out.added_uris, after, j++);
    } else {
      if (!before.files[i].same_version(after.files[j]))
        note(out.changed, out.changed_uris, after, j);
      ++i;
      ++j;
    }
  }
  return out;
}

} // namespace sage::core
