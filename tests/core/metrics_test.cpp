// Tests of the metrics registry and its Prometheus text rendering.
// SPDX-License-Identifier: MIT
#include "core/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace sage::core;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_tests)

BOOST_AUTO_TEST_CASE(a_family_without_labels_renders_zero_with_help_and_type) {
  metrics_registry r;
  r.counter("sage_cache_hits_total", "Files reused from the index cache.");
  BOOST_TEST(r.render() == "# HELP sage_cache_hits_total Files reused from the index cache.\n"
                           "# TYPE sage_cache_hits_total counter\n"
                           "sage_cache_hits_total 0\n");
}

BOOST_AUTO_TEST_CASE(labelled_series_appear_once_used_with_their_values) {
  metrics_registry r;
  auto& requests = r.counter("sage_requests_total", "Requests.", {"route", "status"});
  BOOST_TEST(!contains(r.render(), "sage_requests_total{"));
  requests.with({"/v1/search", "200"}).inc();
  requests.with({"/v1/search", "200"}).inc(2);
  requests.with({"/health", "503"}).inc();
  auto text = r.render();
  BOOST_TEST(contains(text, "sage_requests_total{route=\"/v1/search\",status=\"200\"} 3\n"));
  BOOST_TEST(contains(text, "sage_requests_total{route=\"/health\",status=\"503\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped_and_help_too) {
  metrics_registry r;
  r.gauge("g", "a \\ help\nover two lines", {"v"}).with({"back\\slash \"quoted\"\nnext"}).set(1);
  auto text = r.render();
  BOOST_TEST(contains(text, "# HELP g a \\\\ help\\nover two lines\n"));
  BOOST_TEST(contains(text, "g{v=\"back\\\\slash \\\"quoted\\\"\\nnext\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_and_end_with_inf_sum_and_count) {
  metrics_registry r;
  auto& h = r.histogram("d_seconds", "Durations.", {"op"}, {0.1, 1, 10});
  auto& get = h.with({"get"});
  get.observe(0.05);
  get.observe(0.1); // le is inclusive
  get.observe(0.5);
  get.observe(100);
  auto text = r.render();
  BOOST_TEST(contains(text, "# TYPE d_seconds histogram\n"
                            "d_seconds_bucket{op=\"get\",le=\"0.1\"} 2\n"
                            "d_seconds_bucket{op=\"get\",le=\"1\"} 3\n"
                            "d_seconds_bucket{op=\"get\",le=\"10\"} 3\n"
                            "d_seconds_bucket{op=\"get\",le=\"+Inf\"} 4\n"
                            "d_seconds_sum{op=\"get\"} 100.65\n"
                            "d_seconds_count{op=\"get\"} 4\n"));
}

BOOST_AUTO_TEST_CASE(a_histogram_without_labels_has_only_le) {
  metrics_registry r;
  r.histogram("h", "H.", {}, {1}).with({}).observe(2);
  auto text = r.render();
  BOOST_TEST(contains(text, "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\nh_count 1\n"));
}

BOOST_AUTO_TEST_CASE(values_render_as_prometheus_numbers) {
  BOOST_TEST(format_metric_value(0.25) == "0.25");
  BOOST_TEST(format_metric_value(3) == "3");
  BOOST_TEST(format_metric_value(123456789) == "123456789");
  BOOST_TEST(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
  BOOST_TEST(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  BOOST_TEST(format_metric_value(std::nan("")) == "NaN");
  auto b = exponential_buckets(0.001, 10, 3);
  BOOST_TEST(b.size() == 3u);
  BOOST_TEST(b[2] == 0.1, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(families_render_sorted_by_name) {
  metrics_registry r;
  r.gauge("zeta", "Z.");
  r.counter("alpha_total", "A.");
  auto text = r.render();
  BOOST_TEST(text.find("alpha_total") < text.find("zeta"));
}

BOOST_AUTO_TEST_CASE(registering_again_returns_the_same_family_and_a_clash_throws) {
  metrics_registry r;
  auto& a = r.counter("x_total", "X.", {"kind"});
  BOOST_TEST(&a == &r.counter("x_total", "X.", {"kind"}));
  BOOST_CHECK_THROW(r.counter("x_total", "X.", {"other"}), std::logic_error);
  BOOST_CHECK_THROW(r.gauge("x_total", "X.", {"kind"}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(names_prometheus_does_not_accept_throw) {
  metrics_registry r;
  BOOST_CHECK_THROW(r.counter("1abc", "bad"), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("a-b", "bad"), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("ok_total", "bad", {"__reserved"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("ok_total", "bad", {"a", "a"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.histogram("h", "bad", {"le"}, {1}), std::invalid_argument);
  BOOST_CHECK_THROW(r.histogram("h", "bad", {}, {2, 1}), std::invalid_argument);
  BOOST_CHECK_THROW(r.histogram("h", "bad", {}, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_wrong_number_of_label_values_throws) {
  metrics_registry r;
  auto& f = r.counter("y_total", "Y.", {"a", "b"});
  BOOST_CHECK_THROW(f.with({"only one"}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(collectors_run_before_every_render) {
  metrics_registry r;
  auto& g = r.gauge("sage_memory_usage_bytes", "Resident memory.");
  int calls = 0;
  r.on_collect([&] { g.with({}).set(++calls * 1024); });
  BOOST_TEST(contains(r.render(), "sage_memory_usage_bytes 1024\n"));
  BOOST_TEST(contains(r.render(), "sage_memory_usage_bytes 2048\n"));
}

BOOST_AUTO_TEST_CASE(threads_counting_at_once_give_the_exact_sum) {
  metrics_registry r;
  auto& counts = r.counter("c_total", "C.", {"worker"});
  auto& hist = r.histogram("h_seconds", "H.", {"op"}, {0.5, 1.5});
  auto& gauge = r.gauge("g", "G.");
  constexpr int threads = 8;
  constexpr int per_thread = 20000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      // Half share one series, half make their own: lookups race with creation.
      std::string own = "w" + std::to_string(t);
      for (int i = 0; i < per_thread; ++i) {
        counts.with({"shared"}).inc();
        counts.with({own}).inc();
        hist.with({"op"}).observe(i % 2 == 0 ? 1.0 : 2.0);
        gauge.with({}).add(1);
      }
    });
  for (auto& t : pool)
    t.join();
  BOOST_TEST(counts.with({"shared"}).value() == uint64_t{threads * per_thread});
  for (int t = 0; t < threads; ++t)
    BOOST_TEST(counts.with({"w" + std::to_string(t)}).value() == uint64_t{per_thread});
  auto reading = hist.with({"op"}).read();
  BOOST_TEST(reading.count == uint64_t{threads * per_thread});
  BOOST_TEST(reading.cumulative[0] == 0u);
  BOOST_TEST(reading.cumulative[1] == uint64_t{threads * per_thread / 2});
  BOOST_TEST(reading.sum == 1.5 * threads * per_thread);
  BOOST_TEST(gauge.with({}).value() == double{threads * per_thread});
  BOOST_TEST(counts.series().size() == size_t{threads + 1});
}

BOOST_AUTO_TEST_SUITE_END()
