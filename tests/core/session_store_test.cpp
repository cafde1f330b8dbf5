// Tests of the session store: sessions, checkpoints and restore, token reservations.
// SPDX-License-Identifier: MIT
#include "core/reservation_store.hpp"
#include "core/session_limits.hpp"
#include "core/session_store.hpp"
#include "core/timestamp.hpp"
#include "core/uuid.hpp"

#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

using namespace sage::core;
using namespace std::chrono_literals;
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

memory_db open_db(const std::filesystem::path& path) {
  auto db = memory_db::open(path, counter());
  BOOST_REQUIRE_MESSAGE(db.has_value(), "open failed: " + (db ? "" : db.err().message));
  return std::move(*db);
}

template <class T> T require(result<T> r, const char* what) {
  BOOST_REQUIRE_MESSAGE(r.has_value(),
                        std::string(what) + " failed: " + (r ? "" : r.err().message));
  return std::move(*r);
}

void require_ok(const std::optional<error>& err, const char* what) {
  BOOST_REQUIRE_MESSAGE(!err, std::string(what) + " failed: " + (err ? err->message : ""));
}

/// Checks that `r` failed with `code` and a message containing `text`, and carries a hint.
template <class T> void check_error(const result<T>& r, error_code code, const std::string& text) {
  BOOST_REQUIRE(!r.has_value());
  BOOST_CHECK_EQUAL(r.err().code, code);
  BOOST_CHECK_MESSAGE(r.err().message.find(text) != std::string::npos,
                      "message `" + r.err().message + "` lacks `" + text + "`");
  BOOST_CHECK(!r.err().hint.empty());
}

void check_error(const std::optional<error>& err, error_code code, const std::string& text) {
  BOOST_REQUIRE(err.has_value());
  BOOST_CHECK_EQUAL(err->code, code);
  BOOST_CHECK_MESSAGE(err->message.find(text) != std::string::npos,
                      "message `" + err->message + "` lacks `" + text + "`");
  BOOST_CHECK(!err->hint.empty());
}

/// A fixed clock reading, so that expiry is tested without sleeping.
const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);

const std::string unknown_id = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

struct store_fixture {
  temp_dir dir;
  memory_db db = open_db(dir / "sage/memory.db");
  session_store store{db};
  reservation_store reservations{db};

  session start(std::vector<std::string> steps = {"read", "write", "test"}) {
    return require(store.start("ship the feature", steps, "task-1"), "start");
  }

  memory_entry add(const std::string& session_id, std::string content,
                   memory_type type = memory_type::conversation) {
    memory_entry e;
    e.session_id = session_id;
    e.content = std::move(content);
    e.type = type;
    e.tags = {"t"};
    return require(db.add(std::move(e)), "add");
  }

