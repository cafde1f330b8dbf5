// Tests of SAGE's metric families: names, labels and how each event moves them.
// SPDX-License-Identifier: MIT
#include "core/sage_metrics.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::core;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sage_metrics_tests)

BOOST_AUTO_TEST_CASE(a_fresh_registry_shows_up_build_info_and_every_budget_level) {
  sage_metrics m("1.2.3");
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_up 1\n"));
  BOOST_TEST(contains(text, "sage_build_info{version=\"1.2.3\"} 1\n"));
  for (const char* level : {"normal", "caution", "warning", "critical", "overflow"})
    BOOST_TEST(contains(text, std::string("sage_budget_sessions{level=\"") + level + "\"} 0\n"));
  BOOST_TEST(contains(text, "sage_cache_hits_total 0\n"));
  BOOST_TEST(contains(text, "# TYPE sage_operation_duration_seconds histogram\n"));
}

BOOST_AUTO_TEST_CASE(an_operation_counts_by_status_and_observes_its_duration) {
  sage_metrics m;
  m.operation("search", "ok", 0.002);
  m.operation("search", "fallback", 3.0);
  m.error("timed_out");
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_operations_total{operation=\"search\",status=\"ok\"} 1\n"));
  BOOST_TEST(contains(text, "sage_operations_total{operation=\"search\",status=\"fallback\"} 1\n"));
  BOOST_TEST(contains(
      text, "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"0.0025\"} 1\n"));
  BOOST_TEST(
      contains(text, "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"5\"} 2\n"));
  BOOST_TEST(contains(text, "sage_operation_duration_seconds_count{operation=\"search\"} 2\n"));
  BOOST_TEST(contains(text, "sage_errors_total{kind=\"timed_out\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(requests_count_by_route_pattern_and_status_code) {
  sage_metrics m;
  m.request("/v1/memory/{id}", 404);
  m.request("/v1/memory/{id}", 404);
  BOOST_TEST(
      contains(m.render(), "sage_requests_total{route=\"/v1/memory/{id}\",status=\"404\"} 2\n"));
}

BOOST_AUTO_TEST_CASE(breaker_states_are_zero_one_two) {
  sage_metrics m;
  m.breaker("get", breaker_state::closed);
  m.breaker("search", breaker_state::half_open);
  m.breaker("context", breaker_state::open);
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
}

BOOST_AUTO_TEST_CASE(snapshots_count_cache_hits_and_misses_and_loads_count_tokens) {
  sage_metrics m;
  m.snapshot_built(180, 4);
  m.snapshot_built(183, 1);
  m.tokens_loaded(1200);
  auto text = m.render();
  BOOST_TEST(contains(text, "sage_cache_hits_total 363\n"));
  BOOST_TEST(contains(text, "sage_cache_misses_total 5\n"));
  BOOST_TEST(contains(text, "sage_tokens_loaded_total 1200\n"));
}

BOOST_AUTO_TEST_SUITE_END()
