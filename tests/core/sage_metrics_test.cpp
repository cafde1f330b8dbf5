// Tests of SAGE's metric families: names, types and labels as docs/operations.md lists them,
// and how each event moves them.
// SPDX-License-Identifier: MIT
#include "core/sage_metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

using namespace sage::core;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The value of the sample `series` (name with labels exactly as rendered); -1 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

/// A family as the exposition or the docs show it.
struct family_shape {
  std::string type;
  std::set<std::string> labels;
  bool operator==(const family_shape&) const = default;
};

std::ostream& operator<<(std::ostream& out, const family_shape& f) {
  out << f.type << " {";
  for (const auto& l : f.labels)
    out << ' ' << l;
  return out << " }";
}

/// Families of an exposition by name, their labels gathered from the samples (a histogram's
/// `le` and suffixes left out). Fails the test on a line that is not HELP, TYPE or a sample.
std::map<std::string, family_shape> parse_exposition(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\\]+)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  static const std::regex series(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? \S+)");
  static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*\",?)");
  std::map<std::string, family_shape> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      out[m[1]].type = m[2];
      continue;
    }
    if (!std::regex_match(line, m, series)) {
      BOOST_ERROR("not an exposition line: " << line);
      continue;
    }
    std::string name = m[1];
    if (!out.contains(name))
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (name.ends_with(suffix)) name.resize(name.size() - std::string_view(suffix).size());
    BOOST_TEST(out.contains(name), "a sample before its TYPE line: " << line);
    std::string labels = m[3];
    for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it)
      if ((*it)[1] != "le") out[name].labels.insert((*it)[1]);
  }
  return out;
}

/// The metrics table of docs/operations.md: `| `name`, `name` | type | `label`, ... | what |`.
std::map<std::string, family_shape> documented_families() {
  std::ifstream in(SAGE_DOCS_DIR "/operations.md");
  BOOST_REQUIRE(in);
  static const std::regex quoted("`([^`]+)`");
  std::map<std::string, family_shape> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("| `sage_")) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');)
      cells.push_back(cell);
    BOOST_REQUIRE_GE(cells.size(), 3u);
    family_shape shape;
    shape.type = std::regex_replace(cells[1], std::regex(R"(\s)"), "");
    for (std::sregex_iterator it(cells[2].begin(), cells[2].end(), quoted), end; it != end; ++it)
      shape.labels.insert((*it)[1]);
    for (std::sregex_iterator it(cells[0].begin(), cells[0].end(), quoted), end; it != end; ++it)
      out[(*it)[1]] = shape;
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sage_metrics_tests)

BOOST_AUTO_TEST_CASE(a_fresh_registry_shows_up_build_info_every_budget_level_and_zero_counts) {
  sage_metrics m("1.2.3");
  auto text = m.render();
  BOOST_TEST(contains(text, "# HELP sage_up 1 while the process serves.\n# TYPE sage_up gauge\n"
                            "sage_up 1\n"));
  BOOST_TEST(contains(text, "sage_build_info{version=\"1.2.3\"} 1\n"));
  for (const char* level : {"normal", "caution", "warning", "critical", "overflow"})
    BOOST_TEST(contains(text, std::string("sage_budget_sessions{level=\"") + level + "\"} 0\n"));
  BOOST_TEST(contains(text, "sage_cache_hits_total 0\n"));
  BOOST_TEST(contains(text, "sage_memory_usage_bytes 0\n"));
  // A labelled family shows with its first series, never with invented label values.
  BOOST_TEST(!contains(text, "sage_operation_duration_seconds"));
  BOOST_TEST(!contains(text, "sage_requests_total"));
}

