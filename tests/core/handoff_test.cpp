// Tests of the handoff package: progress, what goes where, and the prompt within a token budget.
// SPDX-License-Identifier: MIT
#include "core/handoff.hpp"

#include "core/timestamp.hpp"
#include "core/utf8_repair.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace sage::core;

namespace {

token_counter counter() {
  auto tokens = token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  BOOST_REQUIRE(tokens.has_value());
  return *tokens;
}

std::string at(int minute) {
  return "2024-05-01T12:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) +
         ":00.000Z";
}

memory_entry entry(std::string id, memory_type type, int priority, std::string content, int minute,
                   bool summarized = false) {
  memory_entry e;
  e.id = std::move(id);
  e.type = type;
  e.priority = priority;
  e.content = std::move(content);
  e.created_at = at(minute);
  e.is_summarized = summarized;
  return e;
}

session make_session(std::vector<std::pair<std::string, bool>> steps) {
  session s;
  s.id = "3f2b6c1e-0000-4000-8000-000000000001";
  s.task_id = "task-42";
  s.objective = "Move the search cache to the memory database";
  for (auto& [text, done] : steps)
    s.steps.push_back({std::move(text), done, done ? at(1) : ""});
  s.last_action = "Ran the search benchmark against the new cache";
  s.last_result = "Median latency dropped from 40 ms to 12 ms";
  return s;
}

session full_session() {
  return make_session({{"Measure the current cache", true},
                       {"Design the table layout", true},
                       {"Write the cache table migration", false},
                       {"Switch the search actor to the new cache", false},
                       {"Remove the old in-memory cache", false}});
}

/// Entries of every kind: decisions and context of several priorities, prose for the summary and
/// entries that the package must leave out.
std::vector<memory_entry> full_entries() {
  using enum memory_type;
  namespace p = priority_level;
  return {
      entry("d-old-high", decision, p::high, "Keep cached results for one minute.", 1),
      entry("d-new-high", decision, p::high, "Key the cache by the normalised query text.", 5),
      entry("d-normal", decision, p::normal, "Log cache misses at debug level only.", 6),
      entry("d-critical", decision, p::critical, "Never cache results of partial searches.", 2),
      entry("c-high", context, p::high, "The memory database uses WAL mode.", 3),
      entry("c-permanent", context, p::permanent, "Production runs on SQLite 3.45.", 1),
      entry("a-high", artifact, p::high, "Benchmark script: bench/search_cache.sh", 4),
      entry("talk-critical", conversation, p::critical, "The user wants no new dependencies.", 2),
      entry("a-low", artifact, p::low, "ARTIFACT-LOW-MARKER", 4),
      entry("cp", checkpoint, p::normal, "CHECKPOINT-MARKER", 4),
      entry("gone", conversation, p::normal, "SUMMARISED-MARKER sentence.", 0, true),
      entry("talk-1", conversation, p::normal,
            "The cache keeps query results in memory. The cache evicts old query results "
            "first. Lunch was pasta today.",
            1),
      entry("talk-2", conversation, p::low,
            "Query results come from the cache when the index is unchanged. The cache size "
            "is bounded by the configuration.",
            2),
      entry("c-normal", context, p::normal,
            "The old cache lost query results on every restart of the server.", 3),
      entry("sum", summary, p::normal,
            "Earlier the team measured the cache hit rate of query results at 80 percent.", 0),
  };
}

handoff_package full_package() {
  auto tokens = counter();
  auto p = make_handoff(full_session(), full_entries(), 1234, tokens);
  p.created_at = at(30); // the clock is the one input the tests do not control
  return p;
}

std::vector<std::string> ids_of(const std::vector<handoff_item>& items) {
  std::vector<std::string> out;
  for (const auto& item : items)
    out.push_back(item.entry_id);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Renders, requiring success and a text within the budget.
std::string render_ok(const handoff_package& p, size_t max_tokens, const token_counter& tokens) {
  auto text = render_handoff_markdown(p, max_tokens, tokens);
  BOOST_REQUIRE_MESSAGE(text.has_value(), "max_tokens=" + std::to_string(max_tokens) + ": " +
                                              (text ? std::string{} : text.err().message));
  BOOST_CHECK_LE(tokens.count(*text), max_tokens);
  BOOST_CHECK(is_valid_utf8(*text));
  return *text;
}

/// The budget that always renders (the header form), found by the error of one far too small.
size_t minimum_budget(const handoff_package& p, const token_counter& tokens) {
  auto too_small = render_handoff_markdown(p, 1, tokens);
  BOOST_REQUIRE(!too_small.has_value());
  auto digits = too_small.err().hint.substr(too_small.err().hint.find_first_of("0123456789"));
  return std::stoul(digits);
}

} // namespace

BOOST_AUTO_TEST_SUITE(handoff)

// -- the package ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(progress_is_the_share_of_done_steps_rounded_down) {
  BOOST_CHECK_EQUAL(progress_percent(make_session({{"a", true}, {"b", false}, {"c", false}})), 33);
  BOOST_CHECK_EQUAL(progress_percent(make_session({{"a", true}, {"b", true}, {"c", false}})), 66);
  BOOST_CHECK_EQUAL(progress_percent(make_session({{"a", true}, {"b", true}})), 100);
  BOOST_CHECK_EQUAL(progress_percent(make_session({{"a", false}, {"b", false}})), 0);
  // 199 of 200 is 99.5 %: not yet 100.
  std::vector<std::pair<std::string, bool>> many(200, {"step", true});
  many.back().second = false;
  BOOST_CHECK_EQUAL(progress_percent(make_session(many)), 99);
}

