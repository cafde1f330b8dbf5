// `sage backup`, `sage restore` and `sage verify` driven as processes: an online backup while
// another process writes, damage to the live database found and repaired by a restore, damaged
// or tampered backups refused with the live database untouched, and hostile target paths.
// SPDX-License-Identifier: MIT
#include "support/sage_sandbox.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <functional>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>

namespace fs = std::filesystem;
using sage::test::contains;
using sage::test::sage_sandbox;
using sage::test::shell;
using sage::test::shell_quote;
using sage::test::temp_dir;

namespace {

struct backup_fixture {
  sage_sandbox sage;
  temp_dir kb;
  fs::path backups = sage.home.path() / "backups";

  backup_fixture() {
    kb.write("core/principles.md", "# Principles\n\nKeep functions small.\n");
    kb.write("guidelines/testing.md", "# Testing\n\nTest behaviour.\n");
  }

  sage::test::run_result operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--kb", kb.path().string()});
    return sage(args);
  }
  nlohmann::json ok(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--kb", kb.path().string()});
    return sage.ok(args);
  }

  /// Entries and a session through the CLI; returns the entry ids.
  std::set<std::string> remember() const {
    std::set<std::string> ids;
    for (const char* text : {"Retry with exponential backoff", "The client lives in net/http.cpp",
                             "Decided: Postgres over MySQL"})
      ids.insert(ok({"memory", "add", text, "--tag", "ops"})["id"].get<std::string>());
    ok({"session", "start", "ship the release"});
    return ids;
  }

  std::set<std::string> stored_ids() const {
    std::set<std::string> out;
    auto listed = ok({"memory", "list", "--limit", "1000"});
    for (const auto& e : listed["entries"])
      out.insert(e["id"].get<std::string>());
    return out;
  }

  /// A copy of a backup folder to tamper with.
  fs::path copy_of(const fs::path& backup, const std::string& name) const {
    auto to = backups / name;
    fs::copy(backup, to, fs::copy_options::recursive);
    return to;
  }
};

/// The permission bits of a file, as `ls -l` would show them in octal.
unsigned mode_of(const fs::path& p) {
  return static_cast<unsigned>(fs::status(p).permissions() & fs::perms::mask);
}

} // namespace

BOOST_AUTO_TEST_SUITE(ops_backup_process)

BOOST_FIXTURE_TEST_CASE(backup_damage_verify_restore_verify_brings_the_entries_back,
                        backup_fixture) {
  auto ids = remember();
  auto b = backups / "first";
  auto made = ok({"backup", "--to", b.string()});
  BOOST_TEST(made["dir"] == b.string());
  BOOST_TEST(made["memory"]["entries"] == 3);
  BOOST_TEST(made["memory"]["sessions"] == 1);
  BOOST_TEST(made["knowledge"]["count"] == 2);
  for (const char* f : {"memory.db", "sage.yaml", "manifest.json", "manifest.sha256"}) {
    BOOST_TEST(fs::is_regular_file(b / f), f);
    BOOST_TEST((mode_of(b / f) & 077u) == 0u, f);
  }
  BOOST_TEST(!fs::exists(b / ".partial"));
  BOOST_TEST(mode_of(b) == 0700u);
  // The manifest checks out with the standard tool, and its checksums are the files' own.
  BOOST_TEST(
      shell("cd " + shell_quote(b.string()) + " && sha256sum -c manifest.sha256", sage.home.path())
          .code == 0);
  auto manifest = nlohmann::json::parse(sage::test::slurp(b / "manifest.json"));
  BOOST_TEST(manifest["format"] == "sage-backup");
  BOOST_TEST(manifest["format_version"] == 1);
  BOOST_TEST(manifest["sage_version"] == SAGE_VERSION);
  BOOST_TEST(manifest["schema_version"].get<int>() >= 4);
  for (const auto& f : manifest["files"])
    BOOST_TEST(f["sha256"] == sage.sha256(b / f["path"].get<std::string>()));
  BOOST_REQUIRE(manifest["knowledge"]["files"].size() == 2u);
  for (const auto& f : manifest["knowledge"]["files"])
    BOOST_TEST(f["sha256"] == sage.sha256(kb.path() / f["path"].get<std::string>()));
  // The copy is one self-contained, sound file.
  BOOST_TEST(sage.sql("PRAGMA integrity_check;", b / "memory.db") == "ok");
  BOOST_TEST(sage.sql("PRAGMA journal_mode;", b / "memory.db") == "delete");
  BOOST_TEST(sage.sql("SELECT count(*) FROM memory_entries;", b / "memory.db") == "3");
  BOOST_TEST(contains(sage::test::slurp(b / "sage.yaml"), "knowledge:"));
  BOOST_TEST(ok({"verify", "--all", "--backup", b.string()})["ok"] == true);

  sage::test::damage_middle(sage.db());
  auto verify = (*this)({"verify", "--database"});
  BOOST_TEST(verify.code == 1);
  BOOST_TEST(contains(verify.out, "FAIL"));
  BOOST_TEST(contains(verify.out, "integrity check"));
  BOOST_TEST(contains(verify.out, "hint: restore the last good backup"));
  BOOST_TEST((*this)({"health"}).code == 4);

  auto restored = (*this)({"restore", "--backup", b.string()});
  BOOST_TEST_REQUIRE(restored.code == 0, restored.err);
  BOOST_TEST(contains(restored.out, "restored " + sage.db().string()));
  BOOST_TEST(contains(restored.out, "3 entries, 1 session"));
  BOOST_TEST(contains(restored.out, "the replaced database is kept as"));
  BOOST_TEST(contains(restored.err, "knowledge base is the one recorded in the backup"));
  auto checked = ok({"verify", "--all"});
  BOOST_TEST(checked["ok"] == true);
  BOOST_TEST(checked["checks"][0]["details"]["fts"] == "ok");
  BOOST_TEST(stored_ids() == ids);
  BOOST_TEST(ok({"memory", "search", "backoff"})["count"] == 1);
  BOOST_TEST(ok({"health"})["status"] == "healthy");
  BOOST_TEST((mode_of(sage.db()) & 077u) == 0u);
  // The damaged database is kept beside it, not lost.
  size_t kept = 0;
  for (const auto& e : fs::directory_iterator(sage.data_dir))
    kept += e.path().filename().string().starts_with("memory.db.pre-restore-");
  BOOST_TEST(kept == 1u);
}

