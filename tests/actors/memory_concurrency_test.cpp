// Concurrency of the memory store: two writer processes (one straight into the store, one
// through an engine of its own) and this process's memory store actor write the same database
// at once for several seconds; no write is lost and no caller sees an error.
// SPDX-License-Identifier: MIT
#include "actors/engine.hpp"

#include "support/memory_checks.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

using namespace sage::test::memory_checks;
using sage::test::temp_dir;

namespace {

/// An engine whose memory database is `data_dir`/memory.db, over an empty knowledge base.
std::unique_ptr<sage::actors::engine> start_engine(const fs::path& data_dir) {
  auto cfg = default_config();
  cfg.data_dir = data_dir.string();
  cfg.token_encoding = "estimate";
  auto counter = token_counter::load("estimate", "");
  BOOST_REQUIRE(counter.has_value());
  auto kb = std::make_shared<knowledge_base>();
  kb->root = data_dir;
  kb->finish();
  sage::actors::engine_options eo;
  eo.workers = 1;
  return sage::actors::engine::start(cfg, *counter, std::move(kb), eo);
}

} // namespace

BOOST_AUTO_TEST_SUITE(memory_concurrency_tests)

BOOST_AUTO_TEST_CASE(two_writer_processes_and_the_store_actor_lose_no_write_and_see_no_error) {
  constexpr auto run_for = 3s;
  temp_dir dir;
  auto db_path = dir / "sage/memory.db";
  // All three open the fresh file at once, so creating the schema is contended too.
  auto seconds = std::to_string(std::chrono::duration<double>(run_for).count());
  // One writes straight into the store in batches, one through an engine of its own.
  auto a = start_writer(db_path, "writer-a", {"--forever", "--seconds", seconds, "--batch", "4"},
                        dir.path());
  auto b = start_writer(db_path, "writer-b", {"--forever", "--seconds", seconds, "--engine"},
                        dir.path());

  const std::string own_session = "test-process";
  std::vector<std::string> own_ids;
  size_t own_errors = 0;
  std::string first_error;
  {
    // This process writes through its engine's memory store actor, as a server does.
    auto engine = start_engine(db_path.parent_path());
    auto until = clock_type::now() + run_for;
    while (clock_type::now() < until) {
      memory_entry e;
      e.session_id = own_session;
      e.content = writer_content(own_session, own_ids.size());
      auto added = engine->calls().memory_add(std::move(e));
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
