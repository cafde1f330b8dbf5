// Tests of the memory store: CRUD, queries, full-text search, prune, export/import, files.
// SPDX-License-Identifier: MIT
#include "core/memory_db.hpp"
#include "core/sqlite.hpp"
#include "core/timestamp.hpp"
#include "core/uuid.hpp"

#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

// Queries and updates are written with designated initializers; the members left out keep their
// defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace sage::core;
using sage::test::temp_dir;

namespace {

const token_counter& counter() {
  static token_counter c = [] {
    auto loaded = token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE_MESSAGE(loaded.has_value(), "cannot load cl100k_base");
    return *loaded;
  }();
  return c;
}

memory_db open_db(const std::filesystem::path& path, memory_db_options options = {}) {
  auto db = memory_db::open(path, counter(), options);
  BOOST_REQUIRE_MESSAGE(db.has_value(), "open failed: " + (db ? "" : db.err().message));
  return std::move(*db);
}

memory_entry make(std::string content, memory_type type = memory_type::context,
                  int priority = priority_level::normal, std::string session = "s1",
                  std::vector<std::string> tags = {}) {
  memory_entry e;
  e.content = std::move(content);
  e.type = type;
  e.priority = priority;
  e.session_id = std::move(session);
  e.tags = std::move(tags);
  return e;
}

memory_entry add(memory_db& db, memory_entry e) {
  auto r = db.add(std::move(e));
  BOOST_REQUIRE_MESSAGE(r.has_value(), "add failed: " + (r ? "" : r.err().message));
  return *r;
}

std::vector<std::string> contents(const result<memory_page>& page) {
  BOOST_REQUIRE_MESSAGE(page.has_value(), "query failed: " + (page ? "" : page.err().message));
  std::vector<std::string> out;
  for (const auto& e : page->entries)
    out.push_back(e.content);
  return out;
}

using strings = std::vector<std::string>;

struct db_fixture {
  temp_dir dir;
  memory_db db = open_db(dir / "sage/memory.db");
};

} // namespace

BOOST_AUTO_TEST_SUITE(memory_types_test)

BOOST_AUTO_TEST_CASE(priority_parses_names_and_numbers_in_range) {
  BOOST_TEST(*parse_priority("HIGH") == 70);
  BOOST_TEST(*parse_priority("permanent") == 100);
  BOOST_TEST(*parse_priority("0") == 0);
  BOOST_TEST(*parse_priority("42") == 42);
  BOOST_TEST(!parse_priority("101").has_value());
  BOOST_TEST(!parse_priority("-1").has_value());
  BOOST_TEST(!parse_priority("urgent").has_value());
  BOOST_TEST(priority_to_string(90) == "CRITICAL");
  BOOST_TEST(priority_to_string(42) == "42");
}

