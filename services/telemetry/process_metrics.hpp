// Metrics read from the system when scraped: the resident memory of the process and the size
// of the working-memory database. The I/O that core/ does not do.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/sage_metrics.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>

namespace sage::services::telemetry {

/// Resident set size of this process from /proc/self/statm; nothing where that is unreadable.
std::optional<uint64_t> resident_bytes();

/// Size of a SQLite database with its `-wal` file; 0 when it does not exist (yet).
uint64_t database_bytes(const std::filesystem::path& db);

/// Makes `metrics` read `sage_memory_usage_bytes` and `sage_memory_database_bytes` (from
/// `memory_db`) before every rendering.
void collect_process_metrics(core::sage_metrics& metrics, std::filesystem::path memory_db);

} // namespace sage::services::telemetry
