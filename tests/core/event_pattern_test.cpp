// Tests of event-type glob patterns.
// SPDX-License-Identifier: MIT
#include "core/event_pattern.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

using sage::core::event_matches;

BOOST_AUTO_TEST_SUITE(event_pattern)

BOOST_AUTO_TEST_CASE(stars_and_question_marks) {
  BOOST_TEST(event_matches("*", "loader.changed"));
  BOOST_TEST(event_matches("*", ""));
  BOOST_TEST(event_matches("loader.*", "loader.changed"));
  BOOST_TEST(event_matches("loader.*", "loader."));
  BOOST_TEST(!event_matches("loader.*", "search.start"));
  BOOST_TEST(event_matches("*.error", "search.error"));
  BOOST_TEST(!event_matches("*.error", "search.errors"));
  BOOST_TEST(event_matches("timeout.?xceeded", "timeout.exceeded"));
  BOOST_TEST(!event_matches("timeout.?xceeded", "timeout.xceeded"));
  BOOST_TEST(event_matches("*.*", "a.b"));
  BOOST_TEST(!event_matches("*.*", "ab"));
  BOOST_TEST(event_matches("a*b*c", "axxbyyc"));
  BOOST_TEST(!event_matches("a*b*c", "axxbyy"));
  BOOST_TEST(event_matches("system.startup", "system.startup"));
  BOOST_TEST(!event_matches("system.startup", "System.startup")); // case-sensitive
  BOOST_TEST(!event_matches("", "x"));
  BOOST_TEST(event_matches("", ""));
}

BOOST_AUTO_TEST_CASE(hostile_patterns_do_not_backtrack_exponentially) {
  std::string pattern(2000, '*');
  pattern += "b";
  std::string type(100000, 'a');
  BOOST_TEST(!event_matches(pattern, type)); // naive recursion would never finish
  BOOST_TEST(!event_matches("*a*a*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
  BOOST_TEST(event_matches(pattern, type + "b"));
}

BOOST_AUTO_TEST_SUITE_END()