  std::vector<memory_entry> entries(const std::string& session_id) {
    memory_query q;
    q.session_id = session_id;
    q.descending = false;
    q.limit = 0;
    return require(db.query(q), "query").entries;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(session_store_test, store_fixture)

// -- sessions ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(start_creates_active_session_with_uuid_steps_and_timestamps) {
  auto s = start();
  BOOST_CHECK(is_uuid(s.id));
  BOOST_CHECK_EQUAL(s.objective, "ship the feature");
  BOOST_CHECK_EQUAL(s.task_id, "task-1");
  BOOST_CHECK_EQUAL(to_string(s.status), std::string("active"));
  BOOST_REQUIRE_EQUAL(s.steps.size(), 3u);
  BOOST_CHECK_EQUAL(s.steps[1].text, "write");
  BOOST_CHECK(!s.steps[1].done);
  BOOST_CHECK(is_timestamp(s.created_at));
  BOOST_CHECK_EQUAL(s.created_at, s.updated_at);
  BOOST_CHECK(s.ended_at.empty());
  BOOST_CHECK(require(store.get(s.id), "get") == s);
}

BOOST_AUTO_TEST_CASE(start_rejects_empty_objective_empty_step_and_invalid_utf8) {
  check_error(store.start(""), error_code::invalid_argument, "objective is empty");
  check_error(store.start("  \n"), error_code::invalid_argument, "objective is empty");
  check_error(store.start("ok", {"a", " "}), error_code::invalid_argument, "step is empty");
  check_error(store.start("bad \xff"), error_code::invalid_argument, "not valid UTF-8");
  BOOST_CHECK(require(store.list(), "list").empty());
}

BOOST_AUTO_TEST_CASE(get_of_unknown_session_is_not_found) {
  check_error(store.get(unknown_id), error_code::not_found, "session not found, id=" + unknown_id);
}

BOOST_AUTO_TEST_CASE(update_completes_steps_by_index_and_text_and_records_last_step) {
  auto s = start();
  session_change change;
  change.complete_step = 0;
  change.complete_step_text = "test";
  change.last_action = "ran the tests";
  change.last_result = "all green";
  auto u = require(store.update(s.id, change), "update");
  BOOST_CHECK(u.steps[0].done);
  BOOST_CHECK(!u.steps[1].done);
  BOOST_CHECK(u.steps[2].done);
  BOOST_CHECK(is_timestamp(u.steps[0].done_at));
  BOOST_CHECK(u.steps[1].done_at.empty());
  BOOST_CHECK_EQUAL(u.last_action, "ran the tests");
  BOOST_CHECK_EQUAL(u.last_result, "all green");
  BOOST_CHECK(u.updated_at >= s.updated_at);
  BOOST_CHECK(require(store.get(s.id), "get") == u);
}

BOOST_AUTO_TEST_CASE(update_records_decision_and_context_as_memory_entries) {
  auto s = start();
  session_change change;
  change.decision = "use sqlite for sessions";
  change.context = "the server and cli share one file";
  require(store.update(s.id, change), "update");
  auto list = entries(s.id);
  BOOST_REQUIRE_EQUAL(list.size(), 2u);
  BOOST_CHECK_EQUAL(list[0].type, memory_type::decision);
  BOOST_CHECK_EQUAL(list[0].content, "use sqlite for sessions");
  BOOST_CHECK_EQUAL(list[0].task_id, "task-1");
  BOOST_CHECK_EQUAL(list[1].type, memory_type::context);
  BOOST_CHECK_EQUAL(list[1].content, "the server and cli share one file");
  BOOST_CHECK(list[1].tokens > 0);
}

BOOST_AUTO_TEST_CASE(update_rejects_bad_step_unknown_session_and_empty_texts) {
  auto s = start();
  session_change by_index;
  by_index.complete_step = 3;
  check_error(store.update(s.id, by_index), error_code::invalid_argument,
              "step index out of range: 3");
  session_change by_text;
  by_text.complete_step_text = "deploy";
  check_error(store.update(s.id, by_text), error_code::not_found, "step not found");
  session_change empty_decision;
  empty_decision.decision = " ";
  check_error(store.update(s.id, empty_decision), error_code::invalid_argument,
              "decision is empty");
  session_change bad_utf8;
  bad_utf8.last_action = "\xc3";
  check_error(store.update(s.id, bad_utf8), error_code::invalid_argument, "not valid UTF-8");
  check_error(store.update(unknown_id, session_change{}), error_code::not_found,
              "session not found");
  BOOST_CHECK(require(store.get(s.id), "get") == s);
  BOOST_CHECK(entries(s.id).empty());
}

BOOST_AUTO_TEST_CASE(add_step_appends_to_plan_and_rejects_empty_text) {
  auto s = start({"one"});
  auto u = require(store.add_step(s.id, "two"), "add_step");
  BOOST_REQUIRE_EQUAL(u.steps.size(), 2u);
  BOOST_CHECK_EQUAL(u.steps[1].text, "two");
  BOOST_CHECK(require(store.get(s.id), "get") == u);
  check_error(store.add_step(s.id, ""), error_code::invalid_argument, "step is empty");
  check_error(store.add_step(unknown_id, "x"), error_code::not_found, "session not found");
}

BOOST_AUTO_TEST_CASE(end_marks_session_ended_and_it_takes_no_more_changes) {
  auto s = start();
  auto e = require(store.end(s.id), "end");
  BOOST_CHECK_EQUAL(to_string(e.status), std::string("ended"));
  BOOST_CHECK(is_timestamp(e.ended_at));
  BOOST_CHECK(require(store.get(s.id), "get") == e);
  check_error(store.end(s.id), error_code::invalid_argument, "session has ended");
  check_error(store.add_step(s.id, "more"), error_code::invalid_argument, "session has ended");
  session_change change;
  change.last_action = "late";
  check_error(store.update(s.id, change), error_code::invalid_argument, "session has ended");
  check_error(store.end(unknown_id), error_code::not_found, "session not found");
}

BOOST_AUTO_TEST_CASE(list_returns_sessions_filtered_by_status) {
  auto a = start();
  auto b = start();
  require(store.end(a.id), "end");
  auto all = require(store.list(), "list");
  BOOST_CHECK_EQUAL(all.size(), 2u);
  auto active = require(store.list(session_status::active), "list active");
  BOOST_REQUIRE_EQUAL(active.size(), 1u);
  BOOST_CHECK_EQUAL(active[0].id, b.id);
  auto ended = require(store.list(session_status::ended), "list ended");
  BOOST_REQUIRE_EQUAL(ended.size(), 1u);
  BOOST_CHECK_EQUAL(ended[0].id, a.id);
}

BOOST_AUTO_TEST_CASE(list_page_pages_newest_first_with_a_cursor) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(start().id);
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = require(store.list_page(std::nullopt, cursor, 3), "page");
    BOOST_CHECK_LE(page.sessions.size(), 3u);
    for (const auto& s : page.sessions)
      seen.push_back(s.id);
    cursor = page.next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  BOOST_CHECK_EQUAL(pages, 3);
  // Every session once, in the order of the whole list.
  auto all = require(store.list(), "list");
  BOOST_REQUIRE_EQUAL(seen.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i)
    BOOST_CHECK_EQUAL(seen[i], all[i].id);
  // An exact last page says there is no next one.
  auto first = require(store.list_page(std::nullopt, {}, 7), "all in one page");
  BOOST_CHECK_EQUAL(first.sessions.size(), 7u);
  BOOST_CHECK(first.next_cursor.empty());
  check_error(store.list_page(std::nullopt, unknown_id, 3), error_code::invalid_argument,
              "unknown session cursor");
  check_error(store.list_page(std::nullopt, "../x", 3), error_code::invalid_argument,
              "unknown session cursor");
}

