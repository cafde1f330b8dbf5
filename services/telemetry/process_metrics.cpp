// Process and database sizes for the metrics.
// SPDX-License-Identifier: MIT
#include "services/telemetry/process_metrics.hpp"

#include <fstream>
#include <unistd.h>

namespace sage::services::telemetry {

std::optional<uint64_t> resident_bytes() {
  // statm: size resident shared text lib data dt, in pages.
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return std::nullopt;
  auto page = ::sysconf(_SC_PAGESIZE);
  return resident * static_cast<uint64_t>(page > 0 ? page : 4096);
}

uint64_t database_bytes(const std::filesystem::path& db) {
  uint64_t total = 0;
  for (const auto& file : {db, std::filesystem::path(db.string() + "-wal")}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (!ec) total += size;
  }
  return total;
}

void collect_process_metrics(core::sage_metrics& metrics, std::filesystem::path memory_db) {
  metrics.read_process_with([db = std::move(memory_db)] {
    return core::process_reading{resident_bytes(), database_bytes(db)};
  });
}

} // namespace sage::services::telemetry
