// Durability and concurrency of the memory store across processes: writers killed with SIGKILL
// lose no acknowledged entry and leave an intact database; writers in several processes at
// once lose no write and see no error.
// SPDX-License-Identifier: MIT
#include "core/memory_db.hpp"
#include "core/tokenizer.hpp"

#include "support/child_process.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace sage::core;
using namespace std::chrono_literals;
using sage::test::child_process;
using sage::test::temp_dir;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

/// How long a writer may take to end after its --seconds ran out or after SIGKILL.
constexpr auto writer_exit_limit = 15s;
/// How long a writer may take to acknowledge its first entry.
constexpr auto first_ack_limit = 10s;

/// The random seed: $SAGE_TEST_SEED to replay a failure, else a fresh one.
unsigned test_seed() {
  if (const char* env = std::getenv("SAGE_TEST_SEED")) return std::stoul(env);
  return std::random_device{}();
}

memory_db open_store(const fs::path& path) {
  auto counter = token_counter::load("estimate", "");
  BOOST_REQUIRE_MESSAGE(counter.has_value(), "cannot make the estimate token counter");
  auto db = memory_db::open(path, std::move(*counter));
  BOOST_REQUIRE_MESSAGE(db.has_value(), "open failed: " + (db ? "" : db.err().message));
  return std::move(*db);
}

/// The content the writer gives its entry number `seq` (see tests/support/memory_writer.cpp);
/// this process writes its own entries in the same form.
std::string writer_content(const std::string& session, size_t seq) {
  return "memory_writer session=" + session + " seq=" + std::to_string(seq);
}

/// `memory_writer` on `db` for `session`, with its output in `dir`. The one place that knows the
/// writer's command line: any program that prints one acknowledged id per line fits the tests.
std::unique_ptr<child_process> start_writer(const fs::path& db, const std::string& session,
                                            std::vector<std::string> mode, const fs::path& dir) {
  std::vector<std::string> args{db.string(), "--session", session};
  args.insert(args.end(), mode.begin(), mode.end());
  return std::make_unique<child_process>(SAGE_MEMORY_WRITER, std::move(args), dir, session);
}