BOOST_AUTO_TEST_CASE(session_texts_over_their_limits_are_refused) {
  namespace limits = sage::core::session_limits;
  const std::string objective(limits::max_objective_bytes + 1, 'o');
  check_error(store.start(objective), error_code::invalid_argument,
              "session objective is too long: " + std::to_string(objective.size()) + " bytes");
  BOOST_CHECK(store.start(std::string(limits::max_objective_bytes, 'o')).has_value());
  check_error(store.start("x", {std::string(limits::max_step_bytes + 1, 's')}),
              error_code::invalid_argument, "session step is too long");
  check_error(store.start("x", std::vector<std::string>(limits::max_steps + 1, "step")),
              error_code::invalid_argument, "too many session steps");
  check_error(store.start("x", {}, std::string(limits::max_task_id_bytes + 1, 't')),
              error_code::invalid_argument, "task id is too long");

  auto s = start();
  session_change change;
  change.last_action = std::string(limits::max_progress_bytes + 1, 'a');
  check_error(store.update(s.id, change), error_code::invalid_argument, "last action is too long");
  change = {};
  change.last_result = std::string(limits::max_progress_bytes + 1, 'r');
  check_error(store.update(s.id, change), error_code::invalid_argument, "last result is too long");
  check_error(store.add_step(s.id, std::string(limits::max_step_bytes + 1, 's')),
              error_code::invalid_argument, "session step is too long");
  check_error(store.create_checkpoint(s.id, std::string(limits::max_label_bytes + 1, 'l')),
              error_code::invalid_argument, "checkpoint label is too long");

  // A plan at its limit takes no more steps.
  auto full =
      require(store.start("x", std::vector<std::string>(limits::max_steps, "step")), "full");
  check_error(store.add_step(full.id, "one more"), error_code::invalid_argument,
              "too many session steps");
  // Nothing refused was stored.
  BOOST_CHECK_EQUAL(require(store.get(s.id), "get").last_action, "");
}

BOOST_AUTO_TEST_CASE(session_json_round_trips) {
  auto s = start();
  session_change change;
  change.complete_step = 1;
  auto u = require(store.update(s.id, change), "update");
  BOOST_CHECK(require(session_from_json(to_json(u)), "from json") == u);
  check_error(session_from_json(nlohmann::json::array()), error_code::parse, "not a json object");
}

