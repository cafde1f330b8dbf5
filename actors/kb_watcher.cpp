// Watching the knowledge-base folder tree with Linux inotify.
// SPDX-License-Identifier: MIT
#include "actors/kb_watcher.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <poll.h>
#include <string_view>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace sage::actors {

namespace fs = std::filesystem;

namespace {

/// What a watched folder reports. IN_DONT_FOLLOW and IN_ONLYDIR refuse a path that is (or was
/// swapped for) a symlink, so a watch never leaves the tree; IN_EXCL_UNLINK drops events of
/// files that are already deleted but still open.
constexpr uint32_t watch_mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

/// Folders deeper than this are not watched (the knowledge-base scan stops at the same depth).
constexpr int max_depth = 64;

/// Bytes read from the inotify descriptor at once: room for hundreds of events.
constexpr size_t read_buffer_size = 64 * 1024;

using folder_map = std::unordered_map<int, std::string>; ///< watch descriptor -> folder

bool is_hidden(std::string_view name) {
  return !name.empty() && name.front() == '.';
}

std::string join(const std::string& folder, std::string_view name) {
  return folder.empty() ? std::string(name) : folder + "/" + std::string(name);
}

int depth_of(const std::string& rel) {
  return rel.empty() ? 0 : 1 + static_cast<int>(std::count(rel.begin(), rel.end(), '/'));
}

core::error watch_limit_error(const fs::path& path) {
  return core::make_error(core::error_code::io,
                          "failed to watch knowledge base folder: inotify watch limit reached: " +
                              path.string(),
                          "raise fs.inotify.max_user_watches (sysctl -w "
                          "fs.inotify.max_user_watches=524288) or watch a smaller tree");
}

} // namespace

// -- the watcher's state and thread -------------------------------------------------------------

class kb_watcher::impl {
public:
  impl(fs::path root, callback on_change)
      : root_(std::move(root)), on_change_(std::move(on_change)) {}

  ~impl() {
    if (thread_.joinable()) {
      uint64_t one = 1;
      // An eventfd write only fails when its counter would overflow, which one write cannot.
      [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
      thread_.join();
    }
    if (inotify_fd_ >= 0) ::close(inotify_fd_); // drops every watch with it
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  /// Opens the descriptors and watches the tree; the thread is not running yet.
  core::result<bool> open() {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ < 0) {
      int err = errno;
      if (err == EMFILE)
        return core::make_error(core::error_code::io,
                                "failed to start inotify: instance limit reached",
                                "raise fs.inotify.max_user_instances (sysctl -w "
                                "fs.inotify.max_user_instances=1024) or the open file limit");
      return core::make_error(core::error_code::io, "failed to start inotify: inotify unavailable",
                              std::strerror(err));
    }
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0)
      return core::make_error(core::error_code::io, "failed to create the watcher's wake-up event",
                              std::strerror(errno));
    folder_map found;
    auto watched = watch_tree("", found);
    if (!watched) return watched.err();
    std::lock_guard<std::mutex> guard{mutex_};
    folders_ = std::move(found);
    return true;
  }

  void start_thread() {
    thread_ = std::thread([this] { run(); });
  }

  size_t watched_folders() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return folders_.size();
  }

