// Tests of the MCP server: the method table, capability assembly and identity.
// SPDX-License-Identifier: MIT
#include "mcp/session_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;

BOOST_AUTO_TEST_SUITE(server_tests)

BOOST_AUTO_TEST_CASE(capabilities_follow_the_registered_methods_and_declarations) {
  server srv;
  auto noop = [](const json&, request_context&) -> handler_result { return json::object(); };
  BOOST_TEST(srv.capabilities() == json::object());
  srv.register_method("tools/list", noop);
  srv.register_method("tools/call", noop);
  srv.register_method("resources/read", noop);
  srv.register_method("completion/complete", noop);
  srv.register_method("x/private", noop);
  srv.declare_capability("tools", {{"listChanged", true}});
  srv.declare_capability("resources", {{"subscribe", true}});
  srv.declare_capability("resources", {{"listChanged", false}});
  BOOST_TEST(srv.capabilities() == json::parse(R"({
    "tools": {"listChanged": true},
    "resources": {"subscribe": true, "listChanged": false},
    "completions": {}
  })"));
}

BOOST_AUTO_TEST_CASE(capabilities_are_sent_in_the_initialize_answer) {
  auto srv = std::make_shared<server>();
  srv->register_method("prompts/list", [](const json&, request_context&) -> handler_result {
    return json{{"prompts", json::array()}};
  });
  srv->register_method("logging/setLevel", [](const json&, request_context&) -> handler_result {
    return json::object();
  });
  session s{srv};
  auto answer = s.handle(initialize_text("2025-11-25"));
  BOOST_REQUIRE(answer.has_value());
  BOOST_TEST((*answer)["result"]["capabilities"] == json::parse(R"({"prompts":{},"logging":{}})"));
}

BOOST_AUTO_TEST_CASE(lifecycle_names_empty_names_and_duplicates_cannot_be_registered) {
  server srv;
  auto noop = [](const json&, request_context&) -> handler_result { return json::object(); };
  BOOST_CHECK_THROW(srv.register_method("initialize", noop), std::invalid_argument);
  BOOST_CHECK_THROW(srv.register_method("ping", noop), std::invalid_argument);
  BOOST_CHECK_THROW(srv.register_notification("notifications/initialized",
                                              [](const json&, const notification_context&) {}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(srv.register_method("", noop), std::invalid_argument);
  BOOST_CHECK_THROW(srv.register_method("x/none", method_handler{}), std::invalid_argument);
  srv.register_method("x/once", noop);
  BOOST_CHECK_THROW(srv.register_method("x/once", noop), std::invalid_argument);
  BOOST_TEST(srv.find_method("x/once") != nullptr);
  BOOST_TEST(srv.find_method("x/other") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_custom_identity_is_sent_and_empty_parts_are_left_out) {
  auto srv = std::make_shared<server>(server_identity{"other", "", "9.9", ""});
  session s{srv};
  auto result = (*s.handle(initialize_text("2025-06-18")))["result"];
  BOOST_TEST(result["serverInfo"] == json::parse(R"({"name":"other","version":"9.9"})"));
  BOOST_TEST(!result.contains("instructions"));
}

BOOST_AUTO_TEST_SUITE_END()
