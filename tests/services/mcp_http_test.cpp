// `sage serve` driven over HTTP with curl the way a Streamable HTTP MCP client talks to it:
// sessions, answers, 202s, the HTTP errors of the transport, Origin and Host checks, SIGTERM.
// SPDX-License-Identifier: MIT
#include "support/child_process.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using sage::test::temp_dir;

namespace {

/// The process may have to build the index cache of the bundled knowledge base first.
constexpr auto start_limit = 60s;
constexpr auto exit_limit = 15s;

const std::string initialize_body =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"mcp_http_test","version":"1.0"}}})";
const std::string initialized_body = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
const std::string both_accept = "Accept: application/json, text/event-stream";
const std::string json_type = "Content-Type: application/json";

std::string ping_body(int id) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"ping"})";
}

/// What curl saw: the status, the headers (names lower case) and the body.
struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  json body_json() const { return json::parse(body); }
};

std::vector<std::string> environment(const fs::path& home) {
  std::vector<std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view v{*e};
    if (!v.starts_with("SAGE_") && !v.starts_with("HOME=") && !v.starts_with("XDG_DATA_HOME="))
      vars.emplace_back(v);
  }
  vars.push_back("HOME=" + home.string());
  vars.push_back("SAGE_CACHE_DIR=" + (home / "cache").string());
  vars.push_back("SAGE_DATA_DIR=" + (home / "data").string());
  return vars;
}

int serial = 0;

/// `sage serve --port 0` in a private HOME, cache and data folder; the port it took is read
/// from its log line.
class serve_process : public sage::test::child_process {
public:
  explicit serve_process(const temp_dir& home,
                         std::vector<std::string> args = {"serve", "--port", "0"})
      : child_process(SAGE_BINARY, std::move(args), home.path(),
                      "sage-serve-" + std::to_string(++serial), home.path(),
                      environment(home.path())),
        home_(home.path()) {}

  /// Waits for the "listening on" log line; returns the endpoint URL.
  std::string wait_for_listening() {
    static const std::regex listening(R"(listening on (http://127\.0\.0\.1:(\d+)/mcp))");
    std::smatch m;
    bool up = wait_until(
        [&] {
          auto e = err();
          return std::regex_search(e, m, listening);
        },
        start_limit);
    BOOST_REQUIRE_MESSAGE(up, "`sage serve` did not start; stderr:\n" << err());
    url_ = m[1].str();
    return url_;
  }

  const std::string& url() const { return url_; }

  /// POSTs `body` (through a file, so nothing is quoted by the shell) with `headers`.
  http_reply post(const std::string& body, const std::vector<std::string>& headers) {
    auto file = home_ / ("body-" + std::to_string(++requests_));
    std::ofstream(file, std::ios::binary) << body;
    return curl("-X POST --data-binary @'" + file.string() + "'", headers);
  }

  /// POSTs with the headers of a well-behaved client, in session `session_id` when not empty.
  http_reply post_json(const std::string& body, const std::string& session_id = {}) {
    std::vector<std::string> headers{json_type, both_accept};
    if (!session_id.empty()) headers.push_back("Mcp-Session-Id: " + session_id);
    return post(body, headers);
  }

  http_reply curl(const std::string& args, const std::vector<std::string>& headers) {
    // No `Expect: 100-continue` for large bodies: its interim answer is not what is tested.
    std::string cmd = "curl -s -i --max-time 30 -H 'Expect:' " + args;
    for (const auto& h : headers)
      cmd += " -H '" + h + "'";
    cmd += " '" + url_ + "'";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE_MESSAGE(pipe != nullptr, "failed to run curl");
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
      out.append(buf, n);
    ::pclose(pipe);
    return parse(out, cmd);
  }

  /// Initializes a session and sends `notifications/initialized`; returns the session id.
  std::string open_session() {
    auto r = post_json(initialize_body);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    auto id = r.headers["mcp-session-id"];
    BOOST_REQUIRE(!id.empty());
    BOOST_REQUIRE_EQUAL(post_json(initialized_body, id).status, 202);
    return id;
  }

private:
  static http_reply parse(const std::string& text, const std::string& cmd) {
    http_reply r;
    auto end = text.find("\r\n\r\n");
    BOOST_REQUIRE_MESSAGE(end != std::string::npos, "no HTTP answer to " << cmd << ":\n" << text);
    std::istringstream head(text.substr(0, end));
    std::string line, version;
    std::getline(head, line);
    std::istringstream(line) >> version >> r.status;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[name] = value;
    }
    r.body = text.substr(end + 4);
    return r;
  }

  fs::path home_;
  std::string url_;
  int requests_ = 0;
};

struct server_fixture {
  temp_dir home;
  serve_process server{home};
  server_fixture() { server.wait_for_listening(); }
};

/// The error code and message of a JSON-RPC error body.
void check_rpc_error(const http_reply& r, int code, const std::string& message_part) {
  auto body = r.body_json();
  BOOST_TEST_CONTEXT("body " << r.body) {
    BOOST_TEST(body["error"]["code"].get<int>() == code);
    BOOST_TEST(body["error"]["message"].get<std::string>().find(message_part) != std::string::npos);
  }
}

} // namespace

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
                               id);
  BOOST_TEST(call.status == 200);
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

BOOST_AUTO_TEST_CASE(get_gets_405_since_there_is_no_server_stream) {
  auto r = server.curl("", {"Accept: text/event-stream"});
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.headers["allow"] == "POST, DELETE");
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
  serve_process server(home, {"serve", "--host", "0.0.0.0", "--port", "0"});
  auto code = server.wait(exit_limit);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 2);
  BOOST_TEST(server.err().find("refusing to listen on 0.0.0.0") != std::string::npos);
  BOOST_TEST(server.err().find("--allow-remote") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
