// Checks of the memory database file.
// SPDX-License-Identifier: MIT
#include "services/ops/db_check.hpp"

#include "core/memory_db.hpp"
#include "core/sqlite.hpp"

#include <string>
#include <vector>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

constexpr size_t max_reported_messages = 10;

const std::string restore_hint =
    "restore the last good backup with `sage restore --backup DIR`; until then `sage memory "
    "export` may still save the entries that can be read";

/// The text rows of a statement such as `PRAGMA integrity_check`.
core::result<std::vector<std::string>> rows_of(core::sqlite::connection& db,
                                               const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return st.err();
  std::vector<std::string> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) return out;
    out.push_back(st->column_text(0));
  }
}

core::result<int64_t> number_of(core::sqlite::connection& db, const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return st.err();
  auto row = st->step();
  if (!row) return row.err();
  return *row ? st->column_int(0) : 0;
}

/// SQLite's integrity check: "ok", or what it found (at most a few messages).
void check_integrity(core::sqlite::connection& db, db_depth depth, check_report& r) {
  auto pragma = depth == db_depth::full ? "PRAGMA integrity_check(" : "PRAGMA quick_check(";
  auto rows = rows_of(db, pragma + std::to_string(max_reported_messages) + ")");
  if (!rows) {
    r.details["integrity"] = rows.err().message;
    r.fail("memory database failed its integrity check: " + rows.err().message, restore_hint);
    return;
  }
  if (rows->size() == 1 && rows->front() == "ok") {
    r.details["integrity"] = "ok";
    return;
  }
  r.details["integrity"] = *rows;
  std::string first = rows->empty() ? "no answer" : rows->front();
  auto more = rows->size() > 1 ? " (and " + std::to_string(rows->size() - 1) + " more)" : "";
  r.fail("memory database failed its integrity check: " + first + more, restore_hint);
}

/// FTS5 compares its index with the entries table; a mismatch makes searches miss entries.
void check_fts(core::sqlite::connection& db, check_report& r) {
  if (auto err = db.exec("INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check')")) {
    r.details["fts"] = err->message;
    r.fail("full-text index of the memory database does not match its entries: " + err->message,
           "with no sage process running, rebuild it: sqlite3 memory.db \"INSERT INTO "
           "memory_fts (memory_fts) VALUES ('rebuild')\"");
    return;
  }
  r.details["fts"] = "ok";
}

void check_schema(core::sqlite::connection& db, check_report& r) {
  auto latest = core::memory_db::latest_schema_version();
  r.details["latest_schema_version"] = latest;
  auto version = number_of(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  if (!version) {
    r.fail("not a sage memory database: " + version.err().message,
           "check memory.data_dir (SAGE_DATA_DIR); the file there is not sage's");
    return;
  }
  r.details["schema_version"] = *version;
  if (*version > latest)
    r.fail("memory database schema version " + std::to_string(*version) +
               " is newer than this build knows (" + std::to_string(latest) + ")",
           "upgrade sage to the version that wrote it");
  else if (*version < latest)
    r.notes.push_back("schema version " + std::to_string(*version) + " is migrated to " +
                      std::to_string(latest) + " on the next use");
}

void count_rows(core::sqlite::connection& db, check_report& r) {
  for (const auto& [key, table] :
       {std::pair{"entries", "memory_entries"}, std::pair{"sessions", "sessions"}}) {
    auto n = number_of(db, std::string("SELECT count(*) FROM ") + table);
    if (n) r.details[key] = *n;
  }
}

/// Whether a write could be made: a database that reads well can still refuse every write (a
/// read-only file or mount, a full disk's journal). `BEGIN IMMEDIATE` takes the write lock
/// without writing anything; the rollback gives it back.
void check_writable(core::sqlite::connection& db, check_report& r) {
  // A writer holding the lock already proves the database takes writes: do not wait for it (a
  // health probe waiting db_busy_wait would outlast the prober's own timeout).
  db.exec("PRAGMA busy_timeout = 0");
  auto err = db.exec("BEGIN IMMEDIATE");
  db.exec("PRAGMA busy_timeout = " +
          std::to_string(std::chrono::milliseconds(db_busy_wait).count()));
  if (err) {
    auto says = [&](const char* text) { return err->message.find(text) != std::string::npos; };
    if (says("locked") || says("busy")) {
      // Another process is writing: the database takes writes, just not this instant.
      r.details["writable"] = true;
      r.notes.push_back("another process was writing during the check");
    } else if (says("readonly") || says("read-only") || says("unable to open")) {
      r.details["writable"] = false;
      r.fail("the memory database does not take writes: " + err->message,
             "check that the file, its folder and the file system are writable by this user");
    }
    // Anything else (not a database at all) is for the integrity check to report.
    return;
  }
  db.exec("ROLLBACK");
  r.details["writable"] = true;
}

} // namespace

check_report check_database(const fs::path& path, db_depth depth, bool read_only) {
  check_report r;
  r.name = "database";
  r.details["path"] = path.string();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) {
    r.details["exists"] = false;
    r.summary = "not created yet (it is created on first use)";
    return r;
  }
  r.details["exists"] = true;
  r.details["bytes"] = fs::file_size(path, ec);
  auto db =
      core::sqlite::connection::open(path.string(), read_only ? core::sqlite::open_mode::read_only
                                                              : core::sqlite::open_mode::existing);
  if (!db) {
    r.fail(db.err().message, db.err().hint.empty() ? restore_hint : db.err().hint);
    r.summary = "cannot be opened";
    return r;
  }
  db->exec("PRAGMA busy_timeout = " +
           std::to_string(std::chrono::milliseconds(db_busy_wait).count()));
  // Writability first: on a read-only mount a WAL database cannot even be read, and the
  // integrity check's failure would point to a restore instead of the mount.
  if (!read_only) check_writable(*db, r);
  if (r.ok()) check_integrity(*db, depth, r);
  if (r.ok()) check_schema(*db, r);
  if (r.ok() && depth == db_depth::full) {
    if (read_only)
      r.details["fts"] = "not checked (read-only)";
    else
      check_fts(*db, r);
  }
  if (r.ok()) count_rows(*db, r);
  if (r.ok()) {
    r.summary = (depth == db_depth::full ? "integrity ok" : "quick check ok");
    if (r.details.contains("fts") && r.details["fts"] == "ok") r.summary += ", full-text index ok";
    r.summary += ", schema " + std::to_string(r.details.value("schema_version", 0));
    auto count = [&](const char* key, const char* one, const char* many) {
      auto n = r.details.value(key, int64_t{0});
      return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    if (r.details.contains("entries"))
      r.summary += ", " + count("entries", "entry", "entries") + ", " +
                   count("sessions", "session", "sessions");
  } else {
    r.summary = r.details.value("writable", true) ? "damaged" : "not writable";
  }
  return r;
}

} // namespace sage::services::ops
