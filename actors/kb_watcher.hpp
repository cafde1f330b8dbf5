// Watching the knowledge-base folder tree for changes with Linux inotify.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace sage::actors {

/// Watches a knowledge-base folder tree with Linux inotify and reports changes from its own
/// thread, so the loader can rebuild the knowledge base when files change. Reports are hints,
/// not an exact change log: the loader debounces them and rescans the whole tree.
class kb_watcher {
public:
  /// Called on the watcher thread with the `/`-separated path, relative to the root, of what
  /// changed (a file or folder created, written, deleted, moved in or out, or its attributes),
  /// or "" when everything must be considered changed (events were lost, or the root itself was
  /// deleted or moved). A new folder is reported itself, after it is watched, since files may
  /// have been written into it before. Exceptions it throws are ignored. It must not destroy
  /// the watcher (the destructor joins this thread).
  using callback = std::function<void(const std::string& relative_path)>;

  /// Starts watching `root` and every folder below it. Hidden folders (names starting with '.')
  /// are skipped, as the knowledge-base scan skips them, and symlinked folders are never
  /// followed, so nothing outside the root is watched. Folders created or moved in later are
  /// watched as they appear. Fails with `not_found` when the root is missing,
  /// `invalid_argument` when it is not a folder, and `io` when inotify is unavailable or the
  /// watch limit (`fs.inotify.max_user_watches`) is reached.
  /// When the root itself is deleted or moved the watcher reports "" and stops watching
  /// (`watched_folders()` drops to 0); start a new one once the root is back.
  static core::result<std::unique_ptr<kb_watcher>> start(std::filesystem::path root,
                                                         callback on_change);

  /// Stops the watcher thread promptly (it is woken, not polled) and closes the descriptors.
  ~kb_watcher();

  kb_watcher(const kb_watcher&) = delete;
  kb_watcher& operator=(const kb_watcher&) = delete;

  /// How many folders are watched right now, the root included. Thread-safe.
  size_t watched_folders() const;

private:
  class impl;
  explicit kb_watcher(std::unique_ptr<impl> state);

  std::unique_ptr<impl> impl_;
};

} // namespace sage::actors
