// `sage serve` driven over HTTP with curl the way a Streamable HTTP MCP client talks to it:
// sessions, answers, 202s, the HTTP errors of the transport, Origin and Host checks, SIGTERM.
// Streams are in mcp_http_stream_test.cpp, hostile input in mcp_http_hostile_test.cpp.
// SPDX-License-Identifier: MIT
#include "support/serve_process.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <string>

using namespace sage::test::mcp_http;
using sage::test::temp_dir;

BOOST_FIXTURE_TEST_SUITE(mcp_http, server_fixture)

BOOST_AUTO_TEST_CASE(initialize_returns_a_session_id_and_the_negotiated_version) {
  auto r = server.post_json(initialize_body);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.headers["content-type"].starts_with("application/json"));
  BOOST_TEST(r.headers["mcp-session-id"].size() == 36u);
  auto body = r.body_json();
  BOOST_TEST(body["id"] == 1);
  BOOST_TEST(body["result"]["protocolVersion"] == "2025-11-25");
  BOOST_TEST(body["result"]["serverInfo"]["name"] == "sage");
  // Each initialize starts a session of its own.
  BOOST_TEST(server.post_json(initialize_body).headers["mcp-session-id"] !=
             r.headers["mcp-session-id"]);
}

BOOST_AUTO_TEST_CASE(notifications_get_202_without_a_body) {
  auto id = server.post_json(initialize_body).headers["mcp-session-id"];
  auto r = server.post_json(initialized_body, id);
  BOOST_TEST(r.status == 202);
  BOOST_TEST(r.body.empty());
  // A response from the client (to nothing the server asked) is accepted the same way.
  BOOST_TEST(server.post_json(R"({"jsonrpc":"2.0","id":"s1","result":{}})", id).status == 202);
}

BOOST_AUTO_TEST_CASE(tools_list_and_a_tool_call_are_answered_in_the_session) {
  auto id = server.open_session();
  auto list = server.post_json(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", id);
  BOOST_TEST(list.status == 200);
  auto tools = list.body_json()["result"]["tools"];
  BOOST_TEST(tools.size() >= 10u);
  bool has_search = false;
  for (const auto& t : tools)
    has_search = has_search || t["name"] == "search_knowledge";
  BOOST_TEST(has_search);

  // A tool call is deferred to the pool; the POST waits for the answer with its id.
  auto call = server.post_json(R"({"jsonrpc":"2.0","id":"call-3","method":"tools/call","params":)"
                               R"({"name":"search_knowledge","arguments":{"query":"testing"}}})",
                               id, json_accept);
  BOOST_TEST(call.status == 200);
  BOOST_TEST(call.headers["content-type"] == "application/json");
  auto body = call.body_json();
  BOOST_TEST(body["id"] == "call-3");
  BOOST_TEST(body["result"]["content"][0]["text"].get<std::string>().find("results") !=
             std::string::npos);
  BOOST_TEST(body["result"].value("isError", false) == false);

  auto ping = server.post_json(ping_body(4), id);
  BOOST_TEST(ping.status == 200);
  BOOST_TEST(ping.body_json() == json::parse(R"({"jsonrpc":"2.0","id":4,"result":{}})"));
}

BOOST_AUTO_TEST_CASE(a_client_that_accepts_only_sse_gets_one_event) {
  auto id = server.open_session();
  auto r =
      server.post(ping_body(5), {json_type, "Accept: text/event-stream", "Mcp-Session-Id: " + id});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.headers["content-type"].starts_with("text/event-stream"));
  BOOST_TEST(r.body == "event: message\ndata: {\"id\":5,\"jsonrpc\":\"2.0\",\"result\":{}}\n\n");
}

BOOST_AUTO_TEST_CASE(requests_without_a_session_id_get_400) {
  auto r = server.post_json(ping_body(2));
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32600, "missing Mcp-Session-Id");
}

