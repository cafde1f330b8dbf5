// Tests of the token budget logic: levels, checks, reports, selections and extractive summaries.
// SPDX-License-Identifier: MIT
#include "core/token_budget.hpp"

#include "config_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace sage::core;
using namespace sage::core::test;
using namespace std::chrono_literals;

namespace {

/// 1000 tokens less 100 reserved: 900 available, as in the examples of the issue.
budget_config small_budget() {
  budget_config cfg;
  cfg.max_tokens = 1000;
  cfg.reserved_tokens = 100;
  return cfg;
}

budget_entry entry(std::string id, std::string type, int priority, size_t tokens,
                   std::string created_at, bool summarized = false) {
  return budget_entry{std::move(id),         std::move(type), priority, tokens,
                      std::move(created_at), summarized,      "content"};
}

std::string at(int minute) {
  return "2024-05-01T12:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) +
         ":00.000Z";
}

/// Entries that no selection may touch, whatever the pressure.
std::vector<budget_entry> protected_entries() {
  return {entry("permanent", "conversation", 100, 100, at(0)),
          entry("critical", "context", 90, 100, at(0)),
          entry("high", "conversation", 70, 100, at(0)),
          entry("summarised", "conversation", 30, 100, at(0), true),
          entry("summarised-ephemeral", "context", 10, 100, at(0), true)};
}

const std::set<std::string> protected_ids{"permanent", "critical", "high", "summarised",
                                          "summarised-ephemeral"};

void check_nothing_protected(const budget_selection& sel) {
  for (const auto& id : sel.ids)
    BOOST_CHECK_MESSAGE(!protected_ids.contains(id), "picked protected entry " + id);
}

token_counter counter() {
  auto tokens = token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
  BOOST_REQUIRE(tokens.has_value());
  return *tokens;
}

const std::vector<std::string> notes{
    "The cache keeps query results in memory. Lunch was pasta today. The cache evicts old "
    "query results first.",
    "We decided the cache must expire query results after a minute. Someone mentioned the "
    "weather.",
    "Query results come from the cache. Mr. Smith agreed with the plan."};

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

} // namespace

BOOST_AUTO_TEST_SUITE(token_budget)

BOOST_AUTO_TEST_CASE(levels_of_900_available_tokens_match_the_issue) {
  const budget_thresholds t;
  BOOST_CHECK_EQUAL(to_string(level_of(500, 900, t)), "normal");
  BOOST_CHECK_EQUAL(to_string(level_of(650, 900, t)), "caution");
  BOOST_CHECK_EQUAL(to_string(level_of(750, 900, t)), "warning");
  BOOST_CHECK_EQUAL(to_string(level_of(820, 900, t)), "critical");
  BOOST_CHECK_EQUAL(to_string(level_of(870, 900, t)), "overflow");
}

BOOST_AUTO_TEST_CASE(each_threshold_starts_its_level_exactly) {
  const budget_thresholds t;
  BOOST_CHECK_EQUAL(to_string(level_of(629, 900, t)), "normal");
  BOOST_CHECK_EQUAL(to_string(level_of(630, 900, t)), "caution"); // exactly 70 %
  BOOST_CHECK_EQUAL(to_string(level_of(719, 900, t)), "caution");
  BOOST_CHECK_EQUAL(to_string(level_of(720, 900, t)), "warning"); // exactly 80 %
  BOOST_CHECK_EQUAL(to_string(level_of(809, 900, t)), "warning");
  BOOST_CHECK_EQUAL(to_string(level_of(810, 900, t)), "critical"); // exactly 90 %
  BOOST_CHECK_EQUAL(to_string(level_of(854, 900, t)), "critical");
  BOOST_CHECK_EQUAL(to_string(level_of(855, 900, t)), "overflow"); // exactly 95 %
  BOOST_CHECK_EQUAL(to_string(level_of(5000, 900, t)), "overflow");
  BOOST_CHECK_EQUAL(to_string(level_of(0, 900, t)), "normal");
  // 70 % of 124000 is 86800: floating point would make 0.7 * 124000 = 86799.99...
  BOOST_CHECK_EQUAL(to_string(level_of(86799, 124000, t)), "normal");
  BOOST_CHECK_EQUAL(to_string(level_of(86800, 124000, t)), "caution");
  BOOST_CHECK_EQUAL(tokens_at(budget_level::caution, 124000, t), 86800u);
  // A share that is not a whole number of tokens rounds up: 70 % of 901 is 630.7.
  BOOST_CHECK_EQUAL(to_string(level_of(630, 901, t)), "normal");
  BOOST_CHECK_EQUAL(to_string(level_of(631, 901, t)), "caution");
  BOOST_CHECK_EQUAL(to_string(level_of(0, 0, t)), "normal");
  BOOST_CHECK_EQUAL(to_string(level_of(1, 0, t)), "overflow");
}

