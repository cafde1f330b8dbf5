// Helpers of the memory durability and concurrency tests: the test writer process, and checks
// that every acknowledged entry is stored and the database file is intact.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/memory_db.hpp"
#include "core/tokenizer.hpp"

#include "support/child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sage::test::memory_checks {

using namespace sage::core;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using clock_type = std::chrono::steady_clock;

/// How long a writer may take to end after its --seconds ran out or after SIGKILL.
constexpr auto writer_exit_limit = 15s;
/// How long a writer may take to acknowledge its first entry.
constexpr auto first_ack_limit = 10s;

/// The random seed: $SAGE_TEST_SEED to replay a failure, else a fresh one.
inline unsigned test_seed() {
  if (const char* env = std::getenv("SAGE_TEST_SEED")) return std::stoul(env);
  return std::random_device{}();
}

inline memory_db open_store(const fs::path& path) {
  auto counter = token_counter::load("estimate", "");
  BOOST_REQUIRE_MESSAGE(counter.has_value(), "cannot make the estimate token counter");
  auto db = memory_db::open(path, std::move(*counter));
  BOOST_REQUIRE_MESSAGE(db.has_value(), "open failed: " + (db ? "" : db.err().message));
  return std::move(*db);
}

/// The content the writer gives its entry number `seq` (see tests/support/memory_writer.cpp);
/// this process writes its own entries in the same form.
inline std::string writer_content(const std::string& session, size_t seq) {
  return "memory_writer session=" + session + " seq=" + std::to_string(seq);
}

/// `memory_writer` on `db` for `session`, with its output in `dir`. The one place that knows the
/// writer's command line: any program that prints one acknowledged id per line fits the tests.
inline std::unique_ptr<child_process> start_writer(const fs::path& db, const std::string& session,
                                                   std::vector<std::string> mode,
                                                   const fs::path& dir) {
  std::vector<std::string> args{db.string(), "--session", session};
  args.insert(args.end(), mode.begin(), mode.end());
  return std::make_unique<child_process>(SAGE_MEMORY_WRITER, std::move(args), dir, session);
}

/// Every id of `ids` is in the store, in `session`, with the content of its position. Reports
/// counts and the first few misses instead of one assertion per id.
inline void check_acknowledged(memory_db& db, const std::string& session,
                               const std::vector<std::string>& ids) {
  size_t missing = 0, wrong = 0;
  std::string examples;
  for (size_t seq = 0; seq < ids.size(); ++seq) {
    auto got = db.get(ids[seq]);
    if (!got) {
      if (++missing <= 3) examples += " missing " + ids[seq] + " (" + got.err().message + ");";
    } else if (got->content != writer_content(session, seq) || got->session_id != session) {
      if (++wrong <= 3) examples += " wrong " + ids[seq] + " content `" + got->content + "`;";
    }
  }
  BOOST_CHECK_MESSAGE(missing == 0 && wrong == 0,
                      "session " << session << ": " << missing << " of " << ids.size()
                                 << " acknowledged entries missing, " << wrong
                                 << " with wrong content:" << examples);
}

/// The rows of a one-column query, read with the SQLite C API on a connection of its own, as
/// any other SQLite client would see the file.
inline std::vector<std::string> sqlite_rows(const fs::path& path, const char* sql) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, "sqlite3_open_v2 failed: " << sqlite3_errstr(rc));
  sqlite3_stmt* raw_st = nullptr;
  rc = sqlite3_prepare_v2(db.get(), sql, -1, &raw_st, nullptr);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw_st, &sqlite3_finalize);
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << sqlite3_errmsg(db.get()));
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    auto* text = sqlite3_column_text(st.get(), 0);
    rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  BOOST_REQUIRE_MESSAGE(rc == SQLITE_DONE, sql << ": " << sqlite3_errmsg(db.get()));
  return rows;
}

inline std::string integrity_check(const fs::path& path) {
  std::string out;
  for (const auto& row : sqlite_rows(path, "PRAGMA integrity_check"))
    out += (out.empty() ? "" : "\n") + row;
  return out;
}

inline size_t row_count(const fs::path& path) {
  auto rows = sqlite_rows(path, "SELECT count(*) FROM memory_entries");
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  return std::stoul(rows[0]);
}

} // namespace sage::test::memory_checks