BOOST_FIXTURE_TEST_CASE(backup_while_another_process_writes_is_one_consistent_snapshot,
                        backup_fixture) {
  fs::create_directories(sage.data_dir);
  sage::test::child_process writer(SAGE_MEMORY_WRITER, {sage.db().string(), "--forever"},
                                   sage.home.path(), "writer");
  auto wait_for_lines = [&](size_t n) {
    for (int i = 0; i < 600 && writer.out_lines().size() < n && writer.err().empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BOOST_REQUIRE_MESSAGE(writer.out_lines().size() >= n, "writer: " << writer.err());
  };
  wait_for_lines(50);
  auto before = writer.out_lines(); // acknowledged before the backup began
  auto b = backups / "online";
  auto made = (*this)({"backup", "--to", b.string(), "--json"});
  BOOST_REQUIRE_MESSAGE(made.code == 0, made.err);
  auto during = writer.out_lines().size();
  wait_for_lines(during + 20); // the writer was never stopped by the backup

  // A restore under a process that has the database open is refused; the writer goes on.
  auto refused = (*this)({"restore", "--backup", b.string()});
  BOOST_TEST(refused.code == 1);
  BOOST_TEST(contains(refused.err, "open in another process (pid " + std::to_string(writer.pid())));
  BOOST_TEST(contains(refused.err, "hint: stop the sage server"));
  auto after_refusal = writer.out_lines().size();
  wait_for_lines(after_refusal + 20);
  writer.kill();

  BOOST_TEST(sage.sql("PRAGMA integrity_check;", b / "memory.db") == "ok");
  BOOST_TEST(sage.sql("INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check');",
                      b / "memory.db") == "");
  std::set<std::string> in_backup;
  std::stringstream ids(sage.sql("SELECT id FROM memory_entries;", b / "memory.db"));
  for (std::string id; std::getline(ids, id);)
    in_backup.insert(id);
  BOOST_TEST(made.json()["memory"]["entries"] == in_backup.size());
  // Everything acknowledged before the backup is in it, and nothing that was never written.
  for (const auto& id : before)
    BOOST_TEST(in_backup.count(id) == 1u, id);
  std::set<std::string> acknowledged;
  for (const auto& id : writer.out_lines())
    acknowledged.insert(id);
  for (const auto& id : in_backup)
    BOOST_TEST(acknowledged.count(id) == 1u, id);
  BOOST_TEST(ok({"verify", "--backup", b.string()})["ok"] == true);
}

BOOST_FIXTURE_TEST_CASE(tampered_or_incomplete_backups_are_refused_and_the_live_data_kept,
                        backup_fixture) {
  remember();
  auto good = backups / "good";
  ok({"backup", "--to", good.string()});
  ok({"memory", "add", "written after the backup"});
  auto live_before = sage.sha256(sage.db());

  struct tampering {
    std::string name;
    std::function<void(const fs::path&)> apply;
    std::string names; ///< what the error must mention
  };
  const std::vector<tampering> cases = {
      {"db-byte", [](const fs::path& d) { sage::test::flip_byte(d / "memory.db"); },
       "memory.db does not match its sha-256"},
      {"yaml-byte", [](const fs::path& d) { sage::test::flip_byte(d / "sage.yaml", 0); },
       "sage.yaml does not match its sha-256"},
      {"manifest-byte", [](const fs::path& d) { sage::test::flip_byte(d / "manifest.json"); },
       "manifest.json does not match its sha-256"},
      {"sum-missing", [](const fs::path& d) { fs::remove(d / "manifest.sha256"); },
       "manifest.sha256 is missing"},
      {"db-missing", [](const fs::path& d) { fs::remove(d / "memory.db"); },
       "memory.db is missing from the backup"},
      {"db-truncated", [](const fs::path& d) { fs::resize_file(d / "memory.db", 4096); },
       "memory.db has 4096 bytes"},
      {"db-symlink",
       [this](const fs::path& d) {
         fs::remove(d / "memory.db");
         fs::create_symlink(sage.db(), d / "memory.db");
       },
       "memory.db in the backup is not a regular file"},
      {"interrupted", [](const fs::path& d) { fs::create_directory(d / ".partial"); },
       "is incomplete"},
  };
  for (const auto& t : cases) {
    BOOST_TEST_CONTEXT(t.name) {
      auto bad = copy_of(good, t.name);
      t.apply(bad);
      auto r = (*this)({"restore", "--backup", bad.string()});
      BOOST_TEST(r.code == 1);
      BOOST_TEST(contains(r.err, "refusing to restore a damaged backup"));
      BOOST_TEST(contains(r.err, t.names), r.err);
      BOOST_TEST(contains(r.err, "hint:"));
      auto v = (*this)({"verify", "--backup", bad.string()});
      BOOST_TEST(v.code == 1);
      BOOST_TEST(contains(v.out, t.names), v.out);
      BOOST_TEST(sage.sha256(sage.db()) == live_before);
    }
  }
  for (const auto& e : fs::directory_iterator(sage.data_dir))
    BOOST_TEST(!e.path().filename().string().starts_with("memory.db.pre-restore"));
  BOOST_TEST(ok({"memory", "search", "after"})["count"] == 1);
  BOOST_TEST(ok({"verify", "--backup", good.string()})["ok"] == true);
}

BOOST_FIXTURE_TEST_CASE(backup_targets_must_be_new_or_empty_folders, backup_fixture) {
  remember();
  auto used = backups / "used";
  ok({"backup", "--to", used.string()});
  auto again = (*this)({"backup", "--to", used.string()});
  BOOST_TEST(again.code == 2);
  BOOST_TEST(contains(again.err, "is not empty"));
  BOOST_TEST(contains(again.err, "hint: pass a new or empty folder"));
  BOOST_TEST(ok({"verify", "--backup", used.string()})["ok"] == true); // untouched

  auto file = sage.home.write("a-file", "not a folder");
  auto on_file = (*this)({"backup", "--to", file.string()});
  BOOST_TEST(on_file.code == 2);
  BOOST_TEST(contains(on_file.err, "exists and is not a folder"));
  BOOST_TEST(sage::test::slurp(file) == "not a folder");

  auto empty = backups / "empty";
  fs::create_directories(empty);
  auto link = backups / "link";
  fs::create_directory_symlink(empty, link);
  auto on_link = (*this)({"backup", "--to", link.string()});
  BOOST_TEST(on_link.code == 2);
  BOOST_TEST(contains(on_link.err, "is a symbolic link"));
  BOOST_TEST(contains(on_link.err, "realpath"));
  BOOST_TEST(fs::is_empty(empty));
  // A trailing slash makes the system follow the link; it is refused all the same.
  auto on_link_slash = (*this)({"backup", "--to", link.string() + "/"});
  BOOST_TEST(on_link_slash.code == 2);
  BOOST_TEST(contains(on_link_slash.err, "is a symbolic link"));
  BOOST_TEST(fs::is_empty(empty));
  auto restore_link = (*this)({"restore", "--backup", link.string()});
  BOOST_TEST(restore_link.code == 2);
  BOOST_TEST(contains(restore_link.err, "is a symbolic link"));

  BOOST_TEST(ok({"backup", "--to", empty.string()})["memory"]["entries"] == 3);
  auto nested = backups / "a" / "b" / "c";
  BOOST_TEST(ok({"backup", "--to", nested.string() + "/"})["memory"]["entries"] == 3);
  BOOST_TEST(ok({"verify", "--backup", nested.string() + "/"})["ok"] == true);

  auto missing = (*this)({"restore", "--backup", (backups / "nope").string()});
  BOOST_TEST(missing.code == 3);
  BOOST_TEST(contains(missing.err, "does not exist"));
  auto not_backup = (*this)({"restore", "--backup", kb.path().string()});
  BOOST_TEST(not_backup.code == 1);
  BOOST_TEST(contains(not_backup.err, "not a complete sage backup"));
  BOOST_TEST((*this)({"backup"}).code == 2); // --to is required
}

BOOST_FIXTURE_TEST_CASE(a_backup_before_first_memory_use_restores_nothing, backup_fixture) {
  auto b = backups / "empty-memory";
  auto made = (*this)({"backup", "--to", b.string()});
  BOOST_TEST(made.code == 0);
  BOOST_TEST(contains(made.err, "no memory database yet"));
  BOOST_TEST(!fs::exists(b / "memory.db"));
  BOOST_TEST(!fs::exists(sage.db())); // a backup never creates it
  BOOST_TEST(ok({"verify", "--backup", b.string()})["ok"] == true);
  auto r = (*this)({"restore", "--backup", b.string()});
  BOOST_TEST(r.code == 3);
  BOOST_TEST(contains(r.err, "holds no memory database"));
}

BOOST_AUTO_TEST_SUITE_END()
