// Tests of the Host and Origin reading shared by the API and the MCP endpoint: names that only
// look like loopback, userinfo, ports and IPv6 brackets.
// SPDX-License-Identifier: MIT
#include "services/net/host_check.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::services::net;

BOOST_AUTO_TEST_SUITE(host_check)

BOOST_AUTO_TEST_CASE(loopback_is_an_address_or_exactly_localhost) {
  for (auto host :
       {"127.0.0.1", "127.5.6.7", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"})
    BOOST_TEST(is_loopback_host(host), host);
  for (auto host : {"127.0.0.1.evil.com", "127.evil.com", "127.0.0.1.nip.io", "[::1].evil.com",
                    "localhost.evil.com", "evil.com", "128.0.0.1", "127.1", "0x7f000001", "", "::2",
                    "::ffff:10.0.0.1", "127.0.0.1/8"})
    BOOST_TEST(!is_loopback_host(host), host);
}

BOOST_AUTO_TEST_CASE(an_authority_is_host_and_port_and_nothing_else) {
  BOOST_TEST(host_of_authority("127.0.0.1:8001").value() == "127.0.0.1");
  BOOST_TEST(host_of_authority("[::1]:8001").value() == "::1");
  BOOST_TEST(host_of_authority("LocalHost").value() == "localhost");
  BOOST_TEST(!host_of_authority("127.0.0.1@evil.com"));
  BOOST_TEST(!host_of_authority("evil.com/127.0.0.1"));
  BOOST_TEST(!host_of_authority("127.0.0.1:80:80"));
  BOOST_TEST(!host_of_authority("127.0.0.1:port"));
  BOOST_TEST(!host_of_authority("[::1].evil.com"));
  BOOST_TEST(!host_of_authority("[evil.com]"));
  BOOST_TEST(!host_of_authority(""));
  BOOST_TEST(!host_of_authority("127.0.0.1%2eevil.com"));
}

BOOST_AUTO_TEST_CASE(an_origin_is_http_or_https_and_an_authority) {
  BOOST_TEST(host_of_origin("http://127.0.0.1:3000").value() == "127.0.0.1");
  BOOST_TEST(host_of_origin("https://[::1]").value() == "::1");
  BOOST_TEST(!host_of_origin("http://127.0.0.1@evil.com"));
  BOOST_TEST(host_of_origin("http://127.0.0.1.evil.com").value() == "127.0.0.1.evil.com");
  BOOST_TEST(!host_of_origin("null"));
  BOOST_TEST(!host_of_origin("file://"));
  BOOST_TEST(!host_of_origin("ftp://127.0.0.1"));
  BOOST_TEST(!host_of_origin("http://127.0.0.1/path"));
}

BOOST_AUTO_TEST_CASE(a_loopback_only_policy_serves_loopback_and_allowed_hosts) {
  host_policy p(true, {"Sage.Internal"});
  for (auto host : {"127.0.0.1:8000", "localhost:8000", "[::1]:8000", "sage.internal", ""})
    BOOST_TEST(p.host_allowed(host), host);
  for (auto host : {"127.0.0.1.evil.com", "127.evil.com:8000", "127.0.0.1.nip.io", "evil.com",
                    "[::1].evil.com", "127.0.0.1@evil.com", "sage.internal.evil.com"})
    BOOST_TEST(!p.host_allowed(host), host);
  host_policy open(false, {});
  BOOST_TEST(open.host_allowed("evil.com"));
}

BOOST_AUTO_TEST_CASE(writes_from_pages_are_allowed_from_loopback_allowed_or_listed_origins) {
  host_policy p(true, {"sage.internal"});
  BOOST_TEST(p.origin_allowed("http://localhost:3000"));
  BOOST_TEST(p.origin_allowed("http://sage.internal"));
  BOOST_TEST(p.origin_allowed("https://dash.example.com", {"https://dash.example.com"}));
  BOOST_TEST(!p.origin_allowed("http://evil.com"));
  BOOST_TEST(!p.origin_allowed("http://127.0.0.1.evil.com"));
  BOOST_TEST(!p.origin_allowed("http://127.0.0.1@evil.com"));
  BOOST_TEST(!p.origin_allowed("null"));
}

BOOST_AUTO_TEST_SUITE_END()
