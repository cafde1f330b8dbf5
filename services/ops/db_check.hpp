// Checks of the memory database file: SQLite's integrity checks, the full-text index against
// its table, and the schema version, without ever creating the file.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/ops/check_report.hpp"

#include <chrono>
#include <filesystem>

namespace sage::services::ops {

/// How thorough a database check is.
enum class db_depth {
  quick, ///< `PRAGMA quick_check`: for health probes
  full,  ///< `PRAGMA integrity_check` and FTS5's `integrity-check`: for `sage verify`
};

/// How long a check waits for another process's write to finish before it reports busy.
constexpr auto db_busy_wait = std::chrono::seconds(5);

/// Checks the memory database at `path` (report name `database`): the integrity check of
/// `depth`, the schema version against this build's, and counts of entries and sessions. A
/// missing file is no problem (`details.exists` false): the database is created on first use,
/// and a check never creates it. `read_only` opens the file so that it stays byte for byte as
/// it was (a backup); FTS5's check needs to write and is then left out.
check_report check_database(const std::filesystem::path& path, db_depth depth,
                            bool read_only = false);

} // namespace sage::services::ops
