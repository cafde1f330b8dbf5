// Tests of the circuit breaker state machine.
// SPDX-License-Identifier: MIT
#include "core/circuit_breaker.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::core;
using namespace std::chrono_literals;

namespace {

circuit_breaker::clock::time_point t0{};

} // namespace

BOOST_AUTO_TEST_SUITE(circuit_breaker_tests)

BOOST_AUTO_TEST_CASE(three_consecutive_failures_open_it) {
  circuit_breaker b{3, 30s};
  BOOST_TEST(b.allow(t0));
  BOOST_TEST(!b.record_failure(t0).has_value());
  BOOST_TEST(!b.record_failure(t0).has_value());
  auto opened = b.record_failure(t0);
  BOOST_REQUIRE(opened.has_value());
  BOOST_TEST(*opened == breaker_state::open);
  BOOST_TEST(!b.allow(t0 + 29s));
}

BOOST_AUTO_TEST_CASE(a_success_resets_the_count) {
  circuit_breaker b{3, 30s};
  b.record_failure(t0);
  b.record_failure(t0);
  BOOST_TEST(!b.record_success().has_value());
  b.record_failure(t0);
  b.record_failure(t0);
  BOOST_TEST(b.state() == breaker_state::closed);
  BOOST_TEST(b.consecutive_failures() == 2);
}

BOOST_AUTO_TEST_CASE(after_the_pause_one_trial_goes_through) {
  circuit_breaker b{3, 30s};
  for (int i = 0; i < 3; ++i)
    b.record_failure(t0);
  BOOST_TEST(b.allow(t0 + 30s)); // the trial
  BOOST_TEST(b.state() == breaker_state::half_open);
  BOOST_TEST(!b.allow(t0 + 30s)); // only one at a time
  auto closed = b.record_success();
  BOOST_REQUIRE(closed.has_value());
  BOOST_TEST(*closed == breaker_state::closed);
  BOOST_TEST(b.allow(t0 + 31s));
}

BOOST_AUTO_TEST_CASE(a_failed_trial_opens_it_for_another_pause) {
  circuit_breaker b{3, 30s};
  for (int i = 0; i < 3; ++i)
    b.record_failure(t0);
  BOOST_TEST(b.allow(t0 + 30s));
  auto reopened = b.record_failure(t0 + 31s);
  BOOST_REQUIRE(reopened.has_value());
  BOOST_TEST(*reopened == breaker_state::open);
  BOOST_TEST(!b.allow(t0 + 60s)); // the pause counts from the failed trial
  BOOST_TEST(b.allow(t0 + 61s));
}

BOOST_AUTO_TEST_CASE(names_and_bad_thresholds) {
  BOOST_TEST(std::string(to_string(breaker_state::half_open)) == "half_open");
  circuit_breaker b{0, 1s}; // a threshold below 1 means 1
  BOOST_TEST(b.record_failure(t0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
