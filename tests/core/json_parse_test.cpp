// Tests of the bounded JSON parser every outside JSON goes through.
// SPDX-License-Identifier: MIT
#include "core/json_parse.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sage::core;

namespace {

std::string arrays(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_parse)

BOOST_AUTO_TEST_CASE(nesting_75000_deep_is_refused_without_exhausting_the_stack) {
  auto parsed = parse_json(R"({"metadata":)" + arrays(75000) + "}", "request body");
  BOOST_REQUIRE(!parsed);
  BOOST_TEST((parsed.err().problem == json_problem::too_deep));
  BOOST_TEST(parsed.err().message ==
             "the request body nests objects and arrays deeper than 64 levels");
  // Unclosed: refused as soon as level 65 opens.
  std::string objects;
  for (int i = 0; i < 100000; ++i)
    objects += R"({"a":)";
  BOOST_TEST((parse_json(objects, "x").err().problem == json_problem::too_deep));
}

BOOST_AUTO_TEST_CASE(nesting_is_accepted_up_to_64_levels) {
  BOOST_TEST(parse_json(arrays(max_json_depth), "x").has_value());
  BOOST_TEST(!parse_json(arrays(max_json_depth + 1), "x").has_value());
}

BOOST_AUTO_TEST_CASE(a_nul_byte_anywhere_is_a_syntax_error_with_its_offset) {
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  auto parsed = parse_json(ping + std::string("\0GARBAGE", 8), "message");
  BOOST_REQUIRE(!parsed);
  BOOST_TEST((parsed.err().problem == json_problem::syntax));
  BOOST_TEST(parsed.err().offset == ping.size());
  BOOST_TEST(parsed.err().message ==
             "failed to parse message as JSON: it holds a NUL byte at offset " +
                 std::to_string(ping.size()));
  BOOST_TEST(!parse_json(std::string("\0", 1), "x").has_value());
  BOOST_TEST(parse_json(ping, "message").has_value());
}

BOOST_AUTO_TEST_CASE(text_over_the_size_limit_is_refused_before_it_is_read) {
  json_limits limits;
  limits.max_bytes = 10;
  auto parsed = parse_json("[1,2,3,4,5,6]", "line", limits);
  BOOST_REQUIRE(!parsed);
  BOOST_TEST((parsed.err().problem == json_problem::too_large));
  BOOST_TEST(parsed.err().message == "the line is too large: 13 bytes, the limit is 10");
}

BOOST_AUTO_TEST_CASE(syntax_errors_say_where) {
  auto parsed = parse_json(R"({"a":})", "request body");
  BOOST_REQUIRE(!parsed);
  BOOST_TEST((parsed.err().problem == json_problem::syntax));
  BOOST_TEST(parsed.err().message.starts_with(
                 "failed to parse request body as JSON at line 1, column 6: syntax error"),
             parsed.err().message);
  BOOST_TEST(parsed.err().offset == 5u);
}

BOOST_AUTO_TEST_CASE(a_core_error_carries_the_message_and_the_hint) {
  auto parsed = parse_json_as(arrays(100), "metadata", "nest less");
  BOOST_REQUIRE(!parsed);
  BOOST_TEST(parsed.err().code == error_code::parse);
  BOOST_TEST(parsed.err().message == "the metadata nests objects and arrays deeper than 64 levels");
  BOOST_TEST(parsed.err().hint == "nest less");
  BOOST_TEST((*parse_json_as(R"({"a":1})", "metadata", ""))["a"] == 1);
}

BOOST_AUTO_TEST_CASE(a_stored_value_too_deep_reads_as_discarded) {
  BOOST_TEST(parse_stored_json(arrays(100000)).is_discarded());
  BOOST_TEST(parse_stored_json("not json").is_discarded());
  BOOST_TEST(parse_stored_json(arrays(max_json_depth + 1), max_json_depth + 1).is_array());
  BOOST_TEST(parse_stored_json(R"({"a":[1]})").is_object());
}

BOOST_AUTO_TEST_SUITE_END()