BOOST_AUTO_TEST_CASE(unknown_session_ids_get_404) {
  auto r = server.post_json(ping_body(2), "1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  BOOST_TEST(r.status == 404);
  check_rpc_error(r, -32600, "unknown or ended session");
}

BOOST_AUTO_TEST_CASE(delete_ends_the_session_and_its_id_then_gets_404) {
  auto id = server.open_session();
  auto del = server.curl("-X DELETE", {"Mcp-Session-Id: " + id});
  BOOST_TEST(del.status == 204);
  BOOST_TEST(server.post_json(ping_body(2), id).status == 404);
  BOOST_TEST(server.curl("-X DELETE", {"Mcp-Session-Id: " + id}).status == 404);
}

BOOST_AUTO_TEST_CASE(a_foreign_origin_gets_403) {
  auto r = server.post(initialize_body, {json_type, both_accept, "Origin: http://evil.example"});
  BOOST_TEST(r.status == 403);
  check_rpc_error(r, -32600, "origin not allowed");
  auto local =
      server.post(initialize_body, {json_type, both_accept, "Origin: http://localhost:3000"});
  BOOST_TEST(local.status == 200);
}

BOOST_AUTO_TEST_CASE(a_foreign_host_gets_403_against_dns_rebinding) {
  auto r = server.post(initialize_body, {json_type, both_accept, "Host: evil.example"});
  BOOST_TEST(r.status == 403);
  check_rpc_error(r, -32600, "host not allowed");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_by_content_type_gets_415) {
  auto r = server.post(initialize_body, {"Content-Type: text/plain", both_accept});
  BOOST_TEST(r.status == 415);
  check_rpc_error(r, -32600, "Content-Type must be application/json");
}

BOOST_AUTO_TEST_CASE(an_accept_without_json_or_sse_gets_406) {
  auto r = server.post(initialize_body, {json_type, "Accept: text/html"});
  BOOST_TEST(r.status == 406);
}

BOOST_AUTO_TEST_CASE(an_oversize_body_gets_413) {
  auto r = server.post(std::string((4u << 20) + 1, ' '), {json_type, both_accept});
  BOOST_TEST(r.status == 413);
  check_rpc_error(r, -32600, "too large");
}

BOOST_AUTO_TEST_CASE(garbage_gets_400_with_a_parse_error) {
  auto r = server.post_json("garbage{");
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32700, "failed to parse");
  BOOST_TEST(r.body_json()["id"].is_null());
}

BOOST_AUTO_TEST_CASE(an_unsupported_protocol_version_header_gets_400) {
  auto id = server.open_session();
  auto r = server.post(ping_body(2), {json_type, both_accept, "Mcp-Session-Id: " + id,
                                      "MCP-Protocol-Version: 1900-01-01"});
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32600, "unsupported MCP-Protocol-Version");
  auto ok = server.post(ping_body(3), {json_type, both_accept, "Mcp-Session-Id: " + id,
                                       "MCP-Protocol-Version: 2025-11-25"});
  BOOST_TEST(ok.status == 200);
}

BOOST_AUTO_TEST_CASE(other_methods_get_405_with_the_allowed_ones) {
  auto r = server.curl("-X PUT --data-binary '{}'", {json_type});
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.headers["allow"] == "GET, POST, DELETE");
  check_rpc_error(r, -32600, "PUT is not allowed");
}

BOOST_AUTO_TEST_CASE(sigterm_stops_the_server_with_exit_0) {
  auto id = server.open_session();
  server.signal(SIGTERM);
  auto code = server.wait(exit_limit);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "`sage serve` did not exit after SIGTERM");
  BOOST_TEST(*code == 0);
  BOOST_TEST(server.err().find("received SIGTERM") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mcp_http_options)

BOOST_AUTO_TEST_CASE(a_non_loopback_host_is_refused_without_allow_remote) {
  temp_dir home;
  serve_process server(home, {"serve", "--host", "0.0.0.0", "--port", "0", "--api-port", "0",
                              "--metrics-port", "0"});
  auto code = server.wait(exit_limit);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 2);
  BOOST_TEST(server.err().find("refusing to listen on 0.0.0.0") != std::string::npos);
  BOOST_TEST(server.err().find("--allow-remote") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
