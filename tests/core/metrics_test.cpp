// Tests of the text rendering of a prometheus-cpp registry: the exposition lines, escaping,
// histogram buckets and the stable order that render_metrics adds.
// SPDX-License-Identifier: MIT
#include "core/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <boost/test/unit_test.hpp>

#include <limits>
#include <stdexcept>

using namespace sage::core;
using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using buckets = prometheus::Histogram::BucketBoundaries;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_tests)

BOOST_AUTO_TEST_CASE(a_series_without_labels_renders_zero_with_help_and_type) {
  prometheus::Registry r;
  BuildCounter().Name("sage_cache_hits_total").Help("Files reused.").Register(r).Add({});
  BOOST_TEST(render_metrics(r) == "# HELP sage_cache_hits_total Files reused.\n"
                                  "# TYPE sage_cache_hits_total counter\n"
                                  "sage_cache_hits_total 0\n");
}

BOOST_AUTO_TEST_CASE(a_family_shows_once_it_has_a_series) {
  prometheus::Registry r;
  auto& requests = BuildCounter().Name("sage_requests_total").Help("Requests.").Register(r);
  BOOST_TEST(render_metrics(r).empty());
  requests.Add({{"route", "/health"}, {"status", "200"}}).Increment();
  BOOST_TEST(contains(render_metrics(r), "# TYPE sage_requests_total counter\n"));
}

BOOST_AUTO_TEST_CASE(labelled_series_render_with_their_values_and_labels_by_name) {
  prometheus::Registry r;
  auto& requests = BuildCounter().Name("sage_requests_total").Help("Requests.").Register(r);
  requests.Add({{"status", "200"}, {"route", "/v1/search"}}).Increment();
  requests.Add({{"route", "/v1/search"}, {"status", "200"}}).Increment(2); // the same series
  requests.Add({{"route", "/health"}, {"status", "503"}}).Increment();
  auto text = render_metrics(r);
  BOOST_TEST(contains(text, "sage_requests_total{route=\"/v1/search\",status=\"200\"} 3\n"));
  BOOST_TEST(contains(text, "sage_requests_total{route=\"/health\",status=\"503\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
  prometheus::Registry r;
  BuildGauge().Name("g").Help("G.").Register(r).Add({{"v", "back\\slash \"quoted\"\nnext"}}).Set(1);
  BOOST_TEST(contains(render_metrics(r), "g{v=\"back\\\\slash \\\"quoted\\\"\\nnext\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(values_render_as_prometheus_numbers) {
  prometheus::Registry r;
  auto& g = BuildGauge().Name("g").Help("G.").Register(r);
  g.Add({{"v", "quarter"}}).Set(0.25);
  g.Add({{"v", "large"}}).Set(123456789);
  g.Add({{"v", "inf"}}).Set(std::numeric_limits<double>::infinity());
  g.Add({{"v", "minus_inf"}}).Set(-std::numeric_limits<double>::infinity());
  auto text = render_metrics(r);
  BOOST_TEST(contains(text, "g{v=\"quarter\"} 0.25\n"));
  BOOST_TEST(contains(text, "g{v=\"large\"} 123456789\n"));
  BOOST_TEST(contains(text, "g{v=\"inf\"} +Inf\n"));
  BOOST_TEST(contains(text, "g{v=\"minus_inf\"} -Inf\n"));
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_with_inclusive_bounds_inf_sum_and_count) {
  prometheus::Registry r;
  auto& get = BuildHistogram()
                  .Name("d_seconds")
                  .Help("Durations.")
                  .Register(r)
                  .Add({{"op", "get"}}, buckets{0.1, 1, 10});
  get.Observe(0.05);
  get.Observe(0.1); // le is inclusive
  get.Observe(0.5);
  get.Observe(100);
  auto text = render_metrics(r);
  BOOST_TEST(contains(text, "# TYPE d_seconds histogram\n"));
  BOOST_TEST(contains(text, "d_seconds_bucket{op=\"get\",le=\"0.1\"} 2\n"
                            "d_seconds_bucket{op=\"get\",le=\"1\"} 3\n"
                            "d_seconds_bucket{op=\"get\",le=\"10\"} 3\n"
                            "d_seconds_bucket{op=\"get\",le=\"+Inf\"} 4\n"));
  BOOST_TEST(contains(text, "d_seconds_sum{op=\"get\"} 100.65\n"));
  BOOST_TEST(contains(text, "d_seconds_count{op=\"get\"} 4\n"));
}

BOOST_AUTO_TEST_CASE(a_histogram_without_labels_has_only_le) {
  prometheus::Registry r;
  BuildHistogram().Name("h").Help("H.").Register(r).Add({}, buckets{1}).Observe(2);
  auto text = render_metrics(r);
  BOOST_TEST(contains(text, "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\n"));
  BOOST_TEST(contains(text, "h_sum 2\n"));
  BOOST_TEST(contains(text, "h_count 1\n"));
}

BOOST_AUTO_TEST_CASE(families_render_sorted_by_name_and_series_by_labels) {
  prometheus::Registry r;
  // Registered zeta first and as a counter: the registry alone would list it first.
  auto& zeta = BuildCounter().Name("zeta_total").Help("Z.").Register(r);
  BuildGauge().Name("alpha").Help("A.").Register(r).Add({});
  BuildHistogram().Name("mid").Help("M.").Register(r).Add({}, buckets{1});
  for (const char* v : {"d", "b", "c", "a", "e"})
    zeta.Add({{"v", v}}).Increment();
  auto text = render_metrics(r);
  BOOST_TEST(text.find("# HELP alpha") < text.find("# HELP mid"));
  BOOST_TEST(text.find("# HELP mid") < text.find("# HELP zeta_total"));
  BOOST_TEST(contains(text, "zeta_total{v=\"a\"} 1\nzeta_total{v=\"b\"} 1\nzeta_total{v=\"c\"} 1\n"
                            "zeta_total{v=\"d\"} 1\nzeta_total{v=\"e\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(names_prometheus_does_not_accept_throw_before_anything_renders) {
  prometheus::Registry r;
  BOOST_CHECK_THROW(BuildCounter().Name("1abc").Register(r), std::invalid_argument);
  BOOST_CHECK_THROW(BuildCounter().Name("a-b").Register(r), std::invalid_argument);
  auto& ok = BuildCounter().Name("ok_total").Help("OK.").Register(r);
  BOOST_CHECK_THROW(ok.Add({{"__reserved", "x"}}), std::invalid_argument);
  BOOST_CHECK_THROW(ok.Add({{"a-b", "x"}}), std::invalid_argument);
  auto& h = BuildHistogram().Name("h").Help("H.").Register(r);
  BOOST_CHECK_THROW(h.Add({}, buckets{2, 1}), std::invalid_argument);
  BOOST_TEST(render_metrics(r).empty());
}

BOOST_AUTO_TEST_CASE(registering_again_returns_the_same_family_and_another_type_throws) {
  prometheus::Registry r;
  auto& a = BuildCounter().Name("x_total").Help("X.").Register(r);
  BOOST_TEST(&a == &BuildCounter().Name("x_total").Help("X.").Register(r));
  BOOST_CHECK_THROW(BuildGauge().Name("x_total").Help("X.").Register(r), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