BOOST_AUTO_TEST_CASE(thresholds_come_from_the_configuration) {
  config_dir dir;
  auto inputs = with_file(dir, "budget:\n  max_tokens: 2000\n  reserved_tokens: 1000\n"
                               "  thresholds:\n    caution: 0.5\n    warning: 0.6\n"
                               "  reservation_ttl: 30s\n");
  inputs.env["SAGE_BUDGET__THRESHOLDS__CRITICAL"] = "0.75";
  auto cfg = load_ok(inputs);
  BOOST_CHECK(cfg.budget.reservation_ttl == 30s);
  auto status = make_status(cfg.budget, 500);
  BOOST_CHECK_EQUAL(status.available, 1000u);
  BOOST_CHECK_EQUAL(to_string(status.level), "caution");
  BOOST_CHECK_EQUAL(to_string(make_status(cfg.budget, 499).level), "normal");
  BOOST_CHECK_EQUAL(to_string(make_status(cfg.budget, 600).level), "warning");
  BOOST_CHECK_EQUAL(to_string(make_status(cfg.budget, 750).level), "critical");
  BOOST_CHECK_EQUAL(to_string(make_status(cfg.budget, 950).level), "overflow");
  BOOST_CHECK_EQUAL(cfg.sources.at("budget.thresholds.critical"),
                    "env SAGE_BUDGET__THRESHOLDS__CRITICAL");
}

BOOST_AUTO_TEST_CASE(defaults_match_the_product_description) {
  auto cfg = default_config();
  BOOST_CHECK_EQUAL(cfg.budget.max_tokens, 128000);
  BOOST_CHECK_EQUAL(cfg.budget.reserved_tokens, 4000);
  BOOST_CHECK(cfg.budget.reservation_ttl == 5min);
  BOOST_CHECK_EQUAL(cfg.memory_max_content_bytes, 1048576);
  auto json = to_json(cfg, false);
  BOOST_CHECK_EQUAL(json["budget"]["thresholds"]["caution"].get<double>(), 0.7);
  BOOST_CHECK_EQUAL(json["budget"]["reservation_ttl"].get<std::string>(), "5m");
  BOOST_CHECK_EQUAL(json["memory"]["max_content_bytes"].get<int>(), 1048576);
  auto status = make_status(cfg.budget, 0);
  BOOST_CHECK_EQUAL(status.available, 124000u);
  BOOST_CHECK_EQUAL(status.remaining, 124000u);
}

BOOST_AUTO_TEST_CASE(bad_budget_values_are_config_errors_naming_the_key) {
  config_dir dir;
  auto file_error = [&](const std::string& yaml) {
    auto inputs = with_file(dir, yaml);
    auto err = load_error(inputs);
    auto at_path = err.message.find(inputs.files[0]);
    if (at_path != std::string::npos) err.message.replace(at_path, inputs.files[0].size(), "@");
    return err;
  };
  auto err = file_error("budget:\n  thresholds:\n    caution: 0.85\n");
  BOOST_CHECK_EQUAL(err.message, "invalid value for budget.thresholds.caution in @: expected less "
                                 "than budget.thresholds.warning (0.8), got \"0.85\"");
  BOOST_CHECK_EQUAL(
      err.hint, "budget thresholds must rise: 0 < caution < warning < critical < overflow <= 1");
  err = file_error("budget:\n  thresholds:\n    critical: 0.9\n    overflow: 0.9\n");
  BOOST_CHECK_EQUAL(err.message, "invalid value for budget.thresholds.overflow in @: expected more "
                                 "than budget.thresholds.critical (0.9), got \"0.9\"");
  err = file_error("budget:\n  thresholds:\n    overflow: 1.5\n");
  BOOST_CHECK_EQUAL(err.message, "invalid value for budget.thresholds.overflow in @: expected a "
                                 "number from 0 to 1, got \"1.5\"");
  err = file_error("budget:\n  thresholds:\n    caution: 0\n");
  BOOST_CHECK_EQUAL(err.message, "invalid value for budget.thresholds.caution in @: expected a "
                                 "number greater than 0, got \"0\"");
  err = file_error("budget:\n  reserved_tokens: 200000\n");
  BOOST_CHECK_EQUAL(err.message, "invalid value for budget.reserved_tokens in @: expected less "
                                 "than budget.max_tokens (128000), got \"200000\"");
  BOOST_CHECK_EQUAL(err.hint, "make budget.reserved_tokens less than budget.max_tokens");
  err = file_error("budget:\n  reservation_ttl: never\n");
  BOOST_CHECK(err.message.starts_with("invalid value for budget.reservation_ttl in @"));
  err = file_error("memory:\n  max_content_bytes: 0\n");
  BOOST_CHECK_EQUAL(err.message, "invalid value for memory.max_content_bytes in @: expected an "
                                 "integer of at least 1, got \"0\"");

  config_inputs inputs;
  inputs.env["SAGE_BUDGET__MAX_TOKENS"] = "3000";
  err = load_error(inputs);
  BOOST_CHECK_EQUAL(err.message,
                    "invalid value for budget.max_tokens in environment variable "
                    "SAGE_BUDGET__MAX_TOKENS: expected more than budget.reserved_tokens (4000), "
                    "got \"3000\"");
}

