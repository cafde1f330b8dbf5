// Tests of the budget actions: session status, level records, summarising and pruning.
// SPDX-License-Identifier: MIT
#include "core/budget_actions.hpp"
#include "core/reservation_store.hpp"
#include "core/session_store.hpp"
#include "core/timestamp.hpp"

#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

/// 1000 tokens less 100 reserved: 900 available; critical from 810, overflow from 855 tokens.
budget_config small_budget() {
  budget_config cfg;
  cfg.max_tokens = 1000;
  cfg.reserved_tokens = 100;
  return cfg;
}

constexpr size_t critical_at = 810;
constexpr size_t overflow_at = 855;

/// A fixed clock reading, so that expiry and timestamps do not depend on the test's speed.
const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 54);

std::string name(budget_level level) {
  return to_string(level);
}

/// Two sentences of about 25 tokens that no other note shares, with the word `marker<i>`.
std::string note(int i) {
  static const std::vector<std::string> subjects{"parser",   "cache",   "scheduler", "indexer",
                                                 "renderer", "planner", "logger",    "router"};
  const auto n = std::to_string(i);
  const auto& subject = subjects[static_cast<size_t>(i) % subjects.size()];
  return "The " + subject + " handles case " + n + " without copying marker" + n +
         " buffers. Review " + n + " found the " + subject + " slower than expected on " +
         "large inputs.";
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct budget_fixture {
  temp_dir dir;
  memory_db db = open_db(dir / "sage/memory.db");
  budget_config cfg = small_budget();
  int next_note = 0;
  int next_second = 0;

  /// Adds a note, each one a second newer than the last.
  memory_entry add(const std::string& session, memory_type type, int priority,
                   const std::string& task = "task-1") {
    memory_entry e;
    e.session_id = session;
    e.task_id = task;
    e.type = type;
    e.priority = priority;
    e.content = note(next_note++);
    e.created_at = format_timestamp(t0 + std::chrono::seconds(next_second++));
    return require(db.add(std::move(e)), "add");
  }

  /// Adds notes cycling through `kinds` until the session uses at least `tokens`.
  std::vector<memory_entry> fill(const std::string& session,
                                 const std::vector<std::pair<memory_type, int>>& kinds,
                                 size_t tokens) {
    std::vector<memory_entry> added;
    for (size_t i = 0; usage(session) < tokens; ++i) {
      const auto& [type, priority] = kinds[i % kinds.size()];
      added.push_back(add(session, type, priority));
    }
    return added;
  }

  size_t usage(const std::string& session) {
    return static_cast<size_t>(require(db.usage(session), "usage"));
  }

  std::vector<memory_entry> entries(const std::string& session,
                                    std::optional<bool> summarised = std::nullopt) {
    memory_query q;
    q.session_id = session;
    q.is_summarized = summarised;
    q.descending = false;
    q.limit = 0;
    return require(db.query(q), "query").entries;
  }

  budget_level level(const std::string& session) {
    return require(session_budget(db, cfg, session, t0), "session_budget").level;
  }
};

using kinds = std::vector<std::pair<memory_type, int>>;

} // namespace

BOOST_FIXTURE_TEST_SUITE(budget_actions, budget_fixture)

// -- status and level changes -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(session_budget_counts_live_entries_and_unexpired_reservations) {
  session_store sessions{db};
  auto s = require(sessions.start("ship the feature"), "start");
  auto a = add(s.id, memory_type::conversation, priority_level::normal);
  auto b = add(s.id, memory_type::context, priority_level::low);
  add("other", memory_type::context, priority_level::normal);
  require(reservation_store{db}.reserve(s.id, 40, 60s, t0), "reserve");

  auto status = require(session_budget(db, cfg, s.id, t0), "session_budget");
  BOOST_CHECK_EQUAL(status.available, 900u);
  BOOST_CHECK_EQUAL(status.used, static_cast<size_t>(a.tokens + b.tokens));
  BOOST_CHECK_EQUAL(status.reserved_by_reservations, 40u);
  BOOST_CHECK_EQUAL(status.remaining, 900u - status.used - 40u);
  BOOST_CHECK_EQUAL(name(status.level), "normal");

  auto later = require(session_budget(db, cfg, s.id, t0 + 2min), "session_budget");
  BOOST_CHECK_EQUAL(later.reserved_by_reservations, 0u); // the reservation expired
}

