// Tests of the per-client token buckets, with the clock given, so nothing waits.
// SPDX-License-Identifier: MIT
#include "services/net/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>

using sage::services::net::rate_limiter;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(rate_limiter_buckets)

BOOST_AUTO_TEST_CASE(a_burst_passes_then_the_client_waits_for_the_next_token) {
  rate_limiter limiter(0.5, 2); // one token every 2 s, two at once
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  BOOST_TEST(limiter.take("a", t0) == 0);
  BOOST_TEST(limiter.take("a", t0) == 0);
  BOOST_TEST(limiter.take("a", t0) == 2);            // whole seconds until the next token
  BOOST_TEST(limiter.take("a", t0 + 1s) == 1);       // half a token there: one more second
  BOOST_TEST(limiter.take("a", t0 + 2s + 1ms) == 0); // recovered
  BOOST_TEST(limiter.take("a", t0 + 2s + 2ms) >= 1);
}

BOOST_AUTO_TEST_CASE(clients_have_buckets_of_their_own) {
  rate_limiter limiter(1, 1);
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  BOOST_TEST(limiter.take("a", t0) == 0);
  BOOST_TEST(limiter.take("a", t0) == 1);
  BOOST_TEST(limiter.take("b", t0) == 0);
}

BOOST_AUTO_TEST_CASE(a_bucket_never_holds_more_than_the_burst) {
  rate_limiter limiter(10, 3);
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  BOOST_TEST(limiter.take("a", t0) == 0);
  auto later = t0 + 1h; // would be 36000 tokens without the cap
  int passed = 0;
  while (limiter.take("a", later) == 0 && passed < 10)
    ++passed;
  BOOST_TEST(passed == 3);
}

BOOST_AUTO_TEST_CASE(zero_per_second_turns_limiting_off) {
  rate_limiter limiter(0, 1);
  BOOST_TEST(!limiter.enabled());
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(limiter.take("a") == 0);
  BOOST_TEST(limiter.tracked() == 0u);
}

BOOST_AUTO_TEST_CASE(full_buckets_of_one_off_clients_are_forgotten) {
  rate_limiter limiter(100, 1);
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i)
    limiter.take("client-" + std::to_string(i), t0);
  BOOST_TEST(limiter.tracked() == 1000u);
  // A second later every bucket is full again; the next sweep drops them.
  for (int i = 0; i < 100; ++i)
    limiter.take("other", t0 + 1s);
  BOOST_TEST(limiter.tracked() < 10u);
}

BOOST_AUTO_TEST_SUITE_END()