BOOST_AUTO_TEST_CASE(check_counts_reservations_and_names_the_level_reached) {
  auto status = make_status(small_budget(), 600, 20);
  BOOST_CHECK_EQUAL(status.remaining, 280u);
  BOOST_CHECK_EQUAL(to_string(status.level), "normal");

  auto c = check(status, 9);
  BOOST_CHECK(c.fits);
  BOOST_CHECK_EQUAL(c.used_after, 629u);
  BOOST_CHECK_EQUAL(to_string(c.level_after), "normal");
  BOOST_CHECK(!c.changes_level);

  c = check(status, 10);
  BOOST_CHECK(c.fits);
  BOOST_CHECK_EQUAL(to_string(c.level_after), "caution");
  BOOST_CHECK(c.changes_level);
  BOOST_CHECK_EQUAL(c.remaining_after, 270u);

  c = check(status, 280);
  BOOST_CHECK(c.fits);
  BOOST_CHECK_EQUAL(to_string(c.level_after), "overflow");
  BOOST_CHECK_EQUAL(c.remaining_after, 0u);

  c = check(status, 281);
  BOOST_CHECK(!c.fits);
  BOOST_CHECK_EQUAL(c.remaining_after, 0u);
}

BOOST_AUTO_TEST_CASE(every_level_has_its_own_recommendations) {
  std::set<std::string> seen;
  for (auto level : {budget_level::normal, budget_level::caution, budget_level::warning,
                     budget_level::critical, budget_level::overflow}) {
    auto lines = recommendations(level);
    BOOST_CHECK_GE(lines.size(), 2u);
    BOOST_CHECK(seen.insert(lines.front()).second);
  }
  auto overflow = recommendations(budget_level::overflow);
  BOOST_CHECK(std::any_of(overflow.begin(), overflow.end(), [](const std::string& line) {
    return line.find("sage session handoff") != std::string::npos;
  }));
}

