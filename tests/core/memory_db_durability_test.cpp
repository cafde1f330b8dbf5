// Durability of the memory store: writer processes killed with SIGKILL at random moments lose
// no acknowledged entry and leave an intact database, whether they write straight into the
// store, in batches, or through an engine's memory store actor.
// SPDX-License-Identifier: MIT
#include "support/memory_checks.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace sage::test::memory_checks;
using sage::test::temp_dir;

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
      // The product's path (the engine's store actor) most rounds; straight and batched too.
      std::vector<std::vector<std::string>> modes{
          {"--forever", "--engine"}, {"--forever"}, {"--forever", "--engine", "--batch", "8"}};
      auto writer = start_writer(db_path, session, modes[round % modes.size()], dir.path());
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

BOOST_AUTO_TEST_SUITE_END()