BOOST_AUTO_TEST_CASE(progress_without_steps_is_0_while_active_and_100_once_ended) {
  auto s = make_session({});
  BOOST_CHECK_EQUAL(progress_percent(s), 0);
  s.status = session_status::ended;
  BOOST_CHECK_EQUAL(progress_percent(s), 100);
}

BOOST_AUTO_TEST_CASE(package_splits_steps_and_copies_the_session) {
  auto p = full_package();
  BOOST_CHECK_EQUAL(p.session_id, full_session().id);
  BOOST_CHECK_EQUAL(p.task_id, "task-42");
  BOOST_CHECK_EQUAL(p.objective, full_session().objective);
  BOOST_CHECK((p.completed_steps ==
               std::vector<std::string>{"Measure the current cache", "Design the table layout"}));
  BOOST_CHECK_EQUAL(p.pending_steps.size(), 3u);
  BOOST_CHECK_EQUAL(p.pending_steps.front(), "Write the cache table migration");
  BOOST_CHECK_EQUAL(p.progress_percent, 40);
  BOOST_CHECK_EQUAL(p.tokens_used, 1234);
  BOOST_CHECK_EQUAL(p.last_action, full_session().last_action);
  BOOST_CHECK_EQUAL(p.last_result, full_session().last_result);
  auto tokens = counter();
  BOOST_CHECK(is_timestamp(make_handoff(full_session(), {}, 0, tokens).created_at));
  BOOST_CHECK_EQUAL(make_handoff(full_session(), {}, -5, tokens).tokens_used, 0);
}

BOOST_AUTO_TEST_CASE(decisions_and_context_are_ordered_by_priority_then_newest_first) {
  auto p = full_package();
  BOOST_CHECK((ids_of(p.key_decisions) ==
               std::vector<std::string>{"d-critical", "d-new-high", "d-old-high", "d-normal"}));
  BOOST_CHECK((ids_of(p.important_context) ==
               std::vector<std::string>{"c-permanent", "talk-critical", "a-high", "c-high"}));
  BOOST_CHECK_EQUAL(p.important_context[2].type, memory_type::artifact);
  BOOST_CHECK_EQUAL(p.important_context[2].priority, priority_level::high);
}

BOOST_AUTO_TEST_CASE(equal_priority_and_time_put_the_later_entry_first) {
  auto tokens = counter();
  auto p = make_handoff(full_session(),
                        {entry("first", memory_type::decision, 50, "First.", 1),
                         entry("second", memory_type::decision, 50, "Second.", 1)},
                        0, tokens);
  BOOST_CHECK((ids_of(p.key_decisions) == std::vector<std::string>{"second", "first"}));
}