BOOST_AUTO_TEST_CASE(markdown_report_shows_level_numbers_and_advice) {
  auto report = render_status_markdown(make_status(small_budget(), 820, 15), "s-1");
  BOOST_TEST_MESSAGE(report);
  BOOST_CHECK(report.starts_with("## Token budget of session s-1: CRITICAL\n"));
  BOOST_CHECK(report.find("| max | 1000 |") != std::string::npos);
  BOOST_CHECK(report.find("| reserved for the answer | 100 |") != std::string::npos);
  BOOST_CHECK(report.find("| available | 900 |") != std::string::npos);
  BOOST_CHECK(report.find("| used | 820 (91.1 %) |") != std::string::npos);
  BOOST_CHECK(report.find("| held by reservations | 15 |") != std::string::npos);
  BOOST_CHECK(report.find("| remaining | 65 |") != std::string::npos);
  BOOST_CHECK(report.find("caution 630, warning 720, critical 810, overflow 855 tokens") !=
              std::string::npos);
  BOOST_CHECK(report.find("### Recommendations\n\n- " +
                          recommendations(budget_level::critical).front()) != std::string::npos);
  // 629 of 900 is 69.88 %: shown as 69.8, never rounded up to the caution threshold.
  BOOST_CHECK(render_status_markdown(make_status(small_budget(), 629)).find("(69.8 %)") !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(summary_takes_oldest_low_and_normal_conversation_and_context_entries) {
  auto entries = protected_entries();
  // Newest first on purpose: the selection orders by creation time itself.
  entries.push_back(entry("c5", "conversation", 50, 30, at(15)));
  entries.push_back(entry("c4", "context", 30, 30, at(14)));
  entries.push_back(entry("c3", "conversation", 50, 30, at(13)));
  entries.push_back(entry("c2", "context", 50, 30, at(12)));
  entries.push_back(entry("c1", "conversation", 30, 30, at(11)));
  entries.push_back(entry("decision", "decision", 30, 100, at(1)));
  entries.push_back(entry("artifact", "artifact", 50, 100, at(1)));
  entries.push_back(entry("old-summary", "summary", 50, 100, at(1)));
  entries.push_back(entry("ephemeral", "conversation", 10, 100, at(1)));
  // 850 of 900 is critical; below critical means below 810. With a 20-token summary each
  // entry frees 30, so three entries bring it to 850 - 90 + 20 = 780.
  auto status = make_status(small_budget(), 850);
  auto sel = pick_for_summary(entries, status, 20);
  check_nothing_protected(sel);
  const std::vector<std::string> expected{"c1", "c2", "c3"};
  BOOST_CHECK_EQUAL_COLLECTIONS(sel.ids.begin(), sel.ids.end(), expected.begin(), expected.end());
  BOOST_CHECK(sel.enough);
  BOOST_CHECK_EQUAL(sel.tokens, 90u);
  BOOST_CHECK_EQUAL(sel.used_after, 780u);
  BOOST_CHECK_LT(sel.used_after, tokens_at(budget_level::critical, 900, status.thresholds));
  BOOST_CHECK_EQUAL(to_string(sel.level_after), "warning");
}

BOOST_AUTO_TEST_CASE(summary_says_when_it_cannot_get_below_the_threshold) {
  auto entries = protected_entries();
  entries.push_back(entry("c1", "conversation", 50, 30, at(11)));
  entries.push_back(entry("c2", "context", 50, 30, at(12)));
  auto status = make_status(small_budget(), 890);
  auto sel = pick_for_summary(entries, status, 20);
  check_nothing_protected(sel);
  BOOST_CHECK(!sel.enough);
  BOOST_CHECK_EQUAL(sel.ids.size(), 2u); // still worth doing: 890 -> 850
  BOOST_CHECK_EQUAL(sel.used_after, 850u);

  // A summary as large as what it replaces helps nothing: nothing is chosen.
  sel = pick_for_summary(entries, status, 60);
  BOOST_CHECK(!sel.enough);
  BOOST_CHECK(sel.ids.empty());
  BOOST_CHECK_EQUAL(sel.used_after, 890u);

  // Only protected entries: nothing to do, and it says so.
  sel = pick_for_summary(protected_entries(), status, 20);
  BOOST_CHECK(!sel.enough);
  BOOST_CHECK(sel.ids.empty());

  // Already below critical: nothing needed.
  sel = pick_for_summary(entries, make_status(small_budget(), 809), 20);
  BOOST_CHECK(sel.enough);
  BOOST_CHECK(sel.ids.empty());
}

BOOST_AUTO_TEST_CASE(prune_takes_ephemeral_then_low_entries_oldest_first) {
  auto entries = protected_entries();
  entries.push_back(entry("low-old", "decision", 30, 30, at(1)));
  entries.push_back(entry("low-new", "conversation", 30, 30, at(2)));
  entries.push_back(entry("normal", "conversation", 50, 500, at(0)));
  entries.push_back(entry("eph-3", "context", 10, 20, at(9)));
  entries.push_back(entry("eph-1", "conversation", 10, 20, at(7)));
  entries.push_back(entry("eph-2", "artifact", 5, 20, at(8)));
  // 880 is overflow; below critical (810) needs 71 tokens: three ephemeral (60) and one low.
  auto status = make_status(small_budget(), 880);
  BOOST_CHECK_EQUAL(to_string(status.level), "overflow");
  auto sel = pick_for_prune(entries, status);
  check_nothing_protected(sel);
  const std::vector<std::string> expected{"eph-1", "eph-2", "eph-3", "low-old"};
  BOOST_CHECK_EQUAL_COLLECTIONS(sel.ids.begin(), sel.ids.end(), expected.begin(), expected.end());
  BOOST_CHECK(sel.enough);
  BOOST_CHECK_EQUAL(sel.used_after, 790u);
  BOOST_CHECK_EQUAL(to_string(sel.level_after), "warning");

  // Ties in time are ordered by id, so the choice never depends on input order.
  std::reverse(entries.begin(), entries.end());
  BOOST_CHECK(pick_for_prune(entries, status).ids == expected);
}

BOOST_AUTO_TEST_CASE(prune_never_touches_normal_or_protected_entries_even_when_short) {
  auto entries = protected_entries();
  entries.push_back(entry("normal", "conversation", 50, 500, at(0)));
  entries.push_back(entry("low", "conversation", 30, 30, at(1)));
  auto sel = pick_for_prune(entries, make_status(small_budget(), 899));
  check_nothing_protected(sel);
  BOOST_CHECK(!sel.enough);
  BOOST_CHECK(sel.ids == std::vector<std::string>{"low"});
  BOOST_CHECK_EQUAL(sel.used_after, 869u);
}

BOOST_AUTO_TEST_CASE(sentences_split_at_boundaries_but_not_after_abbreviations) {
  auto sentences = split_sentences("Query results come from the cache.  Mr. Smith agreed\nwith "
                                   "the plan! Did he? Yes");
  const std::vector<std::string> expected{"Query results come from the cache.",
                                          "Mr. Smith agreed with the plan!", "Did he?", "Yes"};
  BOOST_CHECK_EQUAL_COLLECTIONS(sentences.begin(), sentences.end(), expected.begin(),
                                expected.end());
  BOOST_CHECK(split_sentences("   \n").empty());
  // A Markdown list keeps its items apart, and a blank line ends a sentence without a full stop.
  auto items = split_sentences("Open points\n\n- fix the cache\n- add tests");
  const std::vector<std::string> expected_items{"Open points", "- fix the cache", "- add tests"};
  BOOST_CHECK_EQUAL_COLLECTIONS(items.begin(), items.end(), expected_items.begin(),
                                expected_items.end());
}

BOOST_AUTO_TEST_CASE(summary_keeps_the_best_sentence_within_a_small_budget) {
  auto tokens = counter();
  // cache, query and results occur four times each: this sentence has the highest mean.
  auto summary = extractive_summary(notes, 12, tokens);
  BOOST_CHECK_EQUAL(summary, "[2] Query results come from the cache.");
  BOOST_CHECK_LE(tokens.count(summary), 12u);
  BOOST_CHECK_EQUAL(extractive_summary(notes, 3, tokens), "");
}

BOOST_AUTO_TEST_CASE(summary_fits_its_budget_and_keeps_original_order) {
  auto tokens = counter();
  std::string all;
  for (const auto& n : notes)
    all += n + " ";
  for (size_t budget : {10u, 20u, 30u, 45u, 60u, 1000u}) {
    auto summary = extractive_summary(notes, budget, tokens);
    BOOST_TEST_MESSAGE(budget << ":\n" << summary);
    BOOST_CHECK_LE(tokens.count(summary), budget);
    BOOST_CHECK_EQUAL(summary, extractive_summary(notes, budget, tokens)); // deterministic
    // Lines appear in the order of their sentences in the sources.
    size_t last_source = 0;
    size_t last_position = 0;
    for (const auto& line : lines_of(summary)) {
      BOOST_REQUIRE(line.starts_with("["));
      auto close = line.find("] ");
      auto source = std::stoul(line.substr(1, close - 1));
      auto sentence = line.substr(close + 2);
      auto position = notes[source].find(sentence);
      BOOST_REQUIRE_MESSAGE(position != std::string::npos, "not a sentence of its source: " + line);
      BOOST_CHECK(source > last_source || (source == last_source && position >= last_position));
      last_source = source;
      last_position = position;
    }
    if (budget >= 12)
      BOOST_CHECK(summary.find("Query results come from the cache.") != std::string::npos);
  }
  // With room for everything, every sentence is kept, each once.
  BOOST_CHECK_EQUAL(lines_of(extractive_summary(notes, 1000, tokens)).size(), 7u);
  // Sentences whose words occur nowhere else go first when the budget shrinks: at 60 tokens the
  // four sentences about the cache are kept, and of the others only the earliest.
  auto mid = extractive_summary(notes, 60, tokens);
  for (const char* kept : {"keeps query", "evicts old", "must expire", "come from the cache"})
    BOOST_CHECK_MESSAGE(mid.find(kept) != std::string::npos, kept);
  BOOST_CHECK(mid.find("weather") == std::string::npos);
  BOOST_CHECK(mid.find("Smith") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
