// Tests of matching requests to routes and of reading their parameters.
// SPDX-License-Identifier: MIT
#include "services/http/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace sage::services::http;

namespace {

route_table sample_table() {
  route_table t;
  auto ok = [](const call&) -> sage::core::result<reply> { return json_reply({}); };
  t.add({.method = "GET", .pattern = "/v1/things", .handle = ok});
  t.add({.method = "POST", .pattern = "/v1/things", .handle = ok});
  t.add({.method = "GET",
         .pattern = "/v1/things/{id}",
         .parameters = {path_param("id", "the id"),
                        query_param("limit", integer_schema(1, 50), "at most this many"),
                        query_param("tag", texts_schema(3), "tags"),
                        query_param("all", boolean_schema(), "all of them"),
                        query_param("mode", enum_schema({"a", "b"}), "a mode", true)},
         .handle = ok});
  t.add({.method = "DELETE", .pattern = "/v1/things/{id}", .handle = ok});
  t.add({.method = "GET", .pattern = "/health", .handle = ok});
  return t;
}

std::multimap<std::string, std::string>
query(std::initializer_list<std::pair<const std::string, std::string>> items) {
  return {items};
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_router)

BOOST_AUTO_TEST_CASE(routes_match_by_method_and_pattern) {
  auto t = sample_table();
  router r(t);
  auto m = r.find("GET", "/v1/things/42?limit=3");
  BOOST_REQUIRE(m.found != nullptr);
  BOOST_TEST(m.found->pattern == "/v1/things/{id}");
  BOOST_TEST(m.path_values.at("id") == "42");
  BOOST_TEST(r.find("POST", "/v1/things").found->method == "POST");
  BOOST_TEST(r.find("HEAD", "/health").found->pattern == "/health");
  BOOST_TEST(r.find("GET", "/v1/things/").found == nullptr);
  BOOST_TEST(r.find("GET", "/v1/things/1/2").found == nullptr);
  BOOST_TEST(r.find("GET", "/v1/nothing").allowed.empty());
}

BOOST_AUTO_TEST_CASE(api_v1_is_the_same_route_and_only_for_v1) {
  auto t = sample_table();
  router r(t);
  BOOST_TEST(r.find("GET", "/api/v1/things/7").found->pattern == "/v1/things/{id}");
  BOOST_TEST(r.find("GET", "/api/health").found == nullptr);
  BOOST_TEST(r.find("GET", "/api/v2/things").found == nullptr);
}

BOOST_AUTO_TEST_CASE(a_path_with_other_methods_lists_them) {
  auto t = sample_table();
  router r(t);
  auto m = r.find("PUT", "/v1/things/7");
  BOOST_TEST(m.found == nullptr);
  BOOST_TEST(m.allowed == (std::vector<std::string>{"DELETE", "GET"}));
  BOOST_TEST(r.methods_at("/v1/things?x=1") == (std::vector<std::string>{"GET", "POST"}));
}

BOOST_AUTO_TEST_CASE(an_encoded_slash_stays_inside_its_segment) {
  auto t = sample_table();
  router r(t);
  auto m = r.find("GET", "/v1/things/..%2f..%2fetc%2fpasswd");
  BOOST_REQUIRE(m.found != nullptr);
  BOOST_TEST(m.path_values.at("id") == "../../etc/passwd");
  BOOST_TEST(r.find("GET", "/v1/things/../../etc/passwd").found == nullptr);
}

BOOST_AUTO_TEST_CASE(parameters_are_converted_to_their_types) {
  auto t = sample_table();
  const auto& r = t.routes()[2];
  auto p = read_parameters(
      r, {{"id", "a b"}},
      query({{"limit", "5"}, {"tag", "x"}, {"tag", "y"}, {"all", "true"}, {"mode", "a"}}));
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST((*p)["id"] == "a b");
  BOOST_TEST((*p)["limit"] == 5);
  BOOST_TEST((*p)["tag"] == json::array({"x", "y"}));
  BOOST_TEST((*p)["all"] == true);
  BOOST_TEST(!read_parameters(r, {{"id", "1"}}, query({{"mode", "b"}}))->contains("limit"));
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_errors_naming_them) {
  auto t = sample_table();
  const auto& r = t.routes()[2];
  auto message = [&](std::multimap<std::string, std::string> q) {
    auto p = read_parameters(r, {{"id", "1"}}, q);
    BOOST_REQUIRE(!p.has_value());
    BOOST_TEST(p.err().code == sage::core::error_code::invalid_argument);
    return p.err().message;
  };
  BOOST_TEST(message(query({})) == "invalid parameter `mode`: missing");
  BOOST_TEST(message(query({{"mode", "c"}})).find("`mode` must be one of") != std::string::npos);
  BOOST_TEST(message(query({{"mode", "a"}, {"limit", "x"}})) ==
             "invalid parameter `limit`: expected an integer, got \"x\"");
  BOOST_TEST(message(query({{"mode", "a"}, {"limit", "99"}})).find("at most 50") !=
             std::string::npos);
  BOOST_TEST(message(query({{"mode", "a"}, {"limit", "1"}, {"limit", "2"}})) ==
             "invalid parameter `limit`: given more than once");
  BOOST_TEST(message(query({{"mode", "a"}, {"all", "maybe"}})).find("true or false") !=
             std::string::npos);
  BOOST_TEST(message(query({{"mode", "a"}, {"tag", "1"}, {"tag", "2"}, {"tag", "3"}, {"tag", "4"}}))
                 .find("at most 3") != std::string::npos);
  BOOST_TEST(message(query({{"mode", "\xFF"}})).find("utf-8") != std::string::npos);
  BOOST_TEST(message(query({{"mode", "a"}, {"limitt", "1"}})).find("unknown query parameter") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