BOOST_AUTO_TEST_CASE(summary_covers_prose_and_leaves_out_markers_and_summarised_entries) {
  auto p = full_package();
  BOOST_CHECK(contains(p.summary, "query results"));
  BOOST_CHECK(contains(p.summary, "80 percent"));    // a summary entry
  BOOST_CHECK(contains(p.summary, "every restart")); // a normal-priority context entry
  BOOST_CHECK(!contains(p.summary, "[0]"));          // no source tags
  BOOST_CHECK(!contains(p.summary, "SUMMARISED-MARKER"));
  BOOST_CHECK(!contains(p.summary, "CHECKPOINT-MARKER"));
  BOOST_CHECK(!contains(p.summary, "ARTIFACT-LOW-MARKER"));
  // Entries carried word for word are not summarised a second time.
  BOOST_CHECK(!contains(p.summary, "no new dependencies"));
  auto json = to_json(p).dump();
  BOOST_CHECK(!contains(json, "MARKER"));
}

BOOST_AUTO_TEST_CASE(json_has_every_field) {
  auto j = to_json(full_package());
  for (auto key : {"session_id", "task_id", "objective", "summary", "completed_steps",
                   "pending_steps", "key_decisions", "important_context", "last_action",
                   "last_result", "progress_percent", "tokens_used", "created_at"})
    BOOST_CHECK_MESSAGE(j.contains(key), key);
  BOOST_CHECK_EQUAL(j["progress_percent"], 40);
  BOOST_CHECK_EQUAL(j["tokens_used"], 1234);
  BOOST_CHECK_EQUAL(j["key_decisions"][0]["id"], "d-critical");
  BOOST_CHECK_EQUAL(j["key_decisions"][0]["type"], "decision");
  BOOST_CHECK_EQUAL(j["key_decisions"][0]["priority"], 90);
  BOOST_CHECK_EQUAL(j["pending_steps"].size(), 3u);
}

// -- the prompt -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(large_budget_renders_every_part) {
  auto tokens = counter();
  auto p = full_package();
  auto text = render_ok(p, 100000, tokens);
  BOOST_CHECK(text.starts_with("# Session handoff\n"));
  for (auto part : {"`3f2b6c1e-0000-4000-8000-000000000001`",
                    "`task-42`",
                    "Objective: Move the search cache",
                    "Progress: 40% (2 of 5 steps done)",
                    "Tokens used: 1234",
                    "## Completed steps",
                    "- Measure the current cache",
                    "## Pending steps",
                    "1. Write the cache table migration",
                    "3. Remove the old in-memory cache",
                    "## Last action",
                    "Ran the search benchmark",
                    "## Last result",
                    "Median latency dropped",
                    "## Key decisions",
                    "- Never cache results of partial searches.",
                    "- Log cache misses at debug level only.",
                    "## Important context",
                    "- Production runs on SQLite 3.45.",
                    "- The memory database uses WAL mode.",
                    "## Summary of earlier work",
                    "Continue from the pending steps"})
    BOOST_CHECK_MESSAGE(contains(text, part), "missing: " << part);
  BOOST_CHECK(!contains(text, "mitted"));
  BOOST_CHECK(!contains(text, "…"));
}

BOOST_AUTO_TEST_CASE(every_budget_is_kept_or_refused) {
  auto tokens = counter();
  auto p = full_package();
  auto minimum = minimum_budget(p, tokens);
  for (size_t budget = 20; budget <= 4000; budget += 7) {
    auto text = render_handoff_markdown(p, budget, tokens);
    if (!text) {
      BOOST_CHECK_LT(budget, minimum);
      continue;
    }
    BOOST_CHECK_MESSAGE(tokens.count(*text) <= budget, "over budget at " << budget);
    BOOST_CHECK(is_valid_utf8(*text));
    BOOST_CHECK(contains(*text, "Session: `3f2b6c1e-0000-4000-8000-000000000001`"));
  }
  render_ok(p, minimum, tokens);
}

BOOST_AUTO_TEST_CASE(the_summary_gives_way_first) {
  auto tokens = counter();
  auto p = full_package();
  auto full = tokens.count(render_ok(p, 100000, tokens));
  auto text = render_ok(p, full - 5, tokens);
  BOOST_CHECK(contains(text, "summary shortened") ||
              contains(text, "Omitted to fit the token budget: summary._"));
  for (auto part : {"## Completed steps", "## Last result", "- Log cache misses at debug level",
                    "- The memory database uses WAL mode.", "3. Remove the old in-memory cache"})
    BOOST_CHECK_MESSAGE(contains(text, part), "missing: " << part);
}