/// Every id of `ids` is in the store, in `session`, with the content of its position. Reports
/// counts and the first few misses instead of one assertion per id.
void check_acknowledged(memory_db& db, const std::string& session,
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
std::vector<std::string> sqlite_rows(const fs::path& path, const char* sql) {
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

std::string integrity_check(const fs::path& path) {
  std::string out;
  for (const auto& row : sqlite_rows(path, "PRAGMA integrity_check"))
    out += (out.empty() ? "" : "\n") + row;
  return out;
}

size_t row_count(const fs::path& path) {
  auto rows = sqlite_rows(path, "SELECT count(*) FROM memory_entries");
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  return std::stoul(rows[0]);
}

} // namespace

BOOST_AUTO_TEST_SUITE(memory_db_durability_test)

BOOST_AUTO_TEST_CASE(acknowledged_entries_survive_sigkill_and_the_database_stays_intact) {
  constexpr int rounds = 20;
  auto seed = test_seed();
  std::cout << "memory durability: seed " << seed << " (SAGE_TEST_SEED=" << seed << " replays it)"
            << std::endl;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> run_ms(50, 400);
  temp_dir dir;
  auto db_path = dir / "sage/memory.db";
  std::vector<std::pair<std::string, std::vector<std::string>>> acknowledged;

  for (int round = 0; round < rounds; ++round) {
    BOOST_TEST_CONTEXT("seed " << seed << ", round " << round) {
      auto session = "round-" + std::to_string(round);
      auto kill_at = clock_type::now() + std::chrono::milliseconds(run_ms(rng));
      auto writer = start_writer(db_path, session, {"--forever"}, dir.path());
      std::this_thread::sleep_until(kill_at);
      // A kill before the first acknowledgement would prove nothing: on a slow machine the kill
      // waits for it.
      BOOST_CHECK_MESSAGE(writer->wait_for_first_line(first_ack_limit),
                          "no entry acknowledged within the limit; stderr: " << writer->err());
      BOOST_CHECK_EQUAL(writer->kill(), 128 + SIGKILL);
      BOOST_CHECK_MESSAGE(writer->err().empty(), "writer stderr: " << writer->err());
      auto ids = writer->out_lines();
      BOOST_REQUIRE_MESSAGE(!ids.empty(), "the writer acknowledged no entry");

      auto db = open_store(db_path);
      check_acknowledged(db, session, ids);
      BOOST_CHECK_EQUAL(integrity_check(db_path), "ok");
      acknowledged.emplace_back(session, std::move(ids));
    }
  }

  // Later rounds, and reopening after each kill, took nothing away from earlier ones.
  auto db = open_store(db_path);
  size_t total = 0;
  for (const auto& [session, ids] : acknowledged) {
    check_acknowledged(db, session, ids);
    total += ids.size();
  }
  BOOST_TEST_MESSAGE("acknowledged " << total << " entries over " << rounds << " kills");
  BOOST_CHECK_GE(row_count(db_path), total); // a kill between commit and print adds unprinted rows
  BOOST_CHECK_EQUAL(integrity_check(db_path), "ok");
}

BOOST_AUTO_TEST_CASE(two_writer_processes_and_this_process_lose_no_write_and_see_no_error) {
  constexpr auto run_for = 3s;
  temp_dir dir;
  auto db_path = dir / "sage/memory.db";
  // All three open the fresh file at once, so creating the schema is contended too.
  auto seconds = std::to_string(std::chrono::duration<double>(run_for).count());
  auto a = start_writer(db_path, "writer-a", {"--forever", "--seconds", seconds}, dir.path());
  auto b = start_writer(db_path, "writer-b", {"--forever", "--seconds", seconds}, dir.path());

  const std::string own_session = "test-process";
  std::vector<std::string> own_ids;
  size_t own_errors = 0;
  std::string first_error;
  {
    auto db = open_store(db_path);
    auto until = clock_type::now() + run_for;
    while (clock_type::now() < until) {
      memory_entry e;
      e.session_id = own_session;
      e.content = writer_content(own_session, own_ids.size());
      auto added = db.add(std::move(e));
      if (added) {
        own_ids.push_back(added->id);
      } else if (++own_errors == 1) {
        first_error = added.err().message;
      }
    }
  }
  BOOST_CHECK_MESSAGE(own_errors == 0,
                      own_errors << " adds of this process failed, first: " << first_error);

  std::vector<std::pair<std::string, std::vector<std::string>>> acknowledged{
      {own_session, own_ids}};
  for (auto* w : {a.get(), b.get()}) {
    auto code = w->wait(writer_exit_limit);
    BOOST_CHECK_MESSAGE(code == 0, "writer exit code "
                                       << (code ? std::to_string(*code) : "none (still running)")
                                       << ", stderr: " << w->err());
    BOOST_CHECK_MESSAGE(w->err().empty(), "writer stderr: " << w->err());
  }
  acknowledged.emplace_back("writer-a", a->out_lines());
  acknowledged.emplace_back("writer-b", b->out_lines());

  auto db = open_store(db_path);
  std::set<std::string> distinct;
  size_t total = 0;
  for (const auto& [session, ids] : acknowledged) {
    BOOST_CHECK_MESSAGE(!ids.empty(), session << " acknowledged no entry");
    BOOST_TEST_MESSAGE(session << " acknowledged " << ids.size() << " entries");
    check_acknowledged(db, session, ids);
    distinct.insert(ids.begin(), ids.end());
    total += ids.size();
  }
  BOOST_CHECK_EQUAL(distinct.size(), total);
  BOOST_CHECK_EQUAL(row_count(db_path), total);
  BOOST_CHECK_EQUAL(integrity_check(db_path), "ok");
}

BOOST_AUTO_TEST_SUITE_END()