BOOST_AUTO_TEST_CASE(record_level_reports_each_change_once_and_counts_no_record_as_normal) {
  auto first = require(record_level(db, "s1", budget_level::normal, t0), "record");
  BOOST_CHECK_EQUAL(name(first.previous), "normal");
  BOOST_CHECK(!first.changed); // a new session at normal is no news

  auto again = require(record_level(db, "s1", budget_level::normal, t0 + 1s), "record");
  BOOST_CHECK(!again.changed);

  auto caution = require(record_level(db, "s1", budget_level::caution, t0 + 2s), "record");
  BOOST_CHECK(caution.changed);
  BOOST_CHECK_EQUAL(name(caution.previous), "normal");
  BOOST_CHECK_EQUAL(name(caution.current), "caution");
  BOOST_CHECK(!require(record_level(db, "s1", budget_level::caution, t0 + 3s), "record").changed);

  auto critical = require(record_level(db, "s1", budget_level::critical, t0 + 4s), "record");
  BOOST_CHECK(critical.changed);
  BOOST_CHECK_EQUAL(name(critical.previous), "caution");

  // Another connection, as another process would have, sees the level already recorded.
  auto other = open_db(dir / "sage/memory.db");
  auto seen = require(record_level(other, "s1", budget_level::critical, t0 + 5s), "record");
  BOOST_CHECK(!seen.changed);
  BOOST_CHECK_EQUAL(name(seen.previous), "critical");

  // The stored time is when the level was entered, not when it was last seen.
  {
    auto st = require(db.connection().prepare(
                          "SELECT level, updated_at FROM budget_levels WHERE session_id = 's1'"),
                      "prepare");
    BOOST_REQUIRE(require(st.step(), "step"));
    BOOST_CHECK_EQUAL(st.column_text(0), "critical");
    BOOST_CHECK_EQUAL(st.column_text(1), format_timestamp(t0 + 4s));
  } // finished, so that `db` holds no read snapshot when it writes again

  auto back = require(record_level(other, "s1", budget_level::normal, t0 + 6s), "record");
  BOOST_CHECK(back.changed);
  BOOST_CHECK_EQUAL(name(back.previous), "critical");

  // A session first seen at critical did change: from the normal it is assumed to start at.
  auto fresh = require(record_level(db, "s2", budget_level::critical, t0), "record");
  BOOST_CHECK(fresh.changed);
  BOOST_CHECK_EQUAL(name(fresh.previous), "normal");
}