BOOST_AUTO_TEST_CASE(parts_give_way_in_order_of_value) {
  auto tokens = counter();
  auto p = full_package();
  bool saw_decisions_trimmed = false;
  bool saw_pending_trimmed = false;
  for (size_t budget = minimum_budget(p, tokens); budget <= 400; budget += 2) {
    auto text = render_ok(p, budget, tokens);
    auto has = [&](const char* part) { return contains(text, part); };
    auto check_gone = [&](std::initializer_list<const char*> parts, const char* because) {
      for (auto part : parts)
        BOOST_CHECK_MESSAGE(!has(part), part << " kept without " << because << " at " << budget);
    };
    // The header always stays.
    BOOST_CHECK(has("Session: `3f2b6c1e-0000-4000-8000-000000000001`"));
    BOOST_CHECK(has("Progress: 40% (2 of 5 steps done)"));
    BOOST_CHECK(has("Tokens used: 1234"));
    BOOST_CHECK(has("Objective: Move the search cache to the memory database"));
    BOOST_CHECK(has("Continue from the pending steps"));
    if (!has("## Completed steps")) check_gone({"## Summary", "WAL mode"}, "completed steps");
    if (!has("Log cache misses")) {
      saw_decisions_trimmed = true;
      BOOST_CHECK(has("more decision omitted") || has(" decisions"));
      check_gone({"## Summary", "## Completed steps", "WAL mode"}, "the lowest decision");
    }
    if (!has("## Last result")) check_gone({"Keep cached results"}, "the last result");
    if (!has("Production runs")) check_gone({"## Last action", "## Last result"}, "context");
    if (!has("3. Remove the old in-memory cache")) {
      saw_pending_trimmed = true;
      BOOST_CHECK(has("more steps omitted") || has("pending steps"));
      check_gone({"## Summary", "## Completed steps", "## Key decisions", "## Important context",
                  "## Last action", "## Last result"},
                 "the last pending step");
    }
  }
  BOOST_CHECK(saw_decisions_trimmed);
  BOOST_CHECK(saw_pending_trimmed);
}

BOOST_AUTO_TEST_CASE(small_budget_keeps_session_id_and_pending_steps) {
  auto tokens = counter();
  auto p = full_package();
  auto text = render_ok(p, minimum_budget(p, tokens) + 60, tokens);
  BOOST_CHECK(contains(text, "`3f2b6c1e-0000-4000-8000-000000000001`"));
  BOOST_CHECK(contains(text, "1. Write the cache table migration"));
  BOOST_CHECK(contains(text, "3. Remove the old in-memory cache"));
  BOOST_CHECK(!contains(text, "## Summary"));
  BOOST_CHECK(!contains(text, "## Completed steps"));
  BOOST_CHECK(contains(text, "_Omitted to fit the token budget: summary, list of 2 done steps"));
}

BOOST_AUTO_TEST_CASE(too_small_budget_is_an_error_naming_the_minimum) {
  auto tokens = counter();
  auto p = full_package();
  auto text = render_handoff_markdown(p, 20, tokens);
  BOOST_REQUIRE(!text.has_value());
  BOOST_CHECK_EQUAL(text.err().code, error_code::invalid_argument);
  auto minimum = minimum_budget(p, tokens);
  BOOST_CHECK_EQUAL(text.err().message, "failed to fit the session handoff into 20 tokens: its "
                                        "header needs up to " +
                                            std::to_string(minimum));
  BOOST_CHECK_EQUAL(text.err().hint, "ask for at least " + std::to_string(minimum) + " tokens");
  BOOST_CHECK(!render_handoff_markdown(p, 0, tokens).has_value());
  // Below the header form a path of cuts may still fit; whatever renders keeps the budget.
  for (size_t budget = minimum / 2; budget < minimum; ++budget)
    if (auto below = render_handoff_markdown(p, budget, tokens))
      BOOST_CHECK_LE(tokens.count(*below), budget);
  auto smallest = render_ok(p, minimum, tokens);
  BOOST_CHECK(contains(smallest, "3 pending steps"));
  BOOST_CHECK(contains(smallest, "Objective: Move the search cache to the memory database"));
}

BOOST_AUTO_TEST_CASE(output_is_deterministic) {
  auto tokens = counter();
  auto p = full_package();
  auto minimum = minimum_budget(p, tokens);
  for (size_t budget : {minimum, minimum + 40, minimum + 150, size_t{100000}})
    BOOST_CHECK_EQUAL(render_ok(p, budget, tokens), render_ok(p, budget, tokens));
}

