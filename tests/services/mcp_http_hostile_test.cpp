// `sage serve` fed hostile input over HTTP with curl: each gets a clear error, and the server
// answers the next request as if nothing happened.
// SPDX-License-Identifier: MIT
#include "support/serve_process.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <string>

using namespace sage::test::mcp_http;

namespace {

struct hostile_fixture : server_fixture {
  std::string session = server.open_session();

  /// The server still answers a ping in the session.
  void check_still_serving(int id = 999) {
    auto r = server.post_json(ping_body(id), session);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body_json() == json({{"jsonrpc", "2.0"}, {"id", id}, {"result", json::object()}}));
  }

  /// POSTs `body` in the session, answered as JSON.
  http_reply post(const std::string& body) { return server.post_json(body, session, json_accept); }
};

std::string read_resource(int id, const std::string& uri) {
  return request_body(id, "resources/read", {{"uri", uri}});
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(mcp_http_hostile, hostile_fixture)

BOOST_AUTO_TEST_CASE(garbage_bytes_get_a_parse_error) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i)
    garbage.push_back(static_cast<char>((i * 7919 + 13) % 256));
  auto r = post(garbage);
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32700, "failed to parse message");
  BOOST_TEST(r.body_json()["id"].is_null());
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(truncated_json_gets_a_parse_error) {
  auto r = post(R"({"jsonrpc":"2.0","id":1,"method":"pi)");
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32700, "failed to parse message as JSON");
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(a_64_mib_body_gets_413_and_the_server_goes_on) {
  auto file = server.home() / "huge.json";
  {
    std::ofstream out(file, std::ios::binary);
    std::string block(1 << 20, ' ');
    for (int i = 0; i < 64; ++i)
      out << block;
  }
  auto r = server.curl("-X POST --data-binary @'" + file.string() + "'",
                       {json_type, json_accept, "Mcp-Session-Id: " + session});
  BOOST_TEST(r.status == 413);
  check_rpc_error(r, -32600, "too large");
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_recursion) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" +
                     std::string(100000, '[') + std::string(100000, ']') + "}}";
  auto r = post(deep);
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32600, "nests objects and arrays deeper than 64 levels");
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(a_nul_byte_after_a_valid_message_gets_a_parse_error) {
  // The JSON parser takes a NUL for the end of the input: this was a valid ping.
  const std::string ping = ping_body(7);
  auto r = post(ping + std::string("\0GARBAGE", 8));
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32700, "holds a NUL byte at offset " + std::to_string(ping.size()));
  BOOST_TEST(r.body_json()["id"].is_null());
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(invalid_utf8_gets_a_parse_error_with_the_offset) {
  auto r =
      post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xc3\x28\"}}");
  BOOST_TEST(r.status == 400);
  check_rpc_error(r, -32700, "not valid UTF-8");
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(batches_and_non_objects_are_invalid_requests) {
  auto batch = post("[" + ping_body(1) + "," + ping_body(2) + "]");
  BOOST_TEST(batch.status == 400);
  check_rpc_error(batch, -32600, "batches are not supported");
  auto number = post("42");
  BOOST_TEST(number.status == 400);
  check_rpc_error(number, -32600, "must be a JSON object");
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(wrong_param_types_get_invalid_params) {
  auto name = post(request_body(1, "tools/call", {{"name", 5}}));
  BOOST_TEST(name.status == 200);
  check_rpc_error(name.answer(), -32602, "name is missing or not a string");
  auto arguments =
      post(request_body(2, "tools/call", {{"name", "search_knowledge"}, {"arguments", "x"}}));
  check_rpc_error(arguments.answer(), -32602, "arguments must be an object");
  auto level = post(request_body(3, "logging/setLevel", {{"level", 7}}));
  check_rpc_error(level.answer(), -32602, "level must be one of");
  // Arguments of the wrong type reach the tool's schema check: a tool error, not a crash.
  auto query = post(
      request_body(4, "tools/call", {{"name", "search_knowledge"}, {"arguments", {{"query", 5}}}}));
  BOOST_TEST(query.answer()["result"]["isError"] == true);
  BOOST_TEST(query.answer()["result"]["content"][0]["text"].get<std::string>().find(
                 "invalid arguments for search_knowledge") != std::string::npos);
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(an_unknown_tool_and_an_unknown_method_are_named_in_the_error) {
  auto tool =
      post(request_body(1, "tools/call", {{"name", "rm_rf"}, {"arguments", json::object()}}));
  check_rpc_error(tool.answer(), -32602, "unknown tool: rm_rf; call tools/list");
  auto method = post(request_body(2, "tools/destroy", json::object()));
  check_rpc_error(method.answer(), -32601, "method not found: tools/destroy");
  check_still_serving();
}

BOOST_AUTO_TEST_CASE(resource_uris_that_climb_out_of_the_knowledge_base_are_refused) {
  int id = 0;
  for (const std::string uri :
       {"knowledge://x/../../etc/passwd", "knowledge://%2e%2e/%2e%2e/etc/passwd",
        "knowledge://x/%2E%2E/%2E%2E/etc/passwd", "knowledge://../../../../etc/passwd",
        "file:///etc/passwd", "knowledge://x/..%2f..%2fetc%2fpasswd"}) {
    BOOST_TEST_CONTEXT("uri " << uri) {
      auto r = post(read_resource(++id, uri));
      BOOST_TEST(r.status == 200);
      auto answer = r.answer();
      BOOST_TEST(answer.contains("error"));
      BOOST_TEST(r.body.find("root:") == std::string::npos);
    }
  }
  check_still_serving();
}

BOOST_AUTO_TEST_SUITE_END()

/// A server whose rate limit is off (./sage.yaml in its working folder), for floods that
/// measure correctness, not the limit.
struct unlimited_fixture {
  sage::test::temp_dir home;
  bool configured = [this] {
    std::ofstream(home.path() / "sage.yaml")
        << "server:\n  rate_limit:\n    requests_per_second: 0\n";
    return true;
  }();
  serve_process server{home};
  std::string session = (server.wait_for_listening(), server.open_session());

  void check_still_serving(int id = 999) {
    auto r = server.post_json(ping_body(id), session);
    BOOST_TEST(r.status == 200);
  }
};

BOOST_FIXTURE_TEST_SUITE(mcp_http_flood, unlimited_fixture)

BOOST_AUTO_TEST_CASE(a_flood_of_pings_gets_every_answer_right) {
  constexpr int count = 2000;
  auto dir = server.home() / "flood";
  fs::create_directories(dir);
  // One curl, eight transfers at a time over reused connections, one answer file per ping.
  auto config = server.home() / "flood.curlrc";
  {
    std::ofstream out(config);
    for (int i = 1; i <= count; ++i) {
      std::string body = ping_body(i);
      std::string quoted;
      for (char c : body)
        quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
      out << "url = \"" << server.url() << "\"\n"
          << "header = \"" << json_type << "\"\n"
          << "header = \"" << json_accept << "\"\n"
          << "header = \"Mcp-Session-Id: " << session << "\"\n"
          << "data-binary = \"" << quoted << "\"\n"
          << "output = \"" << (dir / ("r-" + std::to_string(i))).string() << "\"\n"
          << "write-out = \"%{http_code}\\n\"\n"
          << "max-time = 60\n";
      if (i < count) out << "next\n";
    }
  }
  std::string cmd = "curl -s --parallel --parallel-max 8 -K '" + config.string() + "' 2>/dev/null";
  std::string statuses;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(pipe != nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    statuses.append(buf, n);
  ::pclose(pipe);

  int ok = 0;
  std::istringstream lines(statuses);
  for (std::string line; std::getline(lines, line);)
    ok += line == "200";
  BOOST_TEST(ok == count);
  int right = 0;
  for (int i = 1; i <= count; ++i) {
    auto text = sage::test::slurp(dir / ("r-" + std::to_string(i)));
    auto answer = json::parse(text, nullptr, false);
    right += answer == json({{"jsonrpc", "2.0"}, {"id", i}, {"result", json::object()}});
  }
  BOOST_TEST(right == count);
  check_still_serving();
}

BOOST_AUTO_TEST_SUITE_END()