BOOST_AUTO_TEST_CASE(an_operation_counts_by_status_and_observes_its_duration) {
  sage_metrics m;
  m.operation("search", "ok", 0.002);
  m.operation("search", "fallback", 3.0);
  m.error("timed_out");
  auto text = m.render();
  BOOST_TEST(contains(text, "# TYPE sage_operation_duration_seconds histogram\n"));
  BOOST_TEST(contains(text, "sage_operations_total{operation=\"search\",status=\"ok\"} 1\n"));
  BOOST_TEST(contains(text, "sage_operations_total{operation=\"search\",status=\"fallback\"} 1\n"));
  BOOST_TEST(contains(
      text, "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"0.001\"} 0\n"));
  BOOST_TEST(contains(
      text, "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"0.0025\"} 1\n"));
  BOOST_TEST(
      contains(text, "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"5\"} 2\n"));
  BOOST_TEST(contains(
      text, "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"+Inf\"} 2\n"));
  BOOST_TEST(sample(text, "sage_operation_duration_seconds_sum{operation=\"search\"}") == 3.002,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(contains(text, "sage_operation_duration_seconds_count{operation=\"search\"} 2\n"));
  BOOST_TEST(contains(text, "sage_errors_total{kind=\"timed_out\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(durations_have_the_documented_buckets) {
  sage_metrics m;
  m.operation("get", "ok", 0.00001);
  auto text = m.render();
  for (const char* le : {"5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
                         "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"})
    BOOST_TEST(sample(text, std::string("sage_operation_duration_seconds_bucket{operation=\"get\","
                                        "le=\"") +
                                le + "\"}") == 1,
               le);
}

BOOST_AUTO_TEST_CASE(requests_count_by_route_pattern_and_status_code) {
  sage_metrics m;
  m.request("/v1/memory/{id}", 404);
  m.request("/v1/memory/{id}", 404);
  m.request("/v1/memory/{id}", 200);
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_requests_total{route=\"/v1/memory/{id}\",status=\"404\"} 2\n"));
  BOOST_TEST(contains(text, "sage_requests_total{route=\"/v1/memory/{id}\",status=\"200\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(breaker_states_are_zero_one_two) {
  sage_metrics m;
  m.breaker("get", breaker_state::closed);
  m.breaker("search", breaker_state::half_open);
  m.breaker("context", breaker_state::open);
  m.breaker("get", breaker_state::open);
  m.breaker("get", breaker_state::closed); // a gauge: the last state, not a sum
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_breaker_state{breaker=\"get\"} 0\n"));
  BOOST_TEST(contains(text, "sage_breaker_state{breaker=\"search\"} 1\n"));
  BOOST_TEST(contains(text, "sage_breaker_state{breaker=\"context\"} 2\n"));
}

BOOST_AUTO_TEST_CASE(a_session_moves_between_budget_levels_without_being_counted_twice) {
  sage_metrics m;
  m.session_budget_level(std::nullopt, budget_level::normal);
  m.session_budget_level(std::nullopt, budget_level::normal);           // a second session
  m.session_budget_level(budget_level::normal, budget_level::warning);  // the first moves
  m.session_budget_level(budget_level::warning, budget_level::warning); // no change
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_budget_sessions{level=\"normal\"} 1\n"));
  BOOST_TEST(contains(text, "sage_budget_sessions{level=\"warning\"} 1\n"));
  BOOST_TEST(contains(text, "sage_budget_sessions{level=\"overflow\"} 0\n"));
}

BOOST_AUTO_TEST_CASE(snapshots_count_cache_hits_and_misses_and_loads_count_tokens) {
  sage_metrics m;
  m.snapshot_built(180, 4);
  m.snapshot_built(183, 1);
  m.tokens_loaded(1200);
  m.tokens_loaded(4'000'000'000); // beyond 32 bits, still an exact integer
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_cache_hits_total 363\n"));
  BOOST_TEST(contains(text, "sage_cache_misses_total 5\n"));
  BOOST_TEST(contains(text, "sage_tokens_loaded_total 4000001200\n"));
}

BOOST_AUTO_TEST_CASE(the_process_is_read_at_every_render_and_an_unreadable_rss_keeps_its_value) {
  sage_metrics m;
  int calls = 0;
  m.read_process_with([&] {
    ++calls;
    process_reading r;
    if (calls < 3) r.resident_bytes = uint64_t(calls) * 1024;
    r.memory_database_bytes = uint64_t(calls) * 4096;
    return r;
  });
  BOOST_TEST(sample(m.render(), "sage_memory_usage_bytes") == 1024);
  auto second = m.render();
  BOOST_TEST(sample(second, "sage_memory_usage_bytes") == 2048);
  BOOST_TEST(sample(second, "sage_memory_database_bytes") == 8192);
  auto third = m.render(); // no RSS this time
  BOOST_TEST(sample(third, "sage_memory_usage_bytes") == 2048);
  BOOST_TEST(sample(third, "sage_memory_database_bytes") == 12288);
  BOOST_TEST(calls == 3);
}

BOOST_AUTO_TEST_CASE(every_family_has_the_name_type_and_labels_docs_operations_md_lists) {
  sage_metrics m;
  m.operation("search", "ok", 0.01);
  m.error("not_found");
  m.request("/v1/info", 200);
  m.breaker("search", breaker_state::closed);
  auto shown = parse_exposition(m.render());
  auto documented = documented_families();
  BOOST_TEST(documented.size() == 13u);
  for (const auto& [name, shape] : documented) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_REQUIRE(shown.contains(name));
      BOOST_TEST(shown[name] == shape);
    }
  }
  for (const auto& [name, shape] : shown)
    BOOST_TEST(documented.contains(name), name << " is not in docs/operations.md");
}

BOOST_AUTO_TEST_CASE(threads_counting_at_once_give_the_exact_counts) {
  sage_metrics m;
  constexpr int threads = 8;
  constexpr int per_thread = 5000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      // All share one series, and each makes its own: lookups race with creation and renders.
      std::string own = "w" + std::to_string(t);
      for (int i = 0; i < per_thread; ++i) {
        m.operation("search", "ok", i % 2 == 0 ? 0.001 : 2.0);
        m.request(own, 200);
        m.tokens_loaded(1);
        if (i % 1000 == 0) m.render();
      }
    });
  for (auto& t : pool)
    t.join();
  auto text = m.render();
  constexpr double all = threads * per_thread;
  BOOST_TEST(sample(text, "sage_operations_total{operation=\"search\",status=\"ok\"}") == all);
  BOOST_TEST(sample(text, "sage_operation_duration_seconds_count{operation=\"search\"}") == all);
  BOOST_TEST(sample(text, "sage_operation_duration_seconds_bucket{operation=\"search\","
                          "le=\"0.001\"}") == all / 2);
  BOOST_TEST(sample(text, "sage_operation_duration_seconds_sum{operation=\"search\"}") ==
                 all / 2 * 2.001,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sample(text, "sage_tokens_loaded_total") == all);
  for (int t = 0; t < threads; ++t)
    BOOST_TEST(sample(text, "sage_requests_total{route=\"w" + std::to_string(t) +
                                "\",status=\"200\"}") == double{per_thread});
}

BOOST_AUTO_TEST_SUITE_END()
