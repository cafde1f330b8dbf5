// The schema of the memory database and its forward migrations.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/sqlite.hpp"

#include <optional>
#include <string>

namespace sage::core::memory_schema {

/// The version the last migration brings a database to.
int latest_version();

/// Applies every migration newer than the database's version, each in its own transaction
/// (re-reading the version inside it, so two processes opening a new file at once apply each
/// migration once). Refuses a database whose version is newer than `latest_version()`.
std::optional<error> migrate(sqlite::connection& db, const std::string& path);

} // namespace sage::core::memory_schema