private:
  /// Watches the folder `rel` and every folder below it, recording them in `out`. Folders that
  /// vanished, cannot be read or turned into symlinks are skipped, as the scan skips them; the
  /// only error is the watch limit (or a root that cannot be watched at all).
  core::result<bool> watch_tree(const std::string& rel, folder_map& out) {
    auto path = rel.empty() ? root_ : root_ / rel;
    int wd = ::inotify_add_watch(inotify_fd_, path.c_str(), watch_mask);
    if (wd < 0) {
      int err = errno;
      if (err == ENOSPC) return watch_limit_error(path);
      if (rel.empty())
        return core::make_error(core::error_code::io,
                                "failed to watch knowledge base folder: " + path.string(),
                                std::strerror(err));
      return true;
    }
    // A folder that is already watched gets its old descriptor back: the path is updated.
    out[wd] = rel;
    if (rel.empty()) root_wd_ = wd;
    std::vector<std::string> children;
    std::error_code ec;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      // symlink_status: a symlink to a folder is not a folder here, it is never followed
      if (!fs::is_directory(it->symlink_status(type_ec))) continue;
      auto name = it->path().filename().string();
      if (is_hidden(name)) continue; // hidden folders such as `.git` are not knowledge
      auto child = join(rel, name);
      if (depth_of(child) <= max_depth) children.push_back(std::move(child));
    }
    for (const auto& child : children) {
      auto watched = watch_tree(child, out);
      if (!watched) return watched;
    }
    return true;
  }

  /// Watches a folder that appeared below the root, and what is below it.
  void watch_new_folder(const std::string& rel) {
    if (depth_of(rel) > max_depth) return;
    folder_map found;
    // On hitting the watch limit the folders watched so far are kept; the folder is still
    // reported, so the loader rescans it once, but later changes deeper in it are missed.
    watch_tree(rel, found);
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& [wd, path] : found)
      folders_.insert_or_assign(wd, std::move(path));
  }

  /// Stops watching `rel` and every watched folder below it: it was moved away, and a watch
  /// follows the folder, wherever it goes. All folders when `rel` is empty.
  void unwatch_tree(const std::string& rel) {
    std::vector<int> gone;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      for (const auto& [wd, path] : folders_)
        if (rel.empty() || path == rel || path.starts_with(rel + "/")) gone.push_back(wd);
      for (int wd : gone)
        folders_.erase(wd);
    }
    for (int wd : gone)
      ::inotify_rm_watch(inotify_fd_, wd); // the IN_IGNORED that follows finds no mapping
  }

  /// After the event queue overflowed, creations and removals may have been missed: the tree is
  /// walked again, missing folders are watched and watches of vanished folders dropped.
  void resync() {
    folder_map found;
    watch_tree("", found); // on hitting the limit, what was found is still better than before
    std::vector<int> stale;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      for (const auto& [wd, path] : folders_)
        if (!found.contains(wd)) stale.push_back(wd);
      folders_ = std::move(found);
    }
    for (int wd : stale)
      ::inotify_rm_watch(inotify_fd_, wd);
  }

  void run() {
    std::vector<char> buffer(read_buffer_size);
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    for (;;) {
      fds[0].revents = fds[1].revents = 0;
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return; // cannot happen with valid descriptors; nothing is left to watch with
      }
      if (fds[0].revents != 0) return; // woken by the destructor
      if ((fds[1].revents & POLLIN) != 0) {
        // One read per wake-up, so a stop request is seen between batches even under a flood.
        auto got = ::read(inotify_fd_, buffer.data(), buffer.size());
        if (got > 0) handle_events(buffer.data(), static_cast<size_t>(got));
      } else if (fds[1].revents != 0) {
        return; // error on the inotify descriptor
      }
    }
  }

  void handle_events(const char* data, size_t size) {
    std::vector<std::string> changed;
    for (size_t at = 0; at + sizeof(inotify_event) <= size;) {
      inotify_event ev;
      std::memcpy(&ev, data + at, sizeof ev); // the buffer holds bytes, not aligned structs
      const char* name_at = data + at + sizeof ev;
      std::string_view name(name_at, ::strnlen(name_at, ev.len));
      at += sizeof ev + ev.len;
      if (auto rel = classify(ev, name)) {
        // The kernel merges only identical events; a write followed by its close is one report.
        if (changed.empty() || changed.back() != *rel) changed.push_back(std::move(*rel));
      }
    }
    for (const auto& rel : changed)
      report(rel);
  }

  /// Updates the watches for one event and returns what to report, if anything.
  std::optional<std::string> classify(const inotify_event& ev, std::string_view name) {
    if ((ev.mask & IN_Q_OVERFLOW) != 0) {
      resync();
      return std::string();
    }
    std::string folder;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      auto it = folders_.find(ev.wd);
      if (it == folders_.end()) return std::nullopt; // queued before its watch was dropped
      if ((ev.mask & IN_IGNORED) != 0) {
        folders_.erase(it); // the folder was deleted (or unmounted)
        return std::nullopt;
      }
      folder = it->second;
    }
    if ((ev.mask & IN_UNMOUNT) != 0) return std::string();
    if (name.empty()) {
      // An event about a watched folder itself. Below the root its parent reports it too, by
      // name; the root deleted or moved leaves nothing valid to watch under its path.
      if (ev.wd != root_wd_) return std::nullopt;
      if ((ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0) unwatch_tree("");
      return std::string();
    }
    bool is_folder = (ev.mask & IN_ISDIR) != 0;
    if (is_folder && is_hidden(name)) return std::nullopt; // not part of the knowledge base
    auto rel = join(folder, name);
    if (is_folder && (ev.mask & IN_MOVED_FROM) != 0) unwatch_tree(rel);
    if (is_folder && (ev.mask & (IN_CREATE | IN_MOVED_TO)) != 0) watch_new_folder(rel);
    return rel;
  }

  void report(const std::string& rel) {
    try {
      on_change_(rel);
    } catch (...) {
      // The callback belongs to the loader and a failure there has nowhere to go from this
      // thread; ending the thread would silently stop all later reports, which is worse than
      // missing one (the loader rescans the whole tree on the next change anyway).
    }
  }

  fs::path root_;
  callback on_change_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;   ///< an eventfd the destructor writes to wake the thread
  int root_wd_ = -1;   ///< used by the watcher thread only, once it runs
  folder_map folders_; ///< every watched folder; guarded by `mutex_`
  mutable std::mutex mutex_;
  std::thread thread_;
};

// -- kb_watcher ------------------------------------------------------------------------------

kb_watcher::kb_watcher(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

kb_watcher::~kb_watcher() = default;

core::result<std::unique_ptr<kb_watcher>> kb_watcher::start(fs::path root, callback on_change) {
  std::error_code ec;
  auto status = fs::status(root, ec);
  if (!fs::exists(status))
    return core::make_error(core::error_code::not_found,
                            "knowledge base folder not found: " + root.string(),
                            "check knowledge.path (SAGE_KB_PATH, flag --kb)");
  if (!fs::is_directory(status))
    return core::make_error(core::error_code::invalid_argument,
                            "knowledge base path is not a folder: " + root.string(),
                            "point knowledge.path (SAGE_KB_PATH, flag --kb) at a folder");
  // Watching by the resolved path: a symlinked root is followed once, here, and every path
  // below it is then inside the real tree.
  auto real_root = fs::canonical(root, ec);
  if (ec)
    return core::make_error(core::error_code::io,
                            "failed to resolve knowledge base folder: " + root.string(),
                            ec.message());
  auto state = std::make_unique<impl>(std::move(real_root), std::move(on_change));
  auto opened = state->open();
  if (!opened) return opened.err();
  try {
    state->start_thread();
  } catch (const std::system_error& e) {
    return core::make_error(core::error_code::io, "failed to start the watcher thread", e.what());
  }
  return std::unique_ptr<kb_watcher>(new kb_watcher(std::move(state)));
}

size_t kb_watcher::watched_folders() const {
  return impl_->watched_folders();
}

} // namespace sage::actors