// -- summarising ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(summarise_brings_usage_below_critical_and_keeps_protected_entries) {
  // The oldest entries are the ones no summary may touch: if the selection ignored priority or
  // type, it would take them first.
  std::vector<memory_entry> kept{add("s1", memory_type::conversation, priority_level::permanent),
                                 add("s1", memory_type::context, priority_level::critical),
                                 add("s1", memory_type::conversation, priority_level::high),
                                 add("s1", memory_type::decision, priority_level::normal),
                                 add("s1", memory_type::artifact, priority_level::low),
                                 add("s1", memory_type::conversation, priority_level::ephemeral)};
  fill("s1",
       {{memory_type::conversation, priority_level::normal},
        {memory_type::context, priority_level::low},
        {memory_type::conversation, priority_level::high},
        {memory_type::context, priority_level::normal}},
       critical_at);
  const auto before = usage("s1");
  BOOST_REQUIRE_LT(before, overflow_at);
  BOOST_REQUIRE_EQUAL(name(level("s1")), "critical");

  auto out = require(summarise_session(db, cfg, counter(), "s1", t0 + 1h), "summarise");
  BOOST_CHECK_EQUAL(out.tokens_before, before);
  BOOST_CHECK_EQUAL(name(out.level_before), "critical");
  BOOST_CHECK(out.enough);
  BOOST_CHECK_LT(out.tokens_after, critical_at);
  BOOST_CHECK_EQUAL(out.tokens_after, usage("s1"));
  BOOST_CHECK_EQUAL(name(out.level_after), name(level("s1")));
  BOOST_REQUIRE(out.summary.has_value());
  BOOST_REQUIRE(!out.replaced_ids.empty());

  for (const auto& e : kept) {
    auto now = require(db.get(e.id), "get");
    BOOST_CHECK_MESSAGE(!now.is_summarized, "summarised protected entry " + e.content);
  }
  for (const auto& e : entries("s1"))
    if (e.priority >= priority_level::high) BOOST_CHECK(!e.is_summarized);

  // The summary is stored as returned and lists exactly the entries now marked summarised.
  const auto& summary = *out.summary;
  BOOST_CHECK(require(db.get(summary.id), "get summary") == summary);
  BOOST_CHECK(summary.summary_of == out.replaced_ids);
  std::set<std::string> marked;
  size_t replaced_tokens = 0;
  std::string newest_replaced;
  for (const auto& e : entries("s1", true)) {
    marked.insert(e.id);
    replaced_tokens += static_cast<size_t>(e.tokens);
    BOOST_CHECK(e.type == memory_type::conversation || e.type == memory_type::context);
    BOOST_CHECK(e.priority > priority_level::ephemeral && e.priority <= priority_level::normal);
    newest_replaced = std::max(newest_replaced, e.created_at);
  }
  BOOST_CHECK(marked ==
              std::set<std::string>(summary.summary_of.begin(), summary.summary_of.end()));
  BOOST_CHECK_EQUAL(marked.size(), summary.summary_of.size());

  // The oldest candidates went first.
  for (const auto& e : entries("s1", false))
    if ((e.type == memory_type::conversation || e.type == memory_type::context) &&
        e.priority > priority_level::ephemeral && e.priority <= priority_level::normal)
      BOOST_CHECK_GT(e.created_at, newest_replaced);

  BOOST_CHECK(summary.type == memory_type::summary);
  BOOST_CHECK_EQUAL(summary.priority, priority_level::normal);
  BOOST_CHECK_EQUAL(summary.session_id, "s1");
  BOOST_CHECK_EQUAL(summary.task_id, "task-1");
  BOOST_CHECK(!summary.is_summarized);
  BOOST_CHECK(summary.tags == std::vector<std::string>{"auto-summary"});
  BOOST_CHECK_EQUAL(summary.metadata.value("reason", ""), "budget critical");
  BOOST_CHECK_EQUAL(summary.metadata.value("replaced_tokens", size_t{0}), replaced_tokens);
  BOOST_CHECK_EQUAL(summary.created_at, format_timestamp(t0 + 1h));
  BOOST_CHECK_EQUAL(static_cast<size_t>(summary.tokens), counter().count(summary.content));
  BOOST_CHECK_LE(static_cast<size_t>(summary.tokens),
                 std::max(min_summary_tokens, replaced_tokens / summary_share_divisor));
  BOOST_CHECK_EQUAL(out.tokens_after, before - replaced_tokens + summary.tokens);

  // Each line quotes a sentence of the original it names.
  auto lines = lines_of(summary.content);
  BOOST_REQUIRE(!lines.empty());
  for (const auto& line : lines) {
    auto close = line.find("] ");
    BOOST_REQUIRE(line.starts_with("[") && close != std::string::npos);
    auto index = std::stoul(line.substr(1, close - 1));
    BOOST_REQUIRE_LT(index, summary.summary_of.size());
    auto original = require(db.get(summary.summary_of[index]), "get original");
    auto sentence = line.substr(close + 2);
    BOOST_CHECK_MESSAGE(original.content.find(sentence) != std::string::npos,
                        "`" + sentence + "` is not in `" + original.content + "`");
  }

  // Below critical now: a second call does nothing.
  auto again = require(summarise_session(db, cfg, counter(), "s1", t0 + 2h), "summarise");
  BOOST_CHECK(!again.summary.has_value());
  BOOST_CHECK(again.replaced_ids.empty());
  BOOST_CHECK(again.enough);
  BOOST_CHECK_EQUAL(again.tokens_after, out.tokens_after);
}