BOOST_AUTO_TEST_CASE(many_decisions_are_trimmed_with_a_count) {
  auto tokens = counter();
  std::vector<memory_entry> entries;
  for (int i = 0; i < 30; ++i)
    entries.push_back(entry("d" + std::to_string(i), memory_type::decision, priority_level::high,
                            "Decision number " + std::to_string(i) + " about the cache layout.",
                            i));
  auto p = make_handoff(full_session(), entries, 10, tokens);
  auto text = render_ok(p, 300, tokens);
  BOOST_CHECK(contains(text, "- Decision number 29 about")); // the newest stays
  BOOST_CHECK(!contains(text, "- Decision number 0 about")); // the oldest goes
  BOOST_CHECK(contains(text, "more decisions omitted_"));
}

// -- odd input --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(session_without_steps_or_entries_renders) {
  auto tokens = counter();
  auto s = make_session({});
  s.last_action.clear();
  s.last_result.clear();
  s.task_id.clear();
  auto p = make_handoff(s, {}, 0, tokens);
  BOOST_CHECK(p.summary.empty());
  BOOST_CHECK(p.key_decisions.empty());
  auto text = render_ok(p, 4000, tokens);
  BOOST_CHECK(contains(text, "Progress: 0% (no steps planned)"));
  BOOST_CHECK(contains(text, "No steps are planned"));
  for (auto absent : {"## Completed", "## Pending", "## Last", "## Key", "## Important",
                      "## Summary", "Task:", "mitted"})
    BOOST_CHECK_MESSAGE(!contains(text, absent), "unexpected: " << absent);
  auto done = make_session({{"only step", true}});
  BOOST_CHECK(contains(render_ok(make_handoff(done, {}, 0, tokens), 4000, tokens),
                       "All planned steps are done"));
}

BOOST_AUTO_TEST_CASE(long_unicode_items_are_cut_on_code_point_boundaries) {
  auto tokens = counter();
  std::string cjk;
  for (int i = 0; i < 200; ++i)
    cjk += "日本語のテキストと絵文字🙂🎉。";
  auto s = make_session({{cjk, false}, {"Ünïcödé step ✓", false}});
  s.objective = "Objective " + cjk;
  s.last_action = cjk;
  auto p = make_handoff(s,
                        {entry("d", memory_type::decision, priority_level::critical, cjk, 1),
                         entry("c", memory_type::context, priority_level::permanent, cjk, 1),
                         entry("t", memory_type::conversation, priority_level::normal, cjk, 1)},
                        0, tokens);
  auto minimum = minimum_budget(p, tokens);
  BOOST_CHECK_GT(minimum, handoff_min_cut_tokens);
  for (size_t budget = minimum; budget <= 6000; budget += 97) {
    auto text = render_ok(p, budget, tokens);
    BOOST_CHECK(contains(text, "Objective: Objective 日本"));
  }
  // A huge step is cut before the short one after it is dropped.
  auto text = render_ok(p, 400, tokens);
  BOOST_CHECK(contains(text, "…"));
  BOOST_CHECK(contains(text, "1. 日本語"));
  BOOST_CHECK(contains(text, "2. Ünïcödé step ✓\n"));
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_line_breaks_are_repaired) {
  auto tokens = counter();
  auto s = make_session({{"step with\nline break", false}});
  s.objective = "bad \xff byte";
  auto p = make_handoff(
      s, {entry("d", memory_type::decision, priority_level::high, "first\n\nsecond \xc3", 1)}, 0,
      tokens);
  BOOST_CHECK(is_valid_utf8(p.objective));
  BOOST_CHECK(is_valid_utf8(p.key_decisions.at(0).content));
  BOOST_CHECK_NO_THROW(to_json(p).dump());
  auto text = render_ok(p, 4000, tokens);
  BOOST_CHECK(contains(text, "1. step with line break\n"));
  BOOST_CHECK(contains(text, "- first second \xEF\xBF\xBD\n"));
  // A package made by hand is repaired when rendered.
  handoff_package raw;
  raw.session_id = "s";
  raw.objective = "raw \xff";
  raw.pending_steps = {"\xe2\x82"};
  BOOST_CHECK(is_valid_utf8(render_ok(raw, 4000, tokens)));
}

BOOST_AUTO_TEST_SUITE_END()
