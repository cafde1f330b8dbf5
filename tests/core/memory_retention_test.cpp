// Tests of memory retention: per-type age and count limits, PERMANENT entries, the FTS index.
// SPDX-License-Identifier: MIT
#include "core/config.hpp"
#include "core/memory_db.hpp"
#include "core/timestamp.hpp"

#include "config_fixture.hpp"
#include "memory_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace sage::core;
using namespace sage::core::test;
using namespace std::chrono_literals;

namespace {

using ids = std::set<std::string>;

/// A fixed "now" (2024-06-01T00:00:00.000Z), so ages do not depend on when the tests run.
const std::chrono::system_clock::time_point now{std::chrono::milliseconds{1717200000000}};

/// Adds an entry created `age` before `now`.
memory_entry add_aged(memory_db& db, memory_type type, std::chrono::milliseconds age,
                      std::string session = "s1", int priority = priority_level::normal) {
  auto e = entry("aged " + std::to_string(age.count()), type, std::move(session), priority);
  e.created_at = format_timestamp(now - age);
  auto added = db.add(std::move(e));
  BOOST_REQUIRE_MESSAGE(added.has_value(), (added ? "" : added.err().message));
  return *added;
}

ids apply(memory_db& db, const memory_retention& rules) {
  auto deleted = db.apply_retention(rules, now);
  BOOST_REQUIRE_MESSAGE(deleted.has_value(), (deleted ? "" : deleted.err().message));
  return {deleted->begin(), deleted->end()};
}

ids stored_ids(memory_db& db) {
  ids out;
  for (const auto& e : all_entries(db))
    out.insert(e.id);
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(memory_db_retention, memory_fixture)

BOOST_AUTO_TEST_CASE(max_age_deletes_entries_of_the_type_created_before_the_cutoff) {
  auto old = add_aged(db, memory_type::conversation, 31 * 24h);
  auto older = add_aged(db, memory_type::conversation, 400 * 24h, "");
  auto at_cutoff = add_aged(db, memory_type::conversation, 30 * 24h);
  auto recent = add_aged(db, memory_type::conversation, 29 * 24h);
  auto other_type = add_aged(db, memory_type::context, 100 * 24h);
  auto permanent =
      add_aged(db, memory_type::conversation, 400 * 24h, "s1", priority_level::permanent);
  memory_retention rules;
  rules.conversation.max_age = 30 * 24h;
  BOOST_TEST((apply(db, rules) == ids{old.id, older.id}));
  BOOST_TEST((stored_ids(db) == ids{at_cutoff.id, recent.id, other_type.id, permanent.id}));
}

BOOST_AUTO_TEST_CASE(max_count_keeps_the_newest_of_the_type_in_each_session) {
  std::vector<memory_entry> s1, s2, none;
  for (int i = 0; i < 4; ++i)
    s1.push_back(add_aged(db, memory_type::decision, std::chrono::hours(10 - i), "s1"));
  for (int i = 0; i < 2; ++i)
    s2.push_back(add_aged(db, memory_type::decision, std::chrono::hours(10 - i), "s2"));
  for (int i = 0; i < 3; ++i)
    none.push_back(add_aged(db, memory_type::decision, std::chrono::hours(10 - i), ""));
  auto other_type = add_aged(db, memory_type::artifact, 20h, "s1");
  memory_retention rules;
  rules.decision.max_count = 2;
  BOOST_TEST((apply(db, rules) == ids{s1[0].id, s1[1].id, none[0].id}));
  BOOST_TEST((stored_ids(db) ==
              ids{s1[2].id, s1[3].id, s2[0].id, s2[1].id, none[1].id, none[2].id, other_type.id}));
}

BOOST_AUTO_TEST_CASE(permanent_entries_are_kept_and_do_not_count) {
  auto permanent_old =
      add_aged(db, memory_type::summary, 900 * 24h, "s1", priority_level::permanent);
  auto a = add_aged(db, memory_type::summary, 3h);
  auto b = add_aged(db, memory_type::summary, 2h);
  auto permanent_new = add_aged(db, memory_type::summary, 1h, "s1", priority_level::permanent);
  auto critical = add_aged(db, memory_type::summary, 900 * 24h, "s1", priority_level::critical);
  memory_retention rules;
  rules.summary.max_count = 1;
  rules.summary.max_age = 150min;
  // The age takes a and critical (not permanent_old); the count then keeps b, the newest one
  // that is not permanent, although permanent_new is newer.
  BOOST_TEST((apply(db, rules) == ids{a.id, critical.id}));
  BOOST_TEST((stored_ids(db) == ids{permanent_old.id, b.id, permanent_new.id}));
  rules.summary.max_age = std::nullopt;
  BOOST_TEST(apply(db, rules).empty());
}

BOOST_AUTO_TEST_CASE(age_goes_first_then_the_count_of_what_is_left) {
  auto old1 = add_aged(db, memory_type::checkpoint, 50h);
  auto old2 = add_aged(db, memory_type::checkpoint, 49h);
  auto mid = add_aged(db, memory_type::checkpoint, 5h);
  auto young = add_aged(db, memory_type::checkpoint, 1h);
  memory_retention rules;
  rules.checkpoint.max_age = 48h;
  rules.checkpoint.max_count = 3;
  BOOST_TEST((apply(db, rules) == ids{old1.id, old2.id}));
  BOOST_TEST((stored_ids(db) == ids{mid.id, young.id}));
}

BOOST_AUTO_TEST_CASE(entries_created_in_the_same_millisecond_keep_the_last_inserted) {
  std::vector<memory_entry> batch(3, entry("same time", memory_type::artifact));
  for (auto& e : batch)
    e.created_at = "2024-05-31T00:00:00.000Z";
  auto added = db.add_batch(batch);
  BOOST_REQUIRE(added.has_value());
  memory_retention rules;
  rules.artifact.max_count = 1;
  BOOST_TEST((apply(db, rules) == ids{(*added)[0].id, (*added)[1].id}));
  BOOST_TEST((stored_ids(db) == ids{(*added)[2].id}));
}

BOOST_AUTO_TEST_CASE(types_without_rules_are_untouched) {
  for (auto type : {memory_type::conversation, memory_type::decision, memory_type::context,
                    memory_type::summary, memory_type::checkpoint, memory_type::artifact})
    for (int i = 0; i < 3; ++i)
      add_aged(db, type, 1000 * 24h);
  memory_retention rules;
  rules.context.max_count = 1;
  rules.context.max_age = 2000 * 24h;
  auto deleted = apply(db, rules);
  BOOST_TEST(deleted.size() == 2u);
  auto left = all_entries(db);
  BOOST_TEST(left.size() == 16u);
  BOOST_TEST(std::count_if(left.begin(), left.end(), [](const memory_entry& e) {
               return e.type == memory_type::context;
             }) == 1);
  BOOST_TEST(apply(db, memory_retention{}).empty());
}

BOOST_AUTO_TEST_CASE(a_second_run_deletes_nothing) {
  for (int i = 0; i < 5; ++i) {
    add_aged(db, memory_type::conversation, std::chrono::hours(i * 24), "s1");
    add_aged(db, memory_type::decision, std::chrono::hours(i * 24), "s2");
  }
  memory_retention rules;
  rules.conversation.max_age = 60h;
  rules.decision.max_count = 2;
  auto first = apply(db, rules);
  BOOST_TEST(first.size() == 5u); // the conversations aged 72h and 96h, three decisions
  auto left = stored_ids(db);
  BOOST_TEST(apply(db, rules).empty());
  BOOST_TEST((stored_ids(db) == left));
}

BOOST_AUTO_TEST_CASE(deleted_entries_leave_the_full_text_index) {
  auto keep = db.add(entry("zebra keeps", memory_type::conversation));
  auto old = entry("zebra goes", memory_type::conversation);
  old.created_at = format_timestamp(now - 90 * 24h);
  auto gone = db.add(old);
  BOOST_REQUIRE(keep.has_value() && gone.has_value());
  memory_retention rules;
  rules.conversation.max_age = 30 * 24h;
  BOOST_TEST((apply(db, rules) == ids{gone->id}));
  memory_query q;
  q.text = "zebra";
  auto found = db.query(q);
  BOOST_REQUIRE(found.has_value());
  BOOST_REQUIRE_EQUAL(found->entries.size(), 1u);
  BOOST_TEST(found->entries[0].id == keep->id);
  auto check =
      db.connection().exec("INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check')");
  BOOST_TEST(!check.has_value(), (check ? check->message : ""));
}

BOOST_AUTO_TEST_CASE(invalid_rules_are_refused_before_anything_is_deleted) {
  auto e = add_aged(db, memory_type::conversation, 100 * 24h);
  memory_retention rules;
  rules.conversation.max_age = 1h;
  rules.artifact.max_count = 0;
  auto r = db.apply_retention(rules, now);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().code == error_code::invalid_argument);
  BOOST_TEST(r.err().message == "invalid retention max_count 0 for memory type artifact");
  BOOST_TEST(r.err().hint == "set memory.retention.artifact.max_count to at least 1, or leave it "
                             "unset for no limit");
  rules.artifact.max_count = std::nullopt;
  rules.decision.max_age = 0ms;
  r = db.apply_retention(rules, now);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().message == "invalid retention max_age 0ms for memory type decision");
  BOOST_TEST((stored_ids(db) == ids{e.id}));
}