BOOST_AUTO_TEST_CASE(summarise_never_takes_decisions_or_artifacts) {
  fill("s1",
       {{memory_type::decision, priority_level::normal},
        {memory_type::artifact, priority_level::low},
        {memory_type::checkpoint, priority_level::normal}},
       critical_at);
  const auto before = usage("s1");
  auto out = require(summarise_session(db, cfg, counter(), "s1", t0), "summarise");
  BOOST_CHECK(!out.enough);
  BOOST_CHECK(!out.summary.has_value());
  BOOST_CHECK(out.replaced_ids.empty());
  BOOST_CHECK_EQUAL(out.tokens_after, before);
  BOOST_CHECK(entries("s1", true).empty());
}

BOOST_AUTO_TEST_CASE(
    summarise_of_high_priority_entries_only_reports_not_enough_and_changes_nothing) {
  fill("s1",
       {{memory_type::conversation, priority_level::high},
        {memory_type::context, priority_level::critical}},
       critical_at);
  const auto before = entries("s1");
  auto out = require(summarise_session(db, cfg, counter(), "s1", t0), "summarise");
  BOOST_CHECK(!out.enough);
  BOOST_CHECK(!out.summary.has_value());
  BOOST_CHECK(out.replaced_ids.empty());
  BOOST_CHECK_EQUAL(out.tokens_before, out.tokens_after);
  BOOST_CHECK_EQUAL(name(out.level_after), "critical");
  BOOST_CHECK(entries("s1") == before);

  auto pruned = require(prune_for_budget(db, cfg, "s1", t0), "prune");
  BOOST_CHECK(!pruned.enough);
  BOOST_CHECK(pruned.deleted_ids.empty());
  BOOST_CHECK(entries("s1") == before);
}

BOOST_AUTO_TEST_CASE(summarise_takes_every_candidate_when_they_are_not_enough) {
  auto a = add("s1", memory_type::conversation, priority_level::normal);
  auto b = add("s1", memory_type::context, priority_level::low);
  fill("s1", {{memory_type::conversation, priority_level::high}}, overflow_at);
  auto out = require(summarise_session(db, cfg, counter(), "s1", t0), "summarise");
  BOOST_CHECK(!out.enough);
  BOOST_CHECK(out.replaced_ids == std::vector<std::string>({a.id, b.id}));
  BOOST_REQUIRE(out.summary.has_value());
  BOOST_CHECK_LT(out.tokens_after, out.tokens_before);
  for (const auto& e : entries("s1"))
    BOOST_CHECK_EQUAL(e.is_summarized, e.id == a.id || e.id == b.id);
}

BOOST_AUTO_TEST_CASE(summarise_and_prune_below_critical_do_nothing) {
  fill("s1",
       {{memory_type::conversation, priority_level::ephemeral},
        {memory_type::context, priority_level::low}},
       critical_at - 60);
  const auto before = entries("s1");
  auto out = require(summarise_session(db, cfg, counter(), "s1", t0), "summarise");
  BOOST_CHECK(out.enough);
  BOOST_CHECK(!out.summary.has_value());
  BOOST_CHECK(out.replaced_ids.empty());
  BOOST_CHECK_EQUAL(out.tokens_before, out.tokens_after);
  auto pruned = require(prune_for_budget(db, cfg, "s1", t0), "prune");
  BOOST_CHECK(pruned.enough);
  BOOST_CHECK(pruned.deleted_ids.empty());
  BOOST_CHECK(entries("s1") == before);

  auto unknown = require(summarise_session(db, cfg, counter(), "nobody", t0), "summarise");
  BOOST_CHECK(unknown.enough);
  BOOST_CHECK_EQUAL(unknown.tokens_before, 0u);
}

