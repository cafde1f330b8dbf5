// `sage backup` and `sage restore`: an online copy of the memory database with the effective
// configuration and a manifest of checksums, and the safe replacement of the live database by
// a verified backup.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/ops/backup_manifest.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sage::services::ops {

/// What a backup wrote.
struct backup_summary {
  std::filesystem::path dir;
  backup_manifest manifest;
  std::vector<std::string> notes; ///< e.g. no database yet, knowledge base not readable
};

/// Backs up into `dir`, which must not exist or be an empty folder (a symbolic link, a file or
/// a folder with anything in it is refused with a hint). Writes, in `dir/.partial` first:
/// `memory.db`, copied with SQLite's online backup API while other processes may be writing
/// (one consistent snapshot; switched to a rollback journal so the copy is one self-contained
/// file) and checked (integrity and full-text index) before it counts; `sage.yaml`, the
/// effective configuration (`server.api_key` redacted); `manifest.json` with the SHA-256 of
/// each of them and of every file of the knowledge base; then moves them into `dir` with
/// `manifest.sha256` last, so an interrupted backup never looks complete. Files are private
/// (0600, folder 0700) and synced to disk. On failure nothing is left behind but the folder the
/// caller made.
core::result<backup_summary> create_backup(const core::config& cfg,
                                           const std::filesystem::path& dir);

/// What a restore did.
struct restore_summary {
  backup_manifest manifest;
  std::filesystem::path database; ///< the live database, now the backup's
  std::filesystem::path previous; ///< where the replaced database was kept; empty if none
  int64_t entries = 0, sessions = 0;
  std::vector<std::string> notes;
};

/// Replaces the live memory database with the backup in `dir`. Refuses, with the live data
/// untouched, a backup that `check_backup` finds any problem with (naming the file), one
/// without a database, and a live database that another process has open (a running `sage
/// serve`, `sage mcp` or `sage node`: its open connection would go on writing to the replaced
/// file). Otherwise copies the backup's database next to the live one, checks the copy
/// (checksum, integrity, full-text index), keeps the live database (after folding in its WAL)
/// as `memory.db.pre-restore-<time>`, and renames the copy into place, so at every moment the
/// live path holds either the old or the restored database.
core::result<restore_summary> restore_backup(const core::config& cfg,
                                             const std::filesystem::path& dir);

} // namespace sage::services::ops
