// `sage serve`'s metrics listener driven with curl: the Prometheus text passes
// `promtool check metrics`, and counters move when MCP clients use the engine.
// SPDX-License-Identifier: MIT
#include "support/child_process.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
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

struct command_result {
  int code = -1;
  std::string out;
};

/// Runs a shell command, stdout and stderr together.
command_result shell(const std::string& cmd) {
  command_result r;
  FILE* pipe = ::popen((cmd + " 2>&1").c_str(), "r");
  BOOST_REQUIRE_MESSAGE(pipe != nullptr, "failed to run " << cmd);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    r.out.append(buf, n);
  int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

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

/// What curl saw.
struct http_reply {
  int status = 0;
  std::string content_type;
  std::string session_id;
  std::string body;
};

http_reply curl(const std::string& args) {
  auto r = shell("curl -s -i --max-time 30 " + args);
  http_reply out;
  auto end = r.out.find("\r\n\r\n");
  BOOST_REQUIRE_MESSAGE(end != std::string::npos, "no HTTP answer to curl " << args << ":\n"
                                                                            << r.out);
  std::istringstream head(r.out.substr(0, end));
  std::string line, version;
  std::getline(head, line);
  std::istringstream(line) >> version >> out.status;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto name = line.substr(0, colon);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(line.find_first_not_of(' ', colon + 1));
    if (name == "content-type") out.content_type = value;
    if (name == "mcp-session-id") out.session_id = value;
  }
  out.body = r.out.substr(end + 4);
  return out;
}

int serial = 0;

/// `sage serve` on free ports in a private HOME; the ports are read from its log lines.
class serve_process : public sage::test::child_process {
public:
  explicit serve_process(const temp_dir& home)
      : child_process(SAGE_BINARY,
                      {"serve", "--port", "0", "--api-port", "0", "--metrics-port", "0"},
                      home.path(), "sage-serve-metrics-" + std::to_string(++serial), home.path(),
                      environment(home.path())),
        home_(home.path()) {
    static const std::regex mcp(R"(listening on (http://127\.0\.0\.1:\d+/mcp))");
    static const std::regex metrics(R"(metrics at (http://127\.0\.0\.1:\d+)/metrics)");
    static const std::regex api(R"(api server listening on (http://127\.0\.0\.1:\d+)/v1)");
    std::smatch m1, m2, m3;
    bool up = wait_until(
        [&] {
          auto e = err();
          return std::regex_search(e, m1, mcp) && std::regex_search(e, m2, metrics) &&
                 std::regex_search(e, m3, api);
        },
        start_limit);
    BOOST_REQUIRE_MESSAGE(up, "`sage serve` did not start; stderr:\n" << err());
    mcp_url_ = m1[1].str();
    metrics_base_ = m2[1].str();
    api_base_ = m3[1].str();
  }

  const std::string& metrics_base() const { return metrics_base_; }
  const std::string& api_base() const { return api_base_; }

  http_reply scrape() { return curl("'" + metrics_base_ + "/metrics'"); }

  /// One MCP request in `session` (empty: none); the body goes through a file.
  http_reply mcp(const std::string& body, const std::string& session = {}) {
    auto file = home_ / ("body-" + std::to_string(++bodies_));
    std::ofstream(file, std::ios::binary) << body;
    std::string args = "-X POST --data-binary @'" + file.string() +
                       "' -H 'Content-Type: application/json' "
                       "-H 'Accept: application/json'"; // answers as JSON, not SSE
    if (!session.empty()) args += " -H 'Mcp-Session-Id: " + session + "'";
    return curl(args + " '" + mcp_url_ + "'");
  }