BOOST_AUTO_TEST_CASE(summarise_cuts_a_sentence_too_long_for_the_summary) {
  // One sentence of about 400 tokens: no whole sentence fits a quarter of it.
  memory_entry long_note;
  long_note.session_id = "s1";
  long_note.type = memory_type::conversation;
  for (int i = 0; i < 200; ++i)
    long_note.content += "word" + std::to_string(i) + " ";
  long_note.content += "end.";
  long_note.created_at = format_timestamp(t0);
  long_note = require(db.add(long_note), "add");
  fill("s1", {{memory_type::conversation, priority_level::high}}, critical_at);

  auto out = require(summarise_session(db, cfg, counter(), "s1", t0), "summarise");
  BOOST_CHECK(out.enough);
  BOOST_REQUIRE(out.replaced_ids == std::vector<std::string>{long_note.id});
  const auto& content = out.summary->content;
  const std::string ellipsis = "\u2026";
  BOOST_REQUIRE(content.starts_with("[0] ") && content.ends_with(ellipsis));
  auto quoted = content.substr(4, content.size() - 4 - ellipsis.size());
  BOOST_CHECK_GT(quoted.size(), 20u);
  BOOST_CHECK(long_note.content.starts_with(quoted));
  BOOST_CHECK_LE(static_cast<size_t>(out.summary->tokens),
                 static_cast<size_t>(long_note.tokens) / summary_share_divisor);
}

BOOST_AUTO_TEST_CASE(two_connections_summarising_at_once_write_one_summary) {
  fill("s1",
       {{memory_type::conversation, priority_level::normal},
        {memory_type::context, priority_level::high}},
       critical_at);
  std::vector<result<summary_outcome>> outcomes(2, make_error(error_code::internal, "not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < outcomes.size(); ++i)
    threads.emplace_back([&, i] {
      auto own = memory_db::open(dir / "sage/memory.db", counter());
      if (own) outcomes[i] = summarise_session(*own, cfg, counter(), "s1", t0);
    });
  for (auto& t : threads)
    t.join();
  size_t summaries = 0;
  for (const auto& o : outcomes) {
    BOOST_REQUIRE_MESSAGE(o.has_value(), "summarise failed: " + (o ? "" : o.err().message));
    summaries += o->summary ? 1 : 0;
    BOOST_CHECK(o->enough);
  }
  BOOST_CHECK_EQUAL(summaries, 1u);
  memory_query q;
  q.session_id = "s1";
  q.type = memory_type::summary;
  BOOST_CHECK_EQUAL(require(db.query(q), "query").entries.size(), 1u);
}

BOOST_AUTO_TEST_CASE(summarise_finds_one_session_among_100000_entries_quickly) {
  // 100,000 entries over 1,000 other sessions, written in one statement.
  {
    auto& conn = db.connection();
    auto tx = require(sqlite::transaction::begin(conn), "begin");
    BOOST_REQUIRE(!conn.exec(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999) "
        "INSERT INTO memory_entries (id, type, priority, content, tokens, session_id, "
        "created_at, updated_at) SELECT printf('00000000-0000-4000-8000-%012d', i), "
        "'conversation', 50, 'bulk entry number ' || i || '.', 5, 'bulk-' || (i % 1000), "
        "printf('2020-01-01T00:%02d:%02d.000Z', (i / 60) % 60, i % 60), "
        "'2020-01-01T00:00:00.000Z' FROM n"));
    BOOST_REQUIRE(!tx.commit());
  }
  fill("s1",
       {{memory_type::conversation, priority_level::normal},
        {memory_type::context, priority_level::high}},
       critical_at);
  auto start = std::chrono::steady_clock::now();
  auto out = require(summarise_session(db, cfg, counter(), "s1", t0), "summarise");
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_CHECK(out.enough);
  BOOST_CHECK(out.summary.has_value());
  for (const auto& id : out.replaced_ids)
    BOOST_CHECK_EQUAL(require(db.get(id), "get").session_id, "s1");
  BOOST_CHECK_EQUAL(require(db.usage("bulk-7"), "usage"), 500); // other sessions untouched
  BOOST_TEST_MESSAGE("summarise among 100,000 entries took " << took / 1us << " us");
  BOOST_CHECK_MESSAGE(took < 500ms,
                      "summarise took " + std::to_string(took / 1ms) + " ms among 100,000 entries");
}

// -- pruning ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(prune_at_overflow_removes_ephemeral_then_low_entries_until_below_critical) {
  std::vector<memory_entry> kept{add("s1", memory_type::conversation, priority_level::permanent),
                                 add("s1", memory_type::context, priority_level::critical),
                                 add("s1", memory_type::decision, priority_level::high)};
  // Low entries are older than the ephemeral ones, which still go first.
  auto low = fill("s1", {{memory_type::context, priority_level::low}}, 200);
  std::vector<memory_entry> ephemeral{
      add("s1", memory_type::conversation, priority_level::ephemeral)};
  fill("s1",
       {{memory_type::conversation, priority_level::normal},
        {memory_type::context, priority_level::high}},
       overflow_at);
  BOOST_REQUIRE_EQUAL(name(level("s1")), "overflow");
  const auto before = usage("s1");
  // The ephemeral entry alone is not enough, so low ones must go too.
  BOOST_REQUIRE_GE(before - static_cast<size_t>(ephemeral.front().tokens), critical_at);

  auto out = require(prune_for_budget(db, cfg, "s1", t0), "prune");
  BOOST_CHECK_EQUAL(name(out.level_before), "overflow");
  BOOST_CHECK(out.enough);
  BOOST_CHECK_LT(out.tokens_after, critical_at);
  BOOST_CHECK_EQUAL(out.tokens_after, usage("s1"));
  BOOST_CHECK_EQUAL(name(out.level_after), name(level("s1")));

  // Ephemeral entries first, all of them here; then the oldest low ones, and no more than
  // needed: putting back the last one deleted would reach critical again.
  BOOST_REQUIRE_GT(out.deleted_ids.size(), ephemeral.size());
  for (size_t i = 0; i < ephemeral.size(); ++i)
    BOOST_CHECK(contains(out.deleted_ids, ephemeral[i].id) &&
                out.deleted_ids[i] == ephemeral[i].id);
  for (size_t i = ephemeral.size(); i < out.deleted_ids.size(); ++i)
    BOOST_CHECK_EQUAL(out.deleted_ids[i], low[i - ephemeral.size()].id);
  size_t last_tokens = 0;
  for (const auto& e : low)
    if (e.id == out.deleted_ids.back()) last_tokens = static_cast<size_t>(e.tokens);
  BOOST_CHECK_GE(out.tokens_after + last_tokens, critical_at);

  for (const auto& id : out.deleted_ids) {
    auto gone = db.get(id);
    BOOST_CHECK(!gone.has_value() && gone.err().code == error_code::not_found);
  }
  for (const auto& e : kept)
    BOOST_CHECK(db.get(e.id).has_value());
  for (const auto& e : entries("s1"))
    BOOST_CHECK_GE(e.priority, priority_level::low);

  // The full-text index follows: a deleted entry's word is found no more, and the index agrees
  // with the table.
  memory_query q;
  auto word = ephemeral.front().content.substr(ephemeral.front().content.find("marker"));
  q.text = word.substr(0, word.find(' '));
  q.limit = 0;
  BOOST_CHECK(require(db.query(q), "query").entries.empty());
  BOOST_CHECK(!db.connection().exec(
      "INSERT INTO memory_fts (memory_fts, rank) VALUES ('integrity-check', 1)"));
}