// -- checkpoints ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(checkpoint_stores_session_and_its_entries) {
  auto s = start();
  auto other = start();
  auto a = add(s.id, "first entry");
  auto b = add(s.id, "second entry", memory_type::artifact);
  add(other.id, "not in this session");
  auto cp = require(store.create_checkpoint(s.id, "before refactor"), "checkpoint");
  BOOST_CHECK(is_uuid(cp.id));
  BOOST_CHECK_EQUAL(cp.label, "before refactor");
  BOOST_CHECK(cp.state == s);
  BOOST_REQUIRE_EQUAL(cp.entries.size(), 2u);
  BOOST_CHECK(cp.entries[0] == a);
  BOOST_CHECK(cp.entries[1] == b);
  BOOST_CHECK_EQUAL(cp.tokens, a.tokens + b.tokens);
  auto listed = require(store.list_checkpoints(s.id), "list checkpoints");
  BOOST_REQUIRE_EQUAL(listed.size(), 1u);
  BOOST_CHECK_EQUAL(listed[0].id, cp.id);
  BOOST_CHECK(listed[0].state == s);
  BOOST_CHECK(listed[0].entries == cp.entries);
  BOOST_CHECK(require(store.list_checkpoints(other.id), "list other").empty());
}

BOOST_AUTO_TEST_CASE(checkpoint_of_unknown_session_is_not_found) {
  check_error(store.create_checkpoint(unknown_id), error_code::not_found, "session not found");
  check_error(store.list_checkpoints(unknown_id), error_code::not_found, "session not found");
}

BOOST_AUTO_TEST_CASE(restore_brings_back_session_state_and_entries_exactly) {
  auto s = start();
  session_change first;
  first.complete_step = 0;
  first.last_action = "read the code";
  first.decision = "keep the schema";
  s = require(store.update(s.id, first), "update");
  auto kept = add(s.id, "an entry that will change");
  auto deleted = add(s.id, "an entry that will be deleted", memory_type::context);
  auto other = start();
  auto other_entry = add(other.id, "another session's entry");
  auto before = entries(s.id);
  BOOST_REQUIRE_EQUAL(before.size(), 3u);
  auto cp = require(store.create_checkpoint(s.id, "safe point"), "checkpoint");

  // Change everything the checkpoint covers.
  memory_update change;
  change.content = "rewritten content";
  change.tags = std::vector<std::string>{"new"};
  change.metadata = nlohmann::json{{"k", 1}};
  require(db.update(kept.id, change), "update entry");
  require_ok(db.remove(deleted.id), "remove");
  add(s.id, "added after the checkpoint");
  session_change second;
  second.complete_step_text = "write";
  second.last_result = "broke the build";
  second.context = "a context entry added after the checkpoint";
  require(store.update(s.id, second), "update");
  require(store.add_step(s.id, "roll back"), "add_step");
  require(store.end(s.id), "end");

  auto restored = require(store.restore(cp.id), "restore");
  BOOST_CHECK(restored == s);
  BOOST_CHECK(require(store.get(s.id), "get") == s);
  auto after = entries(s.id);
  BOOST_REQUIRE_EQUAL(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i)
    BOOST_CHECK_MESSAGE(after[i] == before[i], "entry " + std::to_string(i) + " differs");
  BOOST_CHECK(require(db.get(deleted.id), "get deleted") == deleted);
  BOOST_CHECK(require(db.get(other_entry.id), "get other") == other_entry);
  BOOST_CHECK_EQUAL(require(db.usage(s.id), "usage"), cp.tokens);
  // The restored content is searchable again, and the replaced content is not.
  memory_query q;
  q.text = "rewritten";
  BOOST_CHECK(require(db.query(q), "search").entries.empty());
  q.text = "deleted";
  BOOST_CHECK_EQUAL(require(db.query(q), "search").entries.size(), 1u);
  // A restored session is active again and takes updates.
  BOOST_CHECK(require(store.add_step(s.id, "again"), "add_step").steps.size() == 4u);
}

BOOST_AUTO_TEST_CASE(restore_of_unknown_checkpoint_is_not_found) {
  check_error(store.restore(unknown_id), error_code::not_found, "checkpoint not found");
}

// -- reservations --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reservations_hold_tokens_until_they_expire) {
  auto s = start();
  auto a = require(reservations.reserve(s.id, 100, 60s, t0), "reserve a");
  auto b = require(reservations.reserve(s.id, 50, 10s, t0), "reserve b");
  BOOST_CHECK(is_uuid(a));
  BOOST_CHECK(a != b);
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0), "reserved"), 150);
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0 + 9999ms), "reserved"), 150);
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0 + 10s), "reserved"), 100);
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0 + 60s), "reserved"), 0);
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(unknown_id, t0), "reserved"), 0);
  auto r = require(reservations.get_reservation(b), "get");
  BOOST_CHECK_EQUAL(r.tokens, 50);
  BOOST_CHECK_EQUAL(r.session_id, s.id);
  BOOST_CHECK_EQUAL(r.expires_at, format_timestamp(t0 + 10s));
}

