// Tests of adding many memory entries at once: all or nothing, and errors naming each entry.
// SPDX-License-Identifier: MIT
#include "core/memory_db.hpp"
#include "core/uuid.hpp"

#include "memory_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace sage::core;
using namespace sage::core::test;

namespace {

std::vector<memory_entry> numbered(size_t n) {
  std::vector<memory_entry> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(entry("entry number " + std::to_string(i) + " about batches",
                        i % 2 ? memory_type::decision : memory_type::context,
                        "s" + std::to_string(i % 3)));
  return out;
}

/// Adds `entries`, requiring the batch to be refused, and returns the error.
error refused(memory_db& db, std::vector<memory_entry> entries) {
  auto r = db.add_batch(std::move(entries));
  BOOST_REQUIRE_MESSAGE(!r.has_value(), "expected the batch to be refused");
  BOOST_TEST(r.err().code == error_code::invalid_argument);
  return r.err();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(memory_db_batch, memory_fixture)

BOOST_AUTO_TEST_CASE(a_batch_of_1000_lands_with_ids_tokens_and_timestamps_in_order) {
  auto added = db.add_batch(numbered(1000));
  BOOST_REQUIRE_MESSAGE(added.has_value(), (added ? "" : added.err().message));
  BOOST_REQUIRE_EQUAL(added->size(), 1000u);
  std::set<std::string> ids;
  for (size_t i = 0; i < added->size(); ++i) {
    const auto& e = (*added)[i];
    BOOST_TEST(e.content == "entry number " + std::to_string(i) + " about batches");
    BOOST_TEST(is_uuid(e.id));
    BOOST_TEST(e.tokens > 0);
    BOOST_TEST(!e.created_at.empty());
    BOOST_TEST(e.updated_at == e.created_at);
    ids.insert(e.id);
  }
  BOOST_TEST(ids.size() == 1000u);
  auto stored = all_entries(db);
  BOOST_REQUIRE_EQUAL(stored.size(), 1000u);
  BOOST_TEST((stored == *added)); // same fields, in the order given
  BOOST_TEST((*db.get((*added)[500].id) == (*added)[500]));
  memory_query q;
  q.text = "number 999";
  BOOST_TEST(db.query(q)->entries.size() == 1u); // in the full-text index too
}

BOOST_AUTO_TEST_CASE(a_batch_keeps_given_ids_and_timestamps_as_add_does) {
  auto given = entry("given");
  given.id = new_uuid();
  given.created_at = "2024-01-02T03:04:05.678Z";
  auto added = db.add_batch({given});
  BOOST_REQUIRE(added.has_value());
  BOOST_TEST((*added)[0].id == given.id);
  BOOST_TEST((*added)[0].created_at == given.created_at);
  BOOST_TEST((*added)[0].updated_at == given.created_at);
}

BOOST_AUTO_TEST_CASE(a_batch_with_invalid_utf8_lands_nothing_and_names_the_index) {
  auto batch = numbered(20);
  batch[7].content = "abc\xff\xfe";
  auto err = refused(db, batch);
  BOOST_TEST(err.message == "failed to add memory entries: bad entries 7");
  BOOST_TEST(contains(err.hint, "entry 7: memory entry content is not valid UTF-8; "));
  BOOST_TEST(contains(err.hint, "nothing was added"));
  BOOST_TEST(all_entries(db).empty());
}

BOOST_AUTO_TEST_CASE(a_batch_with_oversize_content_lands_nothing_and_names_the_index) {
  auto small = open_memory(dir / "small.db", {.max_content_bytes = 64});
  auto batch = numbered(1000);
  batch[999].content = std::string(65, 'a');
  auto err = refused(small, batch);
  BOOST_TEST(err.message == "failed to add memory entries: bad entries 999");
  BOOST_TEST(contains(err.hint, "entry 999: memory entry content is too large: 65 bytes, limit "
                                "64 bytes"));
  BOOST_TEST(all_entries(small).empty());
}

BOOST_AUTO_TEST_CASE(a_batch_with_a_bad_priority_lands_nothing_and_names_the_index) {
  auto batch = numbered(3);
  batch[0].priority = 101;
  auto err = refused(db, batch);
  BOOST_TEST(err.message == "failed to add memory entries: bad entries 0");
  BOOST_TEST(contains(err.hint, "entry 0: invalid priority 101"));
  BOOST_TEST(all_entries(db).empty());
}

BOOST_AUTO_TEST_CASE(every_bad_entry_is_named_in_order) {
  auto batch = numbered(6);
  batch[4].priority = -1;
  batch[1].type = static_cast<memory_type>(42);
  batch[3].tags = {"bad\xc3"};
  auto err = refused(db, batch);
  BOOST_TEST(err.message == "failed to add memory entries: bad entries 1, 3, 4");
  BOOST_TEST(err.hint == "entry 1: unknown memory type; entry 3: tag is not valid UTF-8; entry 4: "
                         "invalid priority -1; nothing was added; fix these entries (counted "
                         "from 0) and add them again");
}

BOOST_AUTO_TEST_CASE(an_id_given_twice_in_the_batch_is_an_error) {
  auto batch = numbered(3);
  batch[0].id = batch[2].id = new_uuid();
  auto err = refused(db, batch);
  BOOST_TEST(err.message == "failed to add memory entries: bad entries 2");
  BOOST_TEST(contains(err.hint, "entry 2: id " + batch[0].id + " is also given by entry 0"));
  BOOST_TEST(all_entries(db).empty());
}

BOOST_AUTO_TEST_CASE(an_id_already_stored_is_an_error_and_the_stored_entry_stays) {
  auto first = db.add(entry("first"));
  BOOST_REQUIRE(first.has_value());
  auto batch = numbered(3);
  batch[1].id = first->id;
  auto err = refused(db, batch);
  BOOST_TEST(err.message == "failed to add memory entries: bad entries 1");
  BOOST_TEST(contains(err.hint, "entry 1: memory entry already exists, id=" + first->id));
  auto stored = all_entries(db);
  BOOST_REQUIRE_EQUAL(stored.size(), 1u);
  BOOST_TEST((stored[0] == *first));
}

BOOST_AUTO_TEST_CASE(only_the_first_ten_reasons_are_spelled_out) {
  auto batch = numbered(30);
  for (auto& e : batch)
    e.priority = 500;
  auto err = refused(db, batch);
  BOOST_TEST(contains(err.message, "bad entries 0, 1, 2,"));
  BOOST_TEST(contains(err.message, ", 29"));
  BOOST_TEST(contains(err.hint, "entry 9: invalid priority 500; nothing was added"));
  BOOST_TEST(!contains(err.hint, "entry 10:"));
}

BOOST_AUTO_TEST_CASE(an_empty_batch_adds_nothing) {
  auto added = db.add_batch({});
  BOOST_REQUIRE(added.has_value());
  BOOST_TEST(added->empty());
  BOOST_TEST(all_entries(db).empty());
}

BOOST_AUTO_TEST_SUITE_END()
