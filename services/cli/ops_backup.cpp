// `sage backup` and `sage restore`.
// SPDX-License-Identifier: MIT
#include "services/cli/memory_support.hpp"
#include "services/cli/ops_commands.hpp"

#include "services/ops/backup.hpp"

#include <iostream>

namespace sage::services::cli {
namespace {

core::error missing_folder(const std::string& flag) {
  return core::make_error(core::error_code::invalid_argument, flag + " needs a folder",
                          "e.g. sage backup --to backups/2024-05-01");
}

std::string size_text(uint64_t bytes) {
  if (bytes < 10 * 1024) return std::to_string(bytes) + " bytes";
  if (bytes < 10 * 1024 * 1024) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

} // namespace

int run_backup(session& s, const output& out, const ops_args& a) {
  if (a.to.empty()) return out.fail(missing_folder("--to"));
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  auto done = ops::create_backup(*cfg, a.to);
  if (!done) return out.fail(done.err());
  const auto& m = done->manifest;
  if (out.json()) {
    auto j = ops::to_json(m);
    j["knowledge"].erase("files"); // the manifest has them; the answer says how many
    j["dir"] = done->dir.string();
    j["notes"] = done->notes;
    out.print_json(j);
    return ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : m.files)
    rows.push_back({f.path, size_text(f.size),
                    f.path == ops::backup_files::database
                        ? count_of(static_cast<size_t>(m.entries), "entry", "entries") + ", " +
                              count_of(static_cast<size_t>(m.sessions), "session", "sessions") +
                              ", schema " + std::to_string(m.schema_version)
                        : "the effective configuration"});
  rows.push_back({ops::backup_files::manifest, "",
                  "sha-256 of these files and of " +
                      count_of(m.knowledge.size(), "knowledge file", "knowledge files")});
  std::cout << "backed up to " << done->dir.string() << "\n";
  out.table({"file", "size", "holds"}, rows);
  for (const auto& n : done->notes)
    out.note("note: " + n);
  return ok;
}

int run_restore(session& s, const output& out, const ops_args& a) {
  if (a.backup.empty()) return out.fail(missing_folder("--backup"));
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  auto done = ops::restore_backup(*cfg, a.backup);
  if (!done) return out.fail(done.err());
  auto notes = done->notes;
  for (auto& n : ops::compare_knowledge(done->manifest, *cfg))
    notes.push_back(std::move(n));
  if (out.json()) {
    out.print_json({{"restored", done->database.string()},
                    {"backup", a.backup},
                    {"created_at", done->manifest.created_at},
                    {"sage_version", done->manifest.sage_version},
                    {"schema_version", done->manifest.schema_version},
                    {"entries", done->entries},
                    {"sessions", done->sessions},
                    {"previous", done->previous.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(done->previous.string())},
                    {"notes", notes}});
    return ok;
  }
  std::cout << "restored " << done->database.string() << " from the backup of "
            << done->manifest.created_at << " (sage " << done->manifest.sage_version
            << "): " << count_of(static_cast<size_t>(done->entries), "entry", "entries") << ", "
            << count_of(static_cast<size_t>(done->sessions), "session", "sessions") << "\n";
  if (!done->previous.empty())
    std::cout << "the replaced database is kept as " << done->previous.string()
              << "; delete it once the restore is confirmed\n";
  for (const auto& n : notes)
    out.note("note: " + n);
  return ok;
}

} // namespace sage::services::cli