BOOST_AUTO_TEST_CASE(commit_and_release_end_a_reservation) {
  auto s = start();
  auto a = require(reservations.reserve(s.id, 100, 60s, t0), "reserve a");
  auto b = require(reservations.reserve(s.id, 40, 60s, t0), "reserve b");
  require_ok(reservations.commit(a, t0 + 1s), "commit");
  BOOST_CHECK_EQUAL(to_string(require(reservations.get_reservation(a), "get").status),
                    std::string("committed"));
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0 + 1s), "reserved"), 40);
  require_ok(reservations.release(b), "release");
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0 + 1s), "reserved"), 0);
  check_error(reservations.commit(a, t0 + 2s), error_code::invalid_argument, "already committed");
  check_error(reservations.release(a), error_code::invalid_argument, "already committed");
  check_error(reservations.commit(b, t0 + 2s), error_code::invalid_argument, "already released");
  check_error(reservations.release(b), error_code::invalid_argument, "already released");
}

BOOST_AUTO_TEST_CASE(committing_an_expired_reservation_is_an_error) {
  auto s = start();
  auto id = require(reservations.reserve(s.id, 100, 5s, t0), "reserve");
  check_error(reservations.commit(id, t0 + 5s), error_code::timed_out,
              "failed to commit reservation: it expired, id=" + id);
  BOOST_CHECK_EQUAL(to_string(require(reservations.get_reservation(id), "get").status),
                    std::string("held"));
}

BOOST_AUTO_TEST_CASE(purge_expired_removes_only_expired_held_reservations) {
  auto s = start();
  auto expired = require(reservations.reserve(s.id, 10, 1s, t0), "reserve");
  auto live = require(reservations.reserve(s.id, 20, 1h, t0), "reserve");
  auto committed = require(reservations.reserve(s.id, 30, 1s, t0), "reserve");
  require_ok(reservations.commit(committed, t0), "commit");
  BOOST_CHECK_EQUAL(require(reservations.purge_expired(t0 + 1s), "purge"), 1);
  check_error(reservations.get_reservation(expired), error_code::not_found,
              "reservation not found");
  check_error(reservations.commit(expired, t0), error_code::not_found, "reservation not found");
  BOOST_CHECK(require(reservations.get_reservation(live), "get live").status ==
              reservation_status::held);
  BOOST_CHECK(require(reservations.get_reservation(committed), "get committed").status ==
              reservation_status::committed);
  BOOST_CHECK_EQUAL(require(reservations.purge_expired(t0 + 1s), "purge again"), 0);
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0 + 1s), "reserved"), 20);
}

BOOST_AUTO_TEST_CASE(reserve_rejects_bad_tokens_ttl_and_unknown_session) {
  auto s = start();
  check_error(reservations.reserve(s.id, 0, 1s, t0), error_code::invalid_argument,
              "tokens must be positive, tokens=0");
  check_error(reservations.reserve(s.id, -5, 1s, t0), error_code::invalid_argument,
              "tokens must be positive, tokens=-5");
  check_error(reservations.reserve(s.id, 5, 0ms, t0), error_code::invalid_argument,
              "ttl must be positive");
  check_error(reservations.reserve(s.id, 5, -1s, t0), error_code::invalid_argument,
              "ttl must be positive");
  check_error(reservations.reserve(unknown_id, 5, 1s, t0), error_code::not_found,
              "session not found");
  BOOST_CHECK_EQUAL(require(reservations.reserved_tokens(s.id, t0), "reserved"), 0);
}

BOOST_AUTO_TEST_CASE(commit_and_release_of_unknown_reservation_are_not_found) {
  check_error(reservations.commit(unknown_id, t0), error_code::not_found,
              "reservation not found, id=" + unknown_id);
  check_error(reservations.release(unknown_id), error_code::not_found,
              "reservation not found, id=" + unknown_id);
  check_error(reservations.get_reservation(unknown_id), error_code::not_found,
              "reservation not found");
}

BOOST_AUTO_TEST_SUITE_END()
