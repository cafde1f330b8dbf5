// `sage verify`: the memory database, the index cache and a backup, with every problem found.
// SPDX-License-Identifier: MIT
#include "services/cli/ops_commands.hpp"

#include "services/ops/backup_manifest.hpp"
#include "services/ops/db_check.hpp"
#include "services/ops/files.hpp"
#include "services/ops/index_check.hpp"

#include "actors/memory_store.hpp"

#include <iostream>

namespace sage::services::cli {
namespace {

ops::check_report check_backup_folder(const std::string& arg, const core::config& cfg) {
  auto dir = ops::folder_path(arg).string();
  auto kind = ops::kind_of(dir);
  if (kind != ops::path_kind::folder) {
    ops::check_report r;
    r.name = "backup";
    r.details["path"] = dir;
    r.summary = "not a folder";
    r.fail("backup " + dir +
               (kind == ops::path_kind::missing   ? " does not exist"
                : kind == ops::path_kind::symlink ? " is a symbolic link"
                                                  : " is not a folder"),
           kind == ops::path_kind::symlink
               ? "pass the folder itself, e.g. --backup \"$(realpath " + dir + ")\""
               : "pass a folder written by `sage backup --to DIR`");
    return r;
  }
  auto checked = ops::check_backup(dir);
  if (checked.manifest)
    for (auto& n : ops::compare_knowledge(*checked.manifest, cfg))
      checked.report.notes.push_back(std::move(n));
  return std::move(checked.report);
}

void print_text(const output& out, const std::vector<ops::check_report>& reports) {
  size_t failed = 0;
  for (const auto& r : reports) {
    failed += !r.ok();
    std::cout << (r.ok() ? "ok    " : out.bold("FAIL") + "  ") << r.name
              << std::string(r.name.size() < 10 ? 10 - r.name.size() : 1, ' ') << r.summary << '\n';
    for (const auto& p : r.problems) {
      std::cout << "      problem: " << p.message << '\n';
      if (!p.hint.empty()) std::cout << "      hint: " << p.hint << '\n';
    }
    for (const auto& n : r.notes)
      std::cout << "      note: " << n << '\n';
  }
  std::cout << reports.size() - failed << " of " << reports.size() << " checks passed"
            << (failed ? "" : ": no problems found") << '\n';
}

} // namespace

int run_verify(session& s, const output& out, const ops_args& a) {
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  bool narrowed = a.database || a.index || !a.backup.empty();
  bool database = a.all || a.database || !narrowed;
  bool index = a.all || a.index || !narrowed;
  std::vector<ops::check_report> reports;
  if (database)
    reports.push_back(ops::check_database(actors::memory_db_path(*cfg), ops::db_depth::full));
  if (index) reports.push_back(ops::check_index(*cfg));
  if (!a.backup.empty()) reports.push_back(check_backup_folder(a.backup, *cfg));
  bool all_ok = true;
  for (const auto& r : reports)
    all_ok = all_ok && r.ok();
  if (out.json()) {
    auto checks = nlohmann::json::array();
    size_t problems = 0;
    for (const auto& r : reports) {
      checks.push_back(ops::to_json(r));
      problems += r.problems.size();
    }
    out.print_json({{"ok", all_ok}, {"problems", problems}, {"checks", checks}});
  } else {
    print_text(out, reports);
  }
  return all_ok ? ok : failure;
}

} // namespace sage::services::cli
