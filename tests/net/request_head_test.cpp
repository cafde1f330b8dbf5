// Tests of reading a request head as sent: values undecoded, controls and smuggling refused.
// SPDX-License-Identifier: MIT
#include "services/net/request_head.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::services::net;
using namespace std::string_literals;

BOOST_AUTO_TEST_SUITE(request_head_reading)

BOOST_AUTO_TEST_CASE(values_are_kept_as_sent) {
  auto h = read_request_head("GET / HTTP/1.1\r\nHost: a\r\nX-API-Key:  abc%41def \r\n\r\n");
  BOOST_TEST(!h.problem);
  BOOST_REQUIRE_EQUAL(h.values("x-api-key").size(), 1u);
  BOOST_TEST(h.values("x-api-key")[0] == "abc%41def");
}

BOOST_AUTO_TEST_CASE(a_control_character_in_a_value_is_refused) {
  auto h = read_request_head("GET / HTTP/1.1\r\nX-API-Key: key\0junk\r\n\r\n"s);
  BOOST_REQUIRE(h.problem);
  BOOST_TEST(h.problem->status == 400);
  BOOST_TEST(h.problem->message.find("X-API-Key holds a control character") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(request_smuggling_shapes_are_refused) {
  auto twice =
      read_request_head("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n");
  BOOST_REQUIRE(twice.problem);
  BOOST_TEST(twice.problem->message.find("more than one Content-Length") != std::string::npos);
  auto both = read_request_head(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n");
  BOOST_REQUIRE(both.problem);
  BOOST_TEST(both.problem->message.find("Transfer-Encoding and Content-Length") !=
             std::string::npos);
  auto odd = read_request_head("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  BOOST_REQUIRE(odd.problem);
  BOOST_TEST(odd.problem->status == 501);
  auto sign = read_request_head("POST / HTTP/1.1\r\nContent-Length: +4\r\n\r\n");
  BOOST_REQUIRE(sign.problem);
  auto hosts = read_request_head("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  BOOST_REQUIRE(hosts.problem);
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_refused) {
  BOOST_TEST(read_request_head("GET / HTTP/1.1\r\nA: b\n\r\n").problem.has_value());
  BOOST_TEST(read_request_head("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n").problem.has_value());
  BOOST_TEST(read_request_head("GET / HTTP/1.1\r\nA : b\r\n\r\n").problem.has_value());
  BOOST_TEST(read_request_head("GET / HTTP/1.1\r\nno colon\r\n\r\n").problem.has_value());
  BOOST_TEST(!read_request_head("GET / HTTP/1.1\r\nA: b\r\nC-D: e\r\n\r\n").problem.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
