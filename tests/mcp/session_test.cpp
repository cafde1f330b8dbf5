// Tests of the MCP session: lifecycle, version negotiation, dispatch, failure containment and
// deferred answers.
// SPDX-License-Identifier: MIT
#include "mcp/session_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;

BOOST_FIXTURE_TEST_SUITE(session_tests, session_fixture)

// -- before initialize --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ping_before_initialize_is_answered_with_an_empty_result) {
  auto s = make_session();
  auto answer = answer_of(s, request_text("ping", 1));
  BOOST_TEST(answer == json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})"));
  BOOST_TEST(s.state() == session_state::awaiting_initialize);
}

BOOST_AUTO_TEST_CASE(a_request_before_initialize_is_refused) {
  srv->register_method("tools/list", [](const json&, request_context&) -> handler_result {
    return json{{"tools", json::array()}};
  });
  auto s = make_session();
  auto answer = answer_of(s, request_text("tools/list", 2));
  check_error(answer, error_code::invalid_request,
              "the session is not initialized; send initialize first");
  BOOST_TEST(answer["id"] == 2);
  BOOST_TEST(answer["error"]["data"]["method"] == "tools/list");
  check_error(answer_of(s, request_text("no/such", 3)), error_code::invalid_request,
              "the session is not initialized; send initialize first");
}

BOOST_AUTO_TEST_CASE(notifications_before_initialize_are_ignored_without_answer) {
  auto s = make_session();
  BOOST_TEST(!s.handle(notification_text("notifications/initialized")));
  BOOST_TEST(!s.handle(notification_text("notifications/cancelled")));
  BOOST_TEST(s.state() == session_state::awaiting_initialize);
  BOOST_TEST(rec.logged_event("ignored notification"));
}

// -- initialize ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(initialize_with_2025_06_18_is_answered_with_2025_06_18) {
  auto s = make_session();
  auto answer = answer_of(s, initialize_text("2025-06-18", 1));
  BOOST_TEST(answer["id"] == 1);
  const auto& result = answer["result"];
  BOOST_TEST(result["protocolVersion"] == "2025-06-18");
  BOOST_TEST(s.protocol_version().value() == "2025-06-18");
  BOOST_TEST(s.state() == session_state::initializing);
  BOOST_TEST(s.client_info()["name"] == "test-client");
  BOOST_TEST(s.client_capabilities()["roots"]["listChanged"] == true);
}

BOOST_AUTO_TEST_CASE(initialize_answers_server_info_instructions_and_no_capabilities) {
  auto s = make_session();
  auto result = answer_of(s, initialize_text("2025-11-25"))["result"];
  BOOST_TEST(result["protocolVersion"] == "2025-11-25");
  BOOST_TEST(result["serverInfo"]["name"] == "sage");
  BOOST_TEST(result["serverInfo"]["version"] == SAGE_VERSION);
  BOOST_TEST(!result["serverInfo"]["title"].get<std::string>().empty());
  auto instructions = result["instructions"].get<std::string>();
  BOOST_TEST(!instructions.empty());
  BOOST_TEST(instructions.size() < 300);
  // Nothing is registered, so nothing is claimed.
  BOOST_TEST(result["capabilities"] == json::object());
}

BOOST_AUTO_TEST_CASE(an_unsupported_version_is_answered_with_the_latest) {
  for (std::string asked : {"2024-11-05", "2025-03-26", "banana", ""}) {
    auto s = make_session();
    auto result = answer_of(s, initialize_text(asked))["result"];
    BOOST_TEST(result["protocolVersion"] == "2025-11-25");
    BOOST_TEST(s.protocol_version().value() == "2025-11-25");
  }
  BOOST_TEST(rec.logged_event("client asked for an unsupported protocol revision"));
}