BOOST_AUTO_TEST_CASE(an_age_beyond_the_clock_range_deletes_nothing_recent) {
  auto e = add_aged(db, memory_type::conversation, 100 * 24h);
  memory_retention rules;
  rules.conversation.max_age = std::chrono::milliseconds::max();
  BOOST_TEST(apply(db, rules).empty());
  BOOST_TEST((stored_ids(db) == ids{e.id}));
}

BOOST_AUTO_TEST_CASE(each_type_key_of_the_configuration_limits_that_type) {
  for (auto type : {memory_type::conversation, memory_type::decision, memory_type::context,
                    memory_type::summary, memory_type::checkpoint, memory_type::artifact}) {
    sage::test::temp_dir here;
    auto store = open_memory(here / "memory.db");
    auto other = type == memory_type::context ? memory_type::decision : memory_type::context;
    auto older = add_aged(store, type, 2h);
    add_aged(store, type, 1h);
    add_aged(store, other, 2h);
    add_aged(store, other, 1h);
    config_dir files;
    auto cfg = load_ok(with_file(files, std::string("memory:\n  retention:\n    ") +
                                            to_string(type) + ":\n      max_count: 1\n"));
    BOOST_TEST((apply(store, cfg.memory_retention) == ids{older.id}), to_string(type));
  }
}

BOOST_AUTO_TEST_SUITE_END()
