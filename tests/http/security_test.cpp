// Tests of the API key comparison, where the key is read from, and request ids.
// SPDX-License-Identifier: MIT
#include "services/http/security.hpp"

#include "core/uuid.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::services::http;

BOOST_AUTO_TEST_SUITE(http_security_checks)

BOOST_AUTO_TEST_CASE(only_the_exact_key_matches) {
  BOOST_TEST(key_matches("s3cret", "s3cret"));
  BOOST_TEST(!key_matches("s3cre", "s3cret"));
  BOOST_TEST(!key_matches("s3cret ", "s3cret"));
  BOOST_TEST(!key_matches("S3CRET", "s3cret"));
  BOOST_TEST(!key_matches("", "s3cret"));
  BOOST_TEST(!key_matches("", "")); // no configured key never matches
}

BOOST_AUTO_TEST_CASE(the_key_comes_from_x_api_key_or_a_bearer_token) {
  BOOST_TEST(presented_key("k1", "") == "k1");
  BOOST_TEST(presented_key("", "Bearer k2") == "k2");
  BOOST_TEST(presented_key("", "bearer   k2 ") == "k2");
  BOOST_TEST(presented_key("k1", "Bearer k2") == "k1");
  BOOST_TEST(presented_key("", "Basic k2") == "");
  BOOST_TEST(presented_key("", "Bearer") == "");
  BOOST_TEST(presented_key("", "") == "");
}

BOOST_AUTO_TEST_CASE(sane_request_ids_are_kept_and_others_replaced) {
  BOOST_TEST(request_id_for("abc-123_x.y:z") == "abc-123_x.y:z");
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string("a b"),
                          std::string("a\r\nX-Evil: 1"), std::string("caf\xC3\xA9")}) {
    auto id = request_id_for(bad);
    BOOST_TEST(sage::core::is_uuid(id), "not replaced: " << bad);
  }
  BOOST_TEST(request_id_for(std::string(128, 'a')) == std::string(128, 'a'));
}

BOOST_AUTO_TEST_CASE(cors_allows_listed_origins_or_any_with_a_star) {
  cors_policy none({});
  BOOST_TEST(!none.enabled());
  BOOST_TEST(!none.allow("https://a.example").has_value());
  cors_policy listed({"https://a.example"});
  BOOST_TEST(listed.allow("https://a.example").value() == "https://a.example");
  BOOST_TEST(listed.allow("HTTPS://A.EXAMPLE").value() == "HTTPS://A.EXAMPLE");
  BOOST_TEST(!listed.allow("https://a.example.evil").has_value());
  BOOST_TEST(!listed.allow("").has_value());
  cors_policy any({"*"});
  BOOST_TEST(any.allow("http://x:1").value() == "*");
}

BOOST_AUTO_TEST_SUITE_END()