BOOST_AUTO_TEST_CASE(negotiation_keeps_supported_versions_and_replaces_others) {
  BOOST_TEST(negotiate_protocol_version("2025-06-18") == "2025-06-18");
  BOOST_TEST(negotiate_protocol_version("2025-11-25") == "2025-11-25");
  BOOST_TEST(negotiate_protocol_version("2026-01-01") == "2025-11-25");
  BOOST_TEST(latest_protocol_version == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(initialize_twice_is_refused_and_keeps_the_first_agreement) {
  auto s = make_session();
  answer_of(s, initialize_text("2025-06-18", 1));
  auto again = answer_of(s, initialize_text("2025-11-25", 2));
  check_error(again, error_code::invalid_request,
              "the session is already initialized; send initialize once per session");
  BOOST_TEST(again["id"] == 2);
  BOOST_TEST(s.protocol_version().value() == "2025-06-18");
  BOOST_TEST(!s.handle(notification_text("notifications/initialized")));
  check_error(answer_of(s, initialize_text("2025-11-25", 3)), error_code::invalid_request,
              "the session is already initialized; send initialize once per session");
}

BOOST_AUTO_TEST_CASE(initialize_with_bad_params_is_invalid_params_naming_the_field) {
  auto s = make_session();
  auto good = json::parse(initialize_text("2025-11-25"));
  auto with = [&](auto change) {
    auto m = good;
    change(m["params"]);
    return serialize(m);
  };
  struct bad_case {
    std::string text;
    std::string message;
  };
  std::vector<bad_case> cases{
      {request_text("initialize", 1, json::object()),
       "invalid initialize params: protocolVersion is missing"},
      {with([](json& p) { p["protocolVersion"] = 20251125; }),
       "invalid initialize params: protocolVersion must be a string"},
      {with([](json& p) { p.erase("capabilities"); }),
       "invalid initialize params: capabilities is missing"},
      {with([](json& p) { p["capabilities"] = json::array(); }),
       "invalid initialize params: capabilities must be an object"},
      {with([](json& p) { p.erase("clientInfo"); }),
       "invalid initialize params: clientInfo is missing"},
      {with([](json& p) { p["clientInfo"] = "me"; }),
       "invalid initialize params: clientInfo must be an object"},
      {with([](json& p) { p["clientInfo"].erase("name"); }),
       "invalid initialize params: clientInfo.name is missing"},
      {with([](json& p) { p["clientInfo"]["version"] = 1; }),
       "invalid initialize params: clientInfo.version must be a string"},
  };
  for (const auto& c : cases) {
    auto answer = answer_of(s, c.text);
    check_error(answer, error_code::invalid_params, c.message);
    BOOST_TEST(s.state() == session_state::awaiting_initialize);
  }
  BOOST_TEST(answer_of(s, with([](json& p) { p["clientInfo"]["name"] = 7; }))["error"]["data"] ==
             json::parse(R"({"field":"clientInfo.name"})"));
  // A failed initialize can be retried.
  BOOST_TEST(answer_of(s, initialize_text("2025-11-25")).contains("result"));
}

BOOST_AUTO_TEST_CASE(initialize_without_params_is_invalid_params) {
  auto s = make_session();
  check_error(answer_of(s, R"({"jsonrpc":"2.0","id":1,"method":"initialize"})"),
              error_code::invalid_params, "invalid initialize params: protocolVersion is missing");
}

// -- after initialize ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_initialized_notification_gets_no_answer_and_makes_the_session_ready) {
  auto s = make_session();
  answer_of(s, initialize_text("2025-11-25"));
  BOOST_TEST(!s.handle(notification_text("notifications/initialized")).has_value());
  BOOST_TEST(s.state() == session_state::ready);
  BOOST_TEST(!s.handle(notification_text("notifications/initialized")).has_value());
  BOOST_TEST(s.state() == session_state::ready);
}

BOOST_AUTO_TEST_CASE(observers_hear_of_a_session_once_when_it_becomes_ready) {
  std::vector<std::shared_ptr<session_notifier>> heard;
  srv->observe_sessions([&heard](const auto& n) { heard.push_back(n); });
  srv->observe_sessions([](const auto&) { throw std::runtime_error("injected observer failure"); });
  auto s = make_session();
  answer_of(s, initialize_text("2025-11-25"));
  BOOST_TEST(heard.empty()); // initialize alone: the client may not take notifications yet
  s.handle(notification_text("notifications/initialized"));
  s.handle(notification_text("notifications/initialized"));
  BOOST_REQUIRE(heard.size() == 1u);
  BOOST_TEST(heard[0] == s.notifier());
  BOOST_TEST(rec.logged_event("failed to announce the session"));
  BOOST_TEST(answer_of(s, request_text("ping", 2)).contains("result")); // the session goes on
  BOOST_CHECK_THROW(srv->observe_sessions(nullptr), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(requests_are_served_between_initialize_and_initialized) {
  // Over HTTP the initialized notification and the next request may arrive in either order.
  srv->register_method("x/echo",
                       [](const json& p, request_context&) -> handler_result { return p; });
  auto s = make_session();
  answer_of(s, initialize_text("2025-11-25"));
  BOOST_TEST(answer_of(s, request_text("x/echo", 5, {{"a", 1}}))["result"] ==
             json::parse(R"({"a":1})"));
}

BOOST_AUTO_TEST_CASE(ping_after_initialize_echoes_string_and_integer_ids_with_their_type) {
  auto s = ready_session();
  auto by_string = answer_of(s, R"({"jsonrpc":"2.0","id":"1","method":"ping"})");
  BOOST_TEST(serialize(by_string) == R"({"id":"1","jsonrpc":"2.0","result":{}})");
  auto by_number = answer_of(s, R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  BOOST_TEST(serialize(by_number) == R"({"id":1,"jsonrpc":"2.0","result":{}})");
}

BOOST_AUTO_TEST_CASE(an_unknown_method_is_method_not_found_naming_it) {
  auto s = ready_session();
  auto answer = answer_of(s, request_text("tools/frobnicate", 8));
  check_error(answer, error_code::method_not_found, "method not found: tools/frobnicate");
  BOOST_TEST(answer["id"] == 8);
  BOOST_TEST(answer["error"]["data"]["method"] == "tools/frobnicate");
}

BOOST_AUTO_TEST_CASE(unknown_notifications_are_ignored_without_answer) {
  auto s = ready_session();
  BOOST_TEST(!s.handle(notification_text("notifications/roots/list_changed")).has_value());
  BOOST_TEST(!s.handle(notification_text("whatever")).has_value());
  BOOST_TEST(rec.logged_event("ignored notification"));
  BOOST_TEST(answer_of(s, request_text("ping", 1)).contains("result"));
}

BOOST_AUTO_TEST_CASE(a_response_from_the_client_gets_no_answer) {
  auto s = ready_session();
  BOOST_TEST(!s.handle(R"({"jsonrpc":"2.0","id":"s-1","result":{}})").has_value());
  BOOST_TEST(rec.logged_event("ignored response from the client"));
}

BOOST_AUTO_TEST_CASE(malformed_messages_are_answered_and_the_session_goes_on) {
  auto s = ready_session();
  auto batch = answer_of(s, "[" + request_text("ping", 1) + "]");
  check_error(batch, error_code::invalid_request,
              "batches are not supported: send one JSON-RPC message at a time (MCP removed "
              "JSON-RPC batching in revision 2025-06-18)");
  BOOST_TEST(batch["id"].is_null());
  BOOST_TEST(answer_of(s, "{\"jsonrpc\"")["error"]["code"] == -32700);
  auto by_array = answer_of(s, R"({"jsonrpc":"2.0","id":4,"method":"ping","params":[]})");
  BOOST_TEST(by_array["error"]["code"] == -32602);
  BOOST_TEST(by_array["id"] == 4);
  BOOST_TEST(answer_of(s, request_text("ping", 5)).contains("result"));
}

BOOST_AUTO_TEST_CASE(sessions_of_one_server_keep_their_own_lifecycle) {
  auto first = ready_session();
  auto second = make_session();
  BOOST_TEST(first.state() == session_state::ready);
  BOOST_TEST(second.state() == session_state::awaiting_initialize);
  BOOST_TEST(!second.protocol_version().has_value());
}

// -- handlers -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_handler_gets_its_params_and_the_session_context) {
  json seen;
  srv->register_method("x/inspect", [&](const json& p, request_context& ctx) -> handler_result {
    seen = json{{"params", p},
                {"id", to_json(ctx.id)},
                {"method", ctx.method},
                {"version", ctx.protocol_version},
                {"roots", ctx.client_capabilities["roots"]}};
    return json::object();
  });
  auto s = ready_session();
  answer_of(s, request_text("x/inspect", 12, {{"q", "text"}}));
  BOOST_TEST(seen == json::parse(R"({"params":{"q":"text"},"id":12,"method":"x/inspect",
                                     "version":"2025-11-25","roots":{"listChanged":true}})"));
}

BOOST_AUTO_TEST_CASE(a_handler_error_is_sent_with_the_request_id) {
  srv->register_method("x/strict", [](const json&, request_context&) -> handler_result {
    return make_error(error_code::invalid_params, "q is missing", json{{"field", "q"}});
  });
  auto s = ready_session();
  auto answer = answer_of(s, request_text("x/strict", 3));
  check_error(answer, error_code::invalid_params, "q is missing");
  BOOST_TEST(answer["id"] == 3);
  BOOST_TEST(answer["error"]["data"]["field"] == "q");
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_gets_internal_error_and_the_next_request_works) {
  int calls = 0;
  srv->register_method("x/boom", [&](const json&, request_context&) -> handler_result {
    if (++calls == 1) throw std::runtime_error("secret path /home/user/.ssh");
    return json{{"calls", calls}};
  });
  auto s = ready_session();
  auto failed = answer_of(s, request_text("x/boom", 1));
  check_error(failed, error_code::internal_error,
              "internal error while handling x/boom; the server goes on");
  BOOST_TEST(failed["id"] == 1);
  BOOST_TEST(failed.dump().find("secret") == std::string::npos);
  BOOST_TEST(rec.logged_event("failed to handle request"));
  BOOST_TEST(answer_of(s, request_text("x/boom", 2))["result"]["calls"] == 2);
  BOOST_TEST(answer_of(s, request_text("ping", 3)).contains("result"));
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_a_non_exception_gets_internal_error) {
  srv->register_method("x/odd", [](const json&, request_context&) -> handler_result { throw 42; });
  auto s = ready_session();
  check_error(answer_of(s, request_text("x/odd", 1)), error_code::internal_error,
              "internal error while handling x/odd; the server goes on");
}

BOOST_AUTO_TEST_CASE(a_result_that_is_not_an_object_is_an_internal_error) {
  srv->register_method("x/array", [](const json&, request_context&) -> handler_result {
    return json::array({1, 2});
  });
  auto s = ready_session();
  check_error(answer_of(s, request_text("x/array", 1)), error_code::internal_error,
              "internal error while handling x/array; the server goes on");
}

BOOST_AUTO_TEST_CASE(a_notification_handler_runs_and_its_failure_is_contained) {
  std::vector<json> seen;
  srv->register_notification("notifications/cancelled",
                             [&](const json& p, const notification_context& ctx) {
                               seen.push_back(p);
                               BOOST_TEST(ctx.protocol_version == "2025-11-25");
                               if (p.contains("fail")) throw std::runtime_error("bad");
                             });
  auto s = ready_session();
  auto text = [](json params) {
    return serialize(
        json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", params}});
  };
  BOOST_TEST(!s.handle(text({{"requestId", 4}})).has_value());
  BOOST_TEST(!s.handle(text({{"fail", true}})).has_value());
  BOOST_TEST(seen.size() == 2u);
  BOOST_TEST(seen.front()["requestId"] == 4);
  BOOST_TEST(rec.logged_event("failed to handle notification"));
  BOOST_TEST(answer_of(s, request_text("ping", 1)).contains("result"));
}

// -- deferred answers ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_deferred_request_is_answered_later_through_the_sink_once) {
  std::optional<responder> kept;
  srv->register_method("x/slow", [&](const json&, request_context& ctx) -> handler_result {
    kept = ctx.reply;
    return deferred{};
  });
  auto s = ready_session();
  BOOST_TEST(!s.handle(request_text("x/slow", 21)).has_value());
  BOOST_TEST(rec.sent.empty());
  BOOST_TEST(!kept->answered());
  BOOST_TEST(kept->result({{"done", true}}));
  BOOST_TEST(!kept->result({{"done", "again"}}));
  BOOST_TEST(!kept->error(make_error(error_code::internal_error, "late")));
  BOOST_REQUIRE(rec.sent.size() == 1u);
  BOOST_TEST(rec.sent[0] == json::parse(R"({"jsonrpc":"2.0","id":21,"result":{"done":true}})"));
  BOOST_TEST(kept->answered());
}

BOOST_AUTO_TEST_CASE(a_deferred_request_can_be_answered_from_another_thread) {
  std::vector<std::thread> workers;
  srv->register_method("x/async", [&](const json& p, request_context& ctx) -> handler_result {
    workers.emplace_back([reply = ctx.reply, n = p.value("n", 0)] {
      reply.result({{"n", n * 2}});
    });
    return deferred{};
  });
  auto s = ready_session();
  BOOST_TEST(!s.handle(request_text("x/async", 1, {{"n", 2}})).has_value());
  BOOST_TEST(!s.handle(request_text("x/async", 2, {{"n", 5}})).has_value());
  BOOST_TEST(answer_of(s, request_text("ping", 3)).contains("result"));
  for (auto& w : workers)
    w.join();
  std::lock_guard lock{rec.mutex};
  BOOST_REQUIRE(rec.sent.size() == 2u);
  for (const auto& m : rec.sent)
    BOOST_TEST(m["result"]["n"] == (m["id"] == 1 ? 4 : 10));
}

BOOST_AUTO_TEST_CASE(a_deferred_request_that_is_dropped_gets_an_internal_error) {
  srv->register_method("x/forgetful", [](const json&, request_context&) -> handler_result {
    return deferred{}; // keeps no responder
  });
  auto s = ready_session();
  BOOST_TEST(!s.handle(request_text("x/forgetful", 31)).has_value());
  BOOST_REQUIRE(rec.sent.size() == 1u);
  check_error(rec.sent[0], error_code::internal_error,
              "the server dropped the request without answering");
  BOOST_TEST(rec.sent[0]["id"] == 31);
}

BOOST_AUTO_TEST_CASE(deferring_without_a_sink_is_an_internal_error_at_once) {
  srv->register_method("x/slow",
                       [](const json&, request_context&) -> handler_result { return deferred{}; });
  auto s = ready_session(false);
  check_error(answer_of(s, request_text("x/slow", 1)), error_code::internal_error,
              "internal error while handling x/slow; the server goes on");
  BOOST_TEST(rec.sent.empty());
}

BOOST_AUTO_TEST_CASE(a_handler_that_answered_through_the_responder_is_not_answered_twice) {
  srv->register_method("x/both", [](const json&, request_context& ctx) -> handler_result {
    ctx.reply.result({{"via", "responder"}});
    return json{{"via", "return"}};
  });
  auto s = ready_session();
  BOOST_TEST(!s.handle(request_text("x/both", 1)).has_value());
  BOOST_REQUIRE(rec.sent.size() == 1u);
  BOOST_TEST(rec.sent[0]["result"]["via"] == "responder");
}

BOOST_AUTO_TEST_SUITE_END()