  std::string open_session() {
    auto r = mcp(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{)"
                 R"("protocolVersion":"2025-11-25","capabilities":{},)"
                 R"("clientInfo":{"name":"metrics_test","version":"1"}}})");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    BOOST_REQUIRE(!r.session_id.empty());
    BOOST_REQUIRE_EQUAL(
        mcp(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", r.session_id).status, 202);
    return r.session_id;
  }

  /// Calls a tool; returns its structured content.
  json call_tool(const std::string& session, const std::string& name, const json& args) {
    json req{{"jsonrpc", "2.0"},
             {"id", ++bodies_},
             {"method", "tools/call"},
             {"params", {{"name", name}, {"arguments", args}}}};
    auto r = mcp(req.dump(), session);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    auto body = json::parse(r.body);
    BOOST_REQUIRE_MESSAGE(body.contains("result") && !body["result"].value("isError", false),
                          name << " failed: " << r.body);
    return body["result"]["structuredContent"];
  }

private:
  fs::path home_;
  std::string mcp_url_, metrics_base_, api_base_;
  int bodies_ = 0;
};

/// The value of the sample `series` (name with labels exactly as rendered); -1 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_http)

BOOST_AUTO_TEST_CASE(metrics_pass_promtool_and_counters_move_with_requests) {
  temp_dir home;
  serve_process server(home);
  auto before = server.scrape();
  BOOST_TEST(before.status == 200);
  BOOST_TEST(before.content_type == "text/plain; version=0.0.4");
  BOOST_TEST(sample(before.body, "sage_up") == 1);
  BOOST_TEST(sample(before.body, "sage_build_info{version=\"" SAGE_TEST_VERSION "\"}") == 1);
  BOOST_TEST(sample(before.body, "sage_breaker_state{breaker=\"search\"}") == 0);
  BOOST_TEST(sample(before.body, "sage_memory_usage_bytes") > 0);
  BOOST_TEST(sample(before.body, "sage_memory_database_bytes") == 0); // nothing written yet
  // The first snapshot came from files or the cache: every file counts as one or the other.
  BOOST_TEST(sample(before.body, "sage_cache_hits_total") +
                 sample(before.body, "sage_cache_misses_total") >
             0);
  const std::string search_ok = "sage_operations_total{operation=\"search\",status=\"ok\"}";
  BOOST_TEST(sample(before.body, search_ok) == -1);

  auto session = server.open_session();
  server.call_tool(session, "search_knowledge", {{"query", "circuit breaker"}});
  server.call_tool(session, "search_knowledge", {{"query", "timeout"}});
  auto loaded = server.call_tool(session, "get_knowledge", {{"target", "core"}});
  auto started = server.call_tool(session, "session_start", {{"objective", "count things"}});
  server.call_tool(session, "memory_add",
                   {{"content", "metrics move"}, {"session_id", started["session"]["id"]}});

  auto after = server.scrape();
  BOOST_REQUIRE_EQUAL(after.status, 200);
  BOOST_TEST(sample(after.body, search_ok) == 2);
  BOOST_TEST(sample(after.body, "sage_operation_duration_seconds_count{operation=\"search\"}") ==
             2);
  BOOST_TEST(sample(after.body,
                    "sage_operation_duration_seconds_bucket{operation=\"search\",le=\"+Inf\"}") ==
             2);
  BOOST_TEST(sample(after.body, "sage_operations_total{operation=\"get\",status=\"ok\"}") == 1);
  BOOST_TEST(sample(after.body, "sage_tokens_loaded_total") == loaded["tokens"].get<double>());
  BOOST_TEST(sample(after.body, "sage_operations_total{operation=\"memory_add\",status=\"ok\"}") ==
             1);
  BOOST_TEST(sample(after.body, "sage_budget_sessions{level=\"normal\"}") == 1);
  BOOST_TEST(sample(after.body, "sage_memory_database_bytes") > 0);

  // promtool reads the exposition from standard input.
  auto file = home.path() / "metrics.txt";
  std::ofstream(file, std::ios::binary) << after.body;
  auto which = shell("command -v promtool");
  BOOST_REQUIRE_MESSAGE(which.code == 0, "promtool is missing: run deploy/install-deps.sh "
                                         "(Debian package prometheus)");
  auto check = shell("promtool check metrics < '" + file.string() + "'");
  BOOST_TEST(check.code == 0, "promtool check metrics:\n" << check.out << "\non:\n" << after.body);

  server.signal(SIGTERM);
  auto code = server.wait(exit_limit);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_engine_error_counts_by_kind) {
  temp_dir home;
  serve_process server(home);
  auto session = server.open_session();
  server.call_tool(session, "search_knowledge", {{"query", "anything"}});
  // A document that does not exist: the tool answers an error result, the engine not_found.
  json req{{"jsonrpc", "2.0"},
           {"id", 99},
           {"method", "tools/call"},
           {"params", {{"name", "get_knowledge"}, {"arguments", {{"target", "no/such/doc.md"}}}}}};
  BOOST_REQUIRE_EQUAL(server.mcp(req.dump(), session).status, 200);
  auto text = server.scrape().body;
  BOOST_TEST(sample(text, "sage_errors_total{kind=\"not_found\"}") == 1, text);
  BOOST_TEST(sample(text, "sage_operations_total{operation=\"get\",status=\"error\"}") == 1);
}

BOOST_AUTO_TEST_CASE(api_requests_count_by_route_pattern_and_api_port_serves_the_same_metrics) {
  temp_dir home;
  serve_process server(home);
  for (int i = 0; i < 2; ++i)
    BOOST_REQUIRE_EQUAL(curl("'" + server.api_base() + "/v1/info'").status, 200);
  BOOST_REQUIRE_EQUAL(
      curl("'" + server.api_base() + "/v1/memory/00000000-0000-4000-8000-000000000000'").status,
      404);
  BOOST_REQUIRE_EQUAL(curl("'" + server.api_base() + "/v1/nothing/here'").status, 404);

  auto text = server.scrape().body;
  BOOST_TEST(sample(text, "sage_requests_total{route=\"/v1/info\",status=\"200\"}") == 2, text);
  // Labelled by the pattern that matched, never by the raw path (one series per id otherwise).
  BOOST_TEST(sample(text, "sage_requests_total{route=\"/v1/memory/{id}\",status=\"404\"}") == 1,
             text);
  BOOST_TEST(sample(text, "sage_requests_total{route=\"unmatched\",status=\"404\"}") == 1, text);
  BOOST_TEST(text.find("00000000-0000") == std::string::npos);

  // server.metrics_on_api (default true): the API port serves the same families.
  auto on_api = curl("'" + server.api_base() + "/metrics'");
  BOOST_TEST(on_api.status == 200);
  BOOST_TEST(on_api.content_type.starts_with("text/plain"));
  BOOST_TEST(sample(on_api.body, "sage_requests_total{route=\"/v1/info\",status=\"200\"}") == 2);
  BOOST_TEST(sample(on_api.body, "sage_up") == 1);
}

BOOST_AUTO_TEST_CASE(only_get_metrics_is_served) {
  temp_dir home;
  serve_process server(home);
  BOOST_TEST(curl("'" + server.metrics_base() + "/other'").status == 404);
  auto post = curl("-X POST --data x '" + server.metrics_base() + "/metrics'");
  BOOST_TEST(post.status == 405);
}

BOOST_AUTO_TEST_CASE(a_metrics_port_in_use_is_a_clear_error) {
  temp_dir home;
  serve_process first(home);
  auto port = first.metrics_base().substr(first.metrics_base().rfind(':') + 1);
  temp_dir other;
  auto r = shell("cd '" + other.path().string() + "' && env HOME='" + other.path().string() +
                 "' SAGE_CACHE_DIR='" + (home.path() / "cache").string() + "' SAGE_DATA_DIR='" +
                 (other.path() / "data").string() +
                 "' timeout 60 '" SAGE_BINARY "' serve --port 0 --api-port 0 " + "--metrics-port " +
                 port + " </dev/null");
  BOOST_TEST(r.code == 1, r.out);
  BOOST_TEST(r.out.find("error: failed to listen on 127.0.0.1:" + port) != std::string::npos,
             r.out);
  BOOST_TEST(r.out.find("--metrics-port") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_SUITE_END()