BOOST_AUTO_TEST_CASE(prune_never_deletes_entries_above_low_priority) {
  auto ephemeral = add("s1", memory_type::conversation, priority_level::ephemeral);
  auto low = add("s1", memory_type::context, priority_level::low);
  fill("s1",
       {{memory_type::conversation, priority_level::high},
        {memory_type::context, priority_level::normal},
        {memory_type::decision, priority_level::critical},
        {memory_type::artifact, priority_level::permanent}},
       overflow_at + 20);
  const auto before = entries("s1");
  BOOST_REQUIRE_LT(static_cast<size_t>(ephemeral.tokens + low.tokens), usage("s1") - critical_at);

  auto out = require(prune_for_budget(db, cfg, "s1", t0), "prune");
  BOOST_CHECK(!out.enough);
  BOOST_CHECK(out.deleted_ids == std::vector<std::string>({ephemeral.id, low.id}));
  BOOST_CHECK(out.level_after >= budget_level::critical);
  BOOST_CHECK_EQUAL(out.tokens_after, usage("s1"));
  auto after = entries("s1");
  BOOST_CHECK_EQUAL(after.size(), before.size() - 2);
  for (const auto& e : after)
    BOOST_CHECK_GT(e.priority, priority_level::low);
}

BOOST_AUTO_TEST_SUITE_END()
