// `sage restore`: the live memory database replaced by a verified backup.
// SPDX-License-Identifier: MIT
#include "services/ops/backup.hpp"

#include "services/ops/db_check.hpp"
#include "services/ops/files.hpp"
#include "services/ops/sha256.hpp"

#include "actors/memory_store.hpp"

#include "core/sqlite.hpp"
#include "core/timestamp.hpp"

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

/// The process holding a lock on the database file, or 0 when none does. A SQLite connection
/// in WAL mode holds a shared lock on the file's lock bytes for as long as it is open, so an
/// idle server is found as well as a writing one. The probe opens the file only for the test:
/// this process must have no connection to it (closing any descriptor of a file drops all of
/// the process's POSIX locks on it).
pid_t lock_holder(const fs::path& db) {
  int fd = ::open(db.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0x40000000; // SQLite's PENDING byte, then RESERVED and the SHARED range
  lock.l_len = 512;
  bool probed = ::fcntl(fd, F_GETLK, &lock) == 0;
  ::close(fd);
  return probed && lock.l_type != F_UNLCK ? lock.l_pid : 0;
}

fs::path with_suffix(const fs::path& p, const std::string& suffix) {
  auto out = p;
  out += suffix;
  return out;
}

/// `20240501T123456Z` from `2024-05-01T12:34:56.789Z`, for file names.
std::string compact_time(std::string timestamp) {
  timestamp.erase(std::remove_if(timestamp.begin(), timestamp.end(),
                                 [](char c) { return c == '-' || c == ':'; }),
                  timestamp.end());
  auto dot = timestamp.find('.');
  return dot == std::string::npos ? timestamp : timestamp.substr(0, dot) + "Z";
}

/// Folds the WAL of a database nobody has open into the file, so that the file alone is the
/// whole database; a damaged database may refuse, and then its WAL is kept beside it.
void fold_wal(const fs::path& live) {
  auto db = core::sqlite::connection::open(live.string(), core::sqlite::open_mode::existing);
  if (db) db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

/// Keeps the live database (and a WAL it still has) under `previous`; the live path stays in
/// place until the restored copy is renamed over it.
std::optional<core::error> keep_previous(const fs::path& live, const fs::path& previous) {
  std::error_code ec;
  fs::create_hard_link(live, previous, ec);
  if (ec) {
    if (auto err = copy_private_file(live, previous)) return err;
  }
  // A WAL left behind would be replayed onto the restored file: it goes with the old one.
  auto wal = with_suffix(live, "-wal");
  if (fs::exists(wal, ec)) {
    fs::rename(wal, with_suffix(previous, "-wal"), ec);
    if (ec)
      return core::make_error(core::error_code::io,
                              "failed to move " + wal.string() + " aside: " + ec.message(),
                              "check the permissions of the data folder");
  }
  fs::remove(with_suffix(live, "-shm"), ec);
  return std::nullopt;
}

core::error refused(const check_report& r) {
  const auto& first = r.problems.front();
  auto more = r.problems.size() > 1
                  ? " (and " + std::to_string(r.problems.size() - 1) + " more problems)"
                  : std::string();
  return core::make_error(core::error_code::io,
                          "refusing to restore a damaged backup: " + first.message + more,
                          first.hint + "; `sage verify --backup DIR` lists every problem");
}

} // namespace

core::result<restore_summary> restore_backup(const core::config& cfg, const fs::path& folder_arg) {
  auto dir = folder_path(folder_arg);
  auto kind = kind_of(dir);
  if (kind == path_kind::missing)
    return core::make_error(core::error_code::not_found,
                            "backup folder " + dir.string() + " does not exist",
                            "pass a folder written by `sage backup --to DIR`");
  if (kind == path_kind::symlink)
    return core::make_error(
        core::error_code::invalid_argument, "backup folder " + dir.string() + " is a symbolic link",
        "pass the folder itself, e.g. --backup \"$(realpath " + dir.string() + ")\"");
  if (kind != path_kind::folder)
    return core::make_error(core::error_code::invalid_argument,
                            "backup " + dir.string() + " is not a folder",
                            "pass a folder written by `sage backup --to DIR`");
  auto check = check_backup(dir);
  if (!check.report.ok()) return refused(check.report);
  const auto& manifest = *check.manifest;
  if (!manifest.has_database())
    return core::make_error(core::error_code::not_found,
                            "the backup holds no memory database (there was none when it was "
                            "made); nothing to restore",
                            "use a backup made after the memory was first used");

  auto live = actors::memory_db_path(cfg);
  auto folder = live.parent_path();
  if (kind_of(folder) == path_kind::missing)
    if (auto err = create_private_folder(folder)) return *err;
  bool had_live = kind_of(live) != path_kind::missing;
  auto pid = had_live ? lock_holder(live) : 0;
  if (pid != 0)
    return core::make_error(
        core::error_code::io,
        "the memory database " + live.string() + " is open in another process (pid " +
            std::to_string(pid) + "); restoring under it would lose its writes",
        "stop the sage server, `sage mcp` or `sage node` using it, then restore again");

  // The copy is made and checked beside the live file (same file system, so the rename that
  // puts it in place is atomic); the live data is untouched until then.
  auto copy = folder / (".memory.db.restore-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove(copy, ec);
  auto discard = [&](core::error err) -> core::result<restore_summary> {
    std::error_code ignored;
    fs::remove(copy, ignored);
    fs::remove(with_suffix(copy, "-journal"), ignored);
    return err;
  };
  if (auto err = copy_private_file(dir / backup_files::database, copy)) return discard(*err);
  auto digest = digest_file(copy);
  const auto& recorded =
      *std::find_if(manifest.files.begin(), manifest.files.end(),
                    [](const auto& f) { return f.path == backup_files::database; });
  if (!digest || digest->sha256 != recorded.sha256)
    return discard(core::make_error(core::error_code::io,
                                    "the copy of memory.db does not match the backup's checksum",
                                    "the backup changed while it was read; restore again"));
  auto db = check_database(copy, db_depth::full);
  if (!db.ok()) return discard(refused(db));

  restore_summary s;
  s.manifest = manifest;
  s.database = live;
  s.entries = db.details.value("entries", int64_t{0});
  s.sessions = db.details.value("sessions", int64_t{0});
  if (had_live) {
    fold_wal(live);
    s.previous = with_suffix(live, ".pre-restore-" + compact_time(core::now_timestamp()));
    if (auto err = keep_previous(live, s.previous)) return discard(*err);
  }
  fs::rename(copy, live, ec);
  if (ec)
    return discard(core::make_error(
        core::error_code::io, "failed to put the restored database in place: " + ec.message(),
        "the live database is unchanged; check the permissions of " + folder.string()));
  if (auto err = sync_folder(folder)) s.notes.push_back(err->message);
  for (auto& note : check.report.notes)
    s.notes.push_back(note);
  return s;
}

} // namespace sage::services::ops