BOOST_AUTO_TEST_CASE(type_names_round_trip_and_unknown_is_an_error) {
  for (auto t : {memory_type::conversation, memory_type::decision, memory_type::context,
                 memory_type::summary, memory_type::checkpoint, memory_type::artifact})
    BOOST_TEST(*parse_memory_type(to_string(t)) == t);
  auto bad = parse_memory_type("note");
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.err().message == "unknown memory type `note`");
  BOOST_TEST(bad.err().hint.find("conversation") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(new_uuids_are_version_4_and_distinct) {
  auto a = new_uuid(), b = new_uuid();
  BOOST_TEST(is_uuid(a));
  BOOST_TEST(a != b);
  BOOST_TEST(a[14] == '4');
  BOOST_TEST(!is_uuid("not-a-uuid"));
}

BOOST_AUTO_TEST_CASE(timestamps_are_iso_utc_with_milliseconds) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714566896789));
  BOOST_TEST(format_timestamp(t) == "2024-05-01T12:34:56.789Z");
  BOOST_TEST(is_timestamp(now_timestamp()));
  BOOST_TEST(!is_timestamp("2024-13-01T12:34:56.789Z"));
  BOOST_TEST(!is_timestamp("2024-05-01 12:34:56"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(memory_db_test, db_fixture)

BOOST_AUTO_TEST_CASE(add_fills_id_tokens_and_timestamps_and_get_returns_it) {
  auto e =
      make("the quick brown fox", memory_type::decision, priority_level::high, "s1", {"a", "b"});
  e.metadata = {{"source", "chat"}};
  auto added = add(db, e);
  BOOST_TEST(is_uuid(added.id));
  BOOST_TEST(added.tokens == static_cast<int64_t>(counter().count("the quick brown fox")));
  BOOST_TEST(is_timestamp(added.created_at));
  BOOST_TEST(added.updated_at == added.created_at);
  auto got = db.get(added.id);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST((*got == added));
}

BOOST_AUTO_TEST_CASE(update_changes_fields_recounts_tokens_and_merges_metadata) {
  auto e = make("one");
  e.metadata = {{"keep", 1}, {"drop", 2}, {"nested", {{"a", 1}, {"b", 2}}}};
  auto added = add(db, e);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  memory_update change;
  change.content = "one two three four";
  change.priority = priority_level::critical;
  change.tags = strings{"x"};
  change.type = memory_type::artifact;
  change.metadata = nlohmann::json{{"drop", nullptr}, {"new", "v"}, {"nested", {{"b", 3}}}};
  auto updated = db.update(added.id, change);
  BOOST_REQUIRE_MESSAGE(updated.has_value(), (updated ? "" : updated.err().message));
  BOOST_TEST(updated->content == "one two three four");
  BOOST_TEST(updated->tokens == static_cast<int64_t>(counter().count("one two three four")));
  BOOST_TEST(updated->priority == 90);
  BOOST_TEST(updated->type == memory_type::artifact);
  BOOST_TEST((updated->tags == strings{"x"}));
  BOOST_TEST(updated->metadata ==
             (nlohmann::json{{"keep", 1}, {"new", "v"}, {"nested", {{"a", 1}, {"b", 3}}}}));
  BOOST_TEST(updated->updated_at > added.updated_at);
  BOOST_TEST(updated->created_at == added.created_at);
  BOOST_TEST((*db.get(added.id) == *updated));
}

BOOST_AUTO_TEST_CASE(remove_deletes_and_unknown_ids_are_not_found) {
  auto added = add(db, make("gone soon"));
  BOOST_TEST(!db.remove(added.id).has_value());
  auto got = db.get(added.id);
  BOOST_REQUIRE(!got.has_value());
  BOOST_TEST(got.err().code == error_code::not_found);
  auto again = db.remove(added.id);
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again->code == error_code::not_found);
  auto upd = db.update(new_uuid(), memory_update{});
  BOOST_REQUIRE(!upd.has_value());
  BOOST_TEST(upd.err().code == error_code::not_found);
  BOOST_TEST(contents(db.query({.text = "gone"})).empty());
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_with_clear_errors) {
  auto too_high = db.add(make("x", memory_type::context, 101));
  BOOST_REQUIRE(!too_high.has_value());
  BOOST_TEST(too_high.err().code == error_code::invalid_argument);
  BOOST_TEST(too_high.err().message == "invalid priority 101");

  auto bad_type = db.add(make("x", static_cast<memory_type>(42)));
  BOOST_REQUIRE(!bad_type.has_value());
  BOOST_TEST(bad_type.err().message == "unknown memory type");

  auto bad_utf8 = db.add(make("abc\xff\xfe"));
  BOOST_REQUIRE(!bad_utf8.has_value());
  BOOST_TEST(bad_utf8.err().message == "memory entry content is not valid UTF-8");

  auto bad_id = make("x");
  bad_id.id = "12";
  BOOST_TEST(!db.add(bad_id).has_value());

  auto first = add(db, make("x"));
  auto dup = make("y");
  dup.id = first.id;
  auto again = db.add(dup);
  BOOST_REQUIRE(!again.has_value());
  BOOST_TEST(again.err().message == "memory entry already exists, id=" + first.id);

  auto bad_update = db.update(first.id, {.priority = -5});
  BOOST_REQUIRE(!bad_update.has_value());
  BOOST_TEST(db.get(first.id)->priority == priority_level::normal);
}

BOOST_AUTO_TEST_CASE(oversize_content_names_the_limit) {
  auto small = open_db(dir / "small.db", {.max_content_bytes = 16});
  BOOST_TEST(small.add(make(std::string(16, 'a'))).has_value());
  auto big = small.add(make(std::string(17, 'a')));
  BOOST_REQUIRE(!big.has_value());
  BOOST_TEST(big.err().code == error_code::invalid_argument);
  BOOST_TEST(big.err().message == "memory entry content is too large: 17 bytes, limit 16 bytes");
  BOOST_TEST(big.err().hint.find("memory.max_content_bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(query_filters_by_session_type_priority_and_tags) {
  add(db, make("a", memory_type::decision, 70, "s1", {"red", "blue"}));
  add(db, make("b", memory_type::context, 30, "s1", {"red"}));
  add(db, make("c", memory_type::decision, 90, "s2", {"green"}));
  add(db, make("d", memory_type::conversation, 10, "s2", {}));
  memory_query q;
  q.order_by = memory_order::created;
  q.descending = false;
  auto run = [&](auto setup) {
    memory_query copy = q;
    setup(copy);
    return contents(db.query(copy));
  };
  BOOST_TEST(run([](auto&) {}) == (strings{"a", "b", "c", "d"}));
  BOOST_TEST(run([](auto& x) { x.session_id = "s2"; }) == (strings{"c", "d"}));
  BOOST_TEST(run([](auto& x) { x.type = memory_type::decision; }) == (strings{"a", "c"}));
  BOOST_TEST(run([](auto& x) { x.min_priority = 50; }) == (strings{"a", "c"}));
  BOOST_TEST(run([](auto& x) { x.max_priority = 30; }) == (strings{"b", "d"}));
  BOOST_TEST(run([](auto& x) {
               x.min_priority = 30;
               x.max_priority = 70;
             }) == (strings{"a", "b"}));
  BOOST_TEST(run([](auto& x) { x.tags_any = {"blue", "green"}; }) == (strings{"a", "c"}));
  BOOST_TEST(run([](auto& x) { x.tags_all = {"red", "blue"}; }) == (strings{"a"}));
  BOOST_TEST(run([](auto& x) { x.tags_all = {"red"}; }) == (strings{"a", "b"}));
  BOOST_TEST(run([](auto& x) {
               x.session_id = "s1";
               x.type = memory_type::context;
             }) == (strings{"b"}));
}

BOOST_AUTO_TEST_CASE(query_orders_by_priority_created_and_updated) {
  auto a = add(db, make("a", memory_type::context, 50));
  add(db, make("b", memory_type::context, 90));
  add(db, make("c", memory_type::context, 10));
  BOOST_TEST(contents(db.query({.order_by = memory_order::priority})) == (strings{"b", "a", "c"}));
  BOOST_TEST(contents(db.query({.order_by = memory_order::priority, .descending = false})) ==
             (strings{"c", "a", "b"}));
  BOOST_TEST(contents(db.query({.order_by = memory_order::created})) == (strings{"c", "b", "a"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  BOOST_REQUIRE(db.update(a.id, {.content = "a2"}).has_value());
  BOOST_TEST(contents(db.query({.order_by = memory_order::updated})) == (strings{"a2", "c", "b"}));
}

BOOST_AUTO_TEST_CASE(query_pages_with_a_cursor_without_gaps_or_repeats) {
  for (int i = 0; i < 25; ++i)
    add(db, make("entry " + std::to_string(i), memory_type::context, i % 3 * 30));
  for (auto order : {memory_order::created, memory_order::priority}) {
    memory_query q{.order_by = order, .limit = 7};
    strings all;
    int pages = 0;
    for (;;) {
      auto page = db.query(q);
      BOOST_REQUIRE(page.has_value());
      for (auto& e : page->entries)
        all.push_back(e.content);
      ++pages;
      if (page->next_cursor.empty()) break;
      q.cursor = page->next_cursor;
    }
    BOOST_TEST(pages == 4);
    BOOST_TEST(all.size() == 25u);
    BOOST_TEST(std::set<std::string>(all.begin(), all.end()).size() == 25u);
    q.cursor.clear();
    q.limit = 0;
    BOOST_TEST(contents(db.query(q)) == all);
  }
  auto wrong = db.query({.order_by = memory_order::updated, .cursor = "cd:3:x"});
  BOOST_REQUIRE(!wrong.has_value());
  BOOST_TEST(wrong.err().code == error_code::invalid_argument);
}

BOOST_AUTO_TEST_CASE(full_text_search_matches_all_words_and_follows_updates) {
  auto a = add(db, make("the deployment uses blue green switching"));
  add(db, make("green tea is served"));
  add(db, make("unrelated entry", memory_type::context, 50, "s1", {"deployment"}));
  BOOST_TEST(contents(db.query({.text = "green", .descending = false})) ==
             (strings{"the deployment uses blue green switching", "green tea is served"}));
  BOOST_TEST(contents(db.query({.text = "green deployment"})) ==
             (strings{"the deployment uses blue green switching"}));
  BOOST_TEST(contents(db.query({.text = "deployment"})).size() == 2u); // tags are indexed too
  BOOST_TEST(contents(db.query({.text = "switch"})).size() == 1u);     // words are stemmed
  BOOST_REQUIRE(db.update(a.id, {.content = "rollback plan"}).has_value());
  BOOST_TEST(contents(db.query({.text = "switching"})).empty());
  BOOST_TEST(contents(db.query({.text = "rollback"})) == (strings{"rollback plan"}));
}

BOOST_AUTO_TEST_CASE(full_text_search_treats_operators_and_quotes_as_words) {
  add(db, make("foo bar"));
  add(db, make("secret baz"));
  for (std::string text : {"foo\" OR 1=1 --", "foo OR secret", "\"", "NEAR(foo bar)", "foo*",
                           "'; DROP TABLE memory_entries; --", "-foo", "foo AND", "(", "^foo"}) {
    auto page = db.query({.text = text});
    BOOST_REQUIRE_MESSAGE(page.has_value(), text + ": " + (page ? "" : page.err().message));
    for (const auto& e : page->entries)
      BOOST_TEST(e.content != "secret baz", text);
  }
  BOOST_TEST(contents(db.query({.text = "foo\" OR 1=1 --"})).empty());
  BOOST_TEST(contents(db.query({})).size() == 2u);
}

BOOST_AUTO_TEST_CASE(prune_never_removes_permanent_entries) {
  auto keep = add(db, make("forever", memory_type::decision, priority_level::permanent));
  auto e = add(db, make("fleeting", memory_type::context, priority_level::ephemeral));
  auto l = add(db, make("low", memory_type::context, priority_level::low));
  auto h = add(db, make("high", memory_type::context, priority_level::high, "s2"));
  auto none = db.prune({});
  BOOST_REQUIRE(!none.has_value());
  BOOST_TEST(none.err().code == error_code::invalid_argument);

  auto low = db.prune({.max_priority = priority_level::low});
  BOOST_REQUIRE(low.has_value());
  BOOST_TEST(std::set<std::string>(low->begin(), low->end()) ==
             (std::set<std::string>{e.id, l.id}));
  auto all = db.prune({.max_priority = 100});
  BOOST_REQUIRE(all.has_value());
  BOOST_TEST((*all == strings{h.id}));
  BOOST_TEST(db.get(keep.id).has_value());
}

BOOST_AUTO_TEST_CASE(prune_by_age_and_session) {
  auto old = make("old");
  old.created_at = "2020-01-01T00:00:00.000Z";
  auto o = add(db, old);
  add(db, make("new"));
  auto aged = db.prune({.older_than = std::chrono::system_clock::now() - std::chrono::hours(24)});
  BOOST_REQUIRE(aged.has_value());
  BOOST_TEST((*aged == strings{o.id}));
  auto other = add(db, make("other", memory_type::context, 50, "s9"));
  auto by_session = db.prune({.session_id = "s9"});
  BOOST_REQUIRE(by_session.has_value());
  BOOST_TEST((*by_session == strings{other.id}));
  BOOST_TEST(contents(db.query({})) == (strings{"new"}));
}

BOOST_AUTO_TEST_CASE(usage_counts_tokens_of_unsummarised_session_entries) {
  auto a = add(db, make("alpha beta gamma"));
  auto b = add(db, make("delta epsilon"));
  add(db, make("other session", memory_type::context, 50, "s2"));
  BOOST_TEST(*db.usage("s1") == a.tokens + b.tokens);
  BOOST_REQUIRE(db.update(a.id, {.is_summarized = true}).has_value());
  BOOST_TEST(*db.usage("s1") == b.tokens);
  BOOST_TEST(*db.usage("nobody") == 0);
}

BOOST_AUTO_TEST_CASE(export_then_import_into_a_fresh_db_is_equal_and_idempotent) {
  // Import takes session ids as the CLI does: UUIDs only.
  const auto s1 = new_uuid(), s2 = new_uuid();
  auto s = make("summary text", memory_type::summary, priority_level::high, s1, {"t"});
  s.metadata = {{"k", {1, 2}}};
  s.summary_of = {new_uuid(), new_uuid()};
  s.is_summarized = false;
  add(db, s);
  add(db, make("ünïcödé ✓ content", memory_type::artifact, 100, s2));
  add(db, make("third", memory_type::conversation, 10, ""));
  std::stringstream out;
  auto n = db.export_jsonl(out);
  BOOST_REQUIRE(n.has_value());
  BOOST_TEST(*n == 3u);

  auto fresh = open_db(dir / "fresh/memory.db");
  std::istringstream in(out.str());
  auto report = fresh.import_jsonl(in);
  BOOST_REQUIRE_MESSAGE(report.has_value(), (report ? "" : report.err().message));
  BOOST_TEST(report->imported == 3u);
  auto before = db.query({.limit = 0}), after = fresh.query({.limit = 0});
  BOOST_REQUIRE(before.has_value() && after.has_value());
  BOOST_TEST((before->entries == after->entries));

  std::istringstream again(out.str());
  auto second = fresh.import_jsonl(again);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->imported == 0u);
  BOOST_TEST(second->skipped == 3u);
  BOOST_TEST(fresh.query({.limit = 0})->entries.size() == 3u);

  std::stringstream one;
  BOOST_TEST(*db.export_jsonl(one, s2) == 1u);
}

BOOST_AUTO_TEST_CASE(import_refuses_a_session_id_that_is_not_a_uuid_and_a_deep_line) {
  auto good = nlohmann::json{{"id", new_uuid()}, {"type", "context"}, {"content", "fine"}};
  auto bad_session = good;
  bad_session["id"] = new_uuid();
  bad_session["session_id"] = "../x";
  std::string deep = R"({"id":")" + new_uuid() + R"(","content":"x","metadata":)" +
                     std::string(75000, '[') + std::string(75000, ']') + "}";
  std::istringstream in(good.dump() + "\n" + bad_session.dump() + "\n" + deep + "\n");
  auto report = db.import_jsonl(in);
  BOOST_REQUIRE(!report.has_value());
  BOOST_TEST(report.err().message == "failed to import memory entries: bad lines 2, 3");
  BOOST_TEST(report.err().hint.find("line 2: invalid session id `../x`: not a UUID") !=
                 std::string::npos,
             report.err().hint);
  BOOST_TEST(
      report.err().hint.find("line 3: the line nests objects and arrays deeper than 64 levels") !=
          std::string::npos,
      report.err().hint);
  BOOST_TEST(db.query({.limit = 0})->entries.empty());
}

BOOST_AUTO_TEST_CASE(a_stored_value_nested_too_deep_is_a_corrupt_row_not_a_crash) {
  auto e = add(db, make("fine"));
  // A database written by hand (or an older version) may hold anything json_valid() accepts,
  // which is up to 1000 levels.
  auto conn = sqlite::connection::open((dir / "sage/memory.db").string());
  BOOST_REQUIRE(conn.has_value());
  auto st = conn->prepare("UPDATE memory_entries SET metadata = ? WHERE id = ?");
  BOOST_REQUIRE(st.has_value());
  st->bind(1, R"({"a":)" + std::string(900, '[') + std::string(900, ']') + "}");
  st->bind(2, e.id);
  BOOST_REQUIRE(st->step().has_value());
  auto got = db.get(e.id);
  BOOST_REQUIRE(!got.has_value());
  BOOST_TEST(got.err().message == "failed to read memory entry: invalid metadata, id=" + e.id);
}

BOOST_AUTO_TEST_CASE(import_reports_bad_lines_and_imports_nothing) {
  auto good = nlohmann::json{{"id", new_uuid()}, {"type", "context"}, {"content", "fine"}};
  auto bad_type = nlohmann::json{{"id", new_uuid()}, {"type", "note"}, {"content", "x"}};
  auto bad_priority =
      nlohmann::json{{"id", new_uuid()}, {"type", "context"}, {"content", "x"}, {"priority", 500}};
  auto no_id = nlohmann::json{{"type", "context"}, {"content", "x"}};
  std::istringstream in(good.dump() + "\n{not json\n" + bad_type.dump() + "\n\n" +
                        bad_priority.dump() + "\n" + no_id.dump() + "\n");
  auto r = db.import_jsonl(in);
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().code == error_code::parse);
  BOOST_TEST(r.err().message == "failed to import memory entries: bad lines 2, 3, 5, 6");
  BOOST_TEST(r.err().hint.find("line 3: unknown memory type `note`") != std::string::npos);
  BOOST_TEST(r.err().hint.find("line 6: missing id") != std::string::npos);
  BOOST_TEST(contents(db.query({})).empty());
}

BOOST_AUTO_TEST_CASE(files_are_private_and_reopening_keeps_data_without_reapplying_schema) {
  auto path = dir / "sage/memory.db";
  struct stat st {};
  BOOST_REQUIRE(::stat((dir / "sage").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0700u);
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  auto a = add(db, make("persisted"));
  {
    auto second = open_db(path);
    BOOST_TEST(second.get(a.id)->content == "persisted");
  }
  sqlite3* raw = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(raw, "SELECT count(*), max(version) FROM schema_version", -1, &stmt, nullptr);
  BOOST_REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  // One row per migration, each applied once: reopening applied nothing again.
  BOOST_TEST(sqlite3_column_int(stmt, 0) == memory_db::latest_schema_version());
  BOOST_TEST(sqlite3_column_int(stmt, 1) == memory_db::latest_schema_version());
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr);
  BOOST_REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  BOOST_TEST(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

BOOST_AUTO_TEST_CASE(a_database_from_a_newer_version_is_refused) {
  auto path = dir / "future.db";
  { open_db(path); }
  sqlite3* raw = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_exec(raw, "INSERT INTO schema_version VALUES (999)", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  auto r = memory_db::open(path, counter());
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST(r.err().message.find("schema version 999 is newer than this build knows") !=
             std::string::npos);
  BOOST_TEST(r.err().hint.find("upgrade sage") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_version_1_database_is_migrated_forward_keeping_its_entries) {
  auto path = dir / "old.db";
  std::string id;
  {
    auto db = open_db(path);
    id = add(db, make("written by version 1")).id;
  }
  // Turn the file back into what version 1 left behind.
  sqlite3* raw = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_exec(raw,
                             "DROP INDEX memory_entries_session_created; "
                             "DROP INDEX memory_entries_session_updated; "
                             "DELETE FROM schema_version WHERE version > 1;",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  {
    auto db = open_db(path);
    BOOST_TEST(db.get(id)->content == "written by version 1");
  }
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(raw,
                     "SELECT (SELECT max(version) FROM schema_version), (SELECT count(*) FROM "
                     "sqlite_master WHERE name = 'memory_entries_session_created')",
                     -1, &stmt, nullptr);
  BOOST_REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  BOOST_TEST(sqlite3_column_int(stmt, 0) == memory_db::latest_schema_version());
  BOOST_TEST(sqlite3_column_int(stmt, 1) == 1);
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

BOOST_AUTO_TEST_CASE(two_connections_writing_at_once_both_succeed) {
  auto path = dir / "sage/memory.db";
  constexpr int per_writer = 150;
  std::atomic<int> failures{0};
  auto writer = [&](std::string session) {
    auto own = memory_db::open(path, counter());
    if (!own) {
      ++failures;
      return;
    }
    for (int i = 0; i < per_writer; ++i) {
      if (!own->add(make("entry " + std::to_string(i), memory_type::context, 50, session)))
        ++failures;
      if (i % 10 == 0 && !own->query({.session_id = session, .limit = 5})) ++failures;
    }
  };
  std::thread t1(writer, "w1"), t2(writer, "w2");
  t1.join();
  t2.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(db.query({.session_id = "w1", .limit = 0})->entries.size() == size_t{per_writer});
  BOOST_TEST(db.query({.session_id = "w2", .limit = 0})->entries.size() == size_t{per_writer});
}

BOOST_AUTO_TEST_SUITE_END()
