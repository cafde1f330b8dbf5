// The HTTP API of `sage serve` driven with curl: the knowledge routes, the shape of answers and
// errors, the headers every answer carries, and the OpenAPI document against the routes served.
// SPDX-License-Identifier: MIT
#include "support/api_server_process.hpp"

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <set>

using namespace std::chrono_literals;
using nlohmann::json;
using sage::test::api_server_process;
using sage::test::http_reply;
using sage::test::temp_dir;

namespace {

/// One server for the whole suite: starting one per test case would mostly measure start-up.
api_server_process& server() {
  static temp_dir home;
  static api_server_process process(home);
  static bool started = (process.wait_for_listening(), true);
  (void)started;
  return process;
}

void check_error(const http_reply& r, int status, const std::string& code,
                 const std::string& message_part) {
  BOOST_TEST_CONTEXT("status " << r.status << " body " << r.body) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(r.header("content-type").starts_with("application/json"));
    auto body = r.json();
    BOOST_TEST(body["error"]["code"] == code);
    BOOST_TEST(body["error"]["message"].get<std::string>().find(message_part) != std::string::npos);
    BOOST_TEST(body["error"]["details"].is_object());
    BOOST_TEST(body["error"]["details"]["request_id"] == r.header("x-request-id"));
  }
}

void check_load_result(const http_reply& r) {
  BOOST_TEST_CONTEXT("body " << r.body.substr(0, 300)) {
    BOOST_TEST(r.status == 200);
    auto j = r.json();
    for (const char* key : {"content", "tokens", "status", "complete", "sections", "omitted",
                            "budget", "files_loaded", "index"})
      BOOST_TEST(j.contains(key), "missing " << key);
    BOOST_TEST(!j["content"].get<std::string>().empty());
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_api)

BOOST_AUTO_TEST_CASE(health_answers_without_a_key_with_its_components) {
  auto r = server().get("/health");
  BOOST_TEST(r.status == 200);
  auto j = r.json();
  BOOST_TEST(j["status"] == "healthy");
  BOOST_TEST(j["version"].is_string());
  for (const char* c : {"core", "cache", "knowledge", "memory"}) {
    BOOST_TEST(j["components"][c] == "healthy", c);
  }
  // Answered without a key: no check details, which would name file system paths.
  BOOST_TEST(!j.contains("checks"));
}

BOOST_AUTO_TEST_CASE(every_answer_carries_the_security_headers_and_a_request_id) {
  for (const auto& path : {"/health", "/v1/layers", "/v1/nowhere"}) {
    auto r = server().get(path);
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(r.header("x-content-type-options") == "nosniff");
      BOOST_TEST(r.header("x-frame-options") == "DENY");
      BOOST_TEST(r.header("referrer-policy") == "no-referrer");
      BOOST_TEST(r.header("content-security-policy").find("default-src 'none'") !=
                 std::string::npos);
      BOOST_TEST(r.header("cache-control") == "no-store");
      BOOST_TEST(r.header("x-request-id").size() == 36u); // a generated UUID
    }
  }
}

BOOST_AUTO_TEST_CASE(a_sane_request_id_is_echoed_and_anything_else_replaced) {
  auto r = server().get("/v1/layers", {"X-Request-ID: trace-42.a:b_c"});
  BOOST_TEST(r.header("x-request-id") == "trace-42.a:b_c");
  auto odd = server().get("/v1/layers", {"X-Request-ID: has spaces <and> quotes\""});
  BOOST_TEST(odd.header("x-request-id").size() == 36u);
  auto long_id = server().get("/v1/layers", {"X-Request-ID: " + std::string(200, 'a')});
  BOOST_TEST(long_id.header("x-request-id").size() == 36u);
}

BOOST_AUTO_TEST_CASE(knowledge_loads_a_layer_or_a_path_within_a_budget) {
  check_load_result(server().get("/v1/knowledge?layer=core"));
  auto by_path = server().get("/v1/knowledge?path=guidelines/code_style&budget=300");
  check_load_result(by_path);
  BOOST_TEST(by_path.json()["tokens"].get<int>() <= 300);
  BOOST_TEST(by_path.json()["budget"]["limit"] == 300);
  check_load_result(server().get("/v1/knowledge?layer=0")); // layers by number too
}

BOOST_AUTO_TEST_CASE(knowledge_needs_exactly_one_of_layer_and_path) {
  check_error(server().get("/v1/knowledge"), 400, "invalid_argument", "exactly one of");
  check_error(server().get("/v1/knowledge?layer=core&path=core"), 400, "invalid_argument",
              "exactly one of");
  check_error(server().get("/v1/knowledge?layer=core&budget=0"), 400, "invalid_argument",
              "`budget` must be at least 1");
  check_error(server().get("/v1/knowledge?layer=core&budget=lots"), 400, "invalid_argument",
              "expected an integer");
  check_error(server().get("/v1/knowledge?layer=nosuchlayer"), 404, "not_found", "");
}

BOOST_AUTO_TEST_CASE(context_packs_the_knowledge_a_task_needs) {
  auto r = server().send_json(
      "POST", "/v1/context",
      {{"task", "add retries and timeouts to an HTTP client"}, {"budget", 1500}});
  check_load_result(r);
  BOOST_TEST(r.json()["tokens"].get<int>() <= 1500);
}

BOOST_AUTO_TEST_CASE(context_refuses_bad_bodies_with_400_and_415) {
  auto& s = server();
  check_error(s.request("POST", "/v1/context", {"Content-Type: text/plain"}, R"({"task":"x"})"),
              415, "unsupported_media_type", "application/json");
  check_error(s.request("POST", "/v1/context", {}, R"({"task":"x"})"), 415,
              "unsupported_media_type", "application/json");
  check_error(s.request("POST", "/v1/context", {"Content-Type: application/json"}, "{\"task\":"),
              400, "bad_request", "not valid json");
  check_error(s.request("POST", "/v1/context", {"Content-Type: application/json"},
                        "{\"task\":\"caf\xC3\x28\"}"),
              400, "bad_request", "utf-8");
  check_error(s.send_json("POST", "/v1/context", json::object()), 400, "bad_request",
              "missing required argument `task`");
  check_error(s.send_json("POST", "/v1/context", {{"task", "x"}, {"budgett", 5}}), 400,
              "bad_request", "unknown argument `budgett`");
  check_error(s.send_json("POST", "/v1/context", {{"task", "x"}, {"budget", "many"}}), 400,
              "bad_request", "`budget` must be an integer");
  check_error(s.send_json("POST", "/v1/context", {{"task", "   "}}), 400, "invalid_argument",
              "empty task");
  check_error(s.send_json("POST", "/v1/context", json::array({1, 2})), 400, "bad_request",
              "must be an object");
  // The server is still fine.
  BOOST_TEST(s.get("/health").status == 200);
}

BOOST_AUTO_TEST_CASE(search_answers_ranked_hits) {
  auto r = server().get("/v1/search?q=circuit+breaker&limit=3");
  BOOST_TEST(r.status == 200);
  auto j = r.json();
  BOOST_TEST(j["query"] == "circuit breaker");
  BOOST_TEST(j["results"].size() <= 3u);
  BOOST_REQUIRE(!j["results"].empty());
  for (const char* key : {"path", "uri", "title", "section", "layer", "score", "snippet", "tokens"})
    BOOST_TEST(j["results"][0].contains(key), "missing " << key);
  auto layered = server().get("/v1/search?q=timeout&layer=frameworks&layer=guidelines");
  BOOST_TEST(layered.status == 200);
  auto hits = layered.json()["results"];
  for (const auto& hit : hits)
    BOOST_TEST((hit["layer"] == "frameworks" || hit["layer"] == "guidelines"));
}

BOOST_AUTO_TEST_CASE(search_refuses_bad_parameters) {
  auto& s = server();
  check_error(s.get("/v1/search"), 400, "invalid_argument", "`query`: missing");
  check_error(s.get("/v1/search?q=x&limit=51"), 400, "invalid_argument", "at most 50");
  check_error(s.get("/v1/search?q=x&limit=ten"), 400, "invalid_argument", "expected an integer");
  check_error(s.get("/v1/search?q=x&limt=5"), 400, "invalid_argument",
              "unknown query parameter `limt`");
  check_error(s.get("/v1/search?q=x&q=y"), 400, "invalid_argument", "given more than once");
  check_error(s.get("/v1/search?q=%FF%FE"), 400, "invalid_argument", "utf-8");
  check_error(s.get("/v1/search?q=x&layer=nosuchlayer"), 404, "not_found", "unknown layer");
}

BOOST_AUTO_TEST_CASE(layers_and_info_describe_the_knowledge_base) {
  auto layers = server().get("/v1/layers");
  BOOST_TEST(layers.status == 200);
  BOOST_TEST(layers.json()["layers"].is_array());
  auto info = server().get("/v1/info");
  BOOST_TEST(info.status == 200);
  BOOST_TEST(info.json()["documents"].get<int>() > 0);
  BOOST_TEST(info.json()["version"].is_string());
}

BOOST_AUTO_TEST_CASE(named_documents_resolve_by_alias_and_list_without_a_name) {
  check_load_result(server().get("/v1/guidelines/py"));
  check_load_result(server().get("/v1/frameworks/timeouts?budget=400"));
  check_load_result(server().get("/v1/templates/adr"));
  auto list = server().get("/v1/guidelines");
  BOOST_TEST(list.status == 200);
  BOOST_TEST(!list.json()["documents"].empty());
  check_error(server().get("/v1/templates/no-such-template-anywhere"), 404, "not_found", "");
}

BOOST_AUTO_TEST_CASE(path_traversal_in_names_and_paths_is_refused) {
  auto& s = server();
  for (const auto& path :
       {"/v1/guidelines/..%2f..%2fetc%2fpasswd", "/v1/guidelines/..%2F..%2F..%2Fetc%2Fpasswd",
        "/v1/templates/%2fetc%2fpasswd", "/v1/knowledge?path=../../etc/passwd",
        "/v1/knowledge?path=%2fetc%2fpasswd", "/v1/guidelines/../../etc/passwd"}) {
    auto r = s.get(path);
    BOOST_TEST_CONTEXT(path << " -> " << r.status << " " << r.body.substr(0, 200)) {
      BOOST_TEST(r.status >= 400);
      BOOST_TEST(r.status < 500);
      BOOST_TEST(r.body.find("root:") == std::string::npos);
      BOOST_TEST(r.json().contains("error"));
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_routes_get_404_and_wrong_methods_405_with_allow) {
  check_error(server().get("/v1/nowhere"), 404, "not_found", "no route");
  check_error(server().get("/v2/layers"), 404, "not_found", "no route");
  auto r = server().request("DELETE", "/v1/layers");
  check_error(r, 405, "method_not_allowed", "DELETE");
  BOOST_TEST(r.header("allow") == "GET");
  auto memory = server().request("PUT", "/v1/memory/1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  BOOST_TEST(memory.status == 405);
  BOOST_TEST(memory.header("allow") == "DELETE, GET, PATCH");
  auto options = server().request("OPTIONS", "/v1/memory");
  BOOST_TEST(options.status == 204);
  BOOST_TEST(options.header("allow") == "GET, POST, OPTIONS");
}

BOOST_AUTO_TEST_CASE(api_v1_is_an_alias_of_v1) {
  auto a = server().get("/api/v1/layers");
  auto b = server().get("/v1/layers");
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.json() == b.json());
  BOOST_TEST(server().get("/api/v1/search?q=retry").status == 200);
  BOOST_TEST(server().get("/api/health").status == 404); // only /v1 routes have the alias
}

BOOST_AUTO_TEST_CASE(head_answers_like_get_without_a_body) {
  auto r = server().request("HEAD", "/v1/layers", {}, std::nullopt, "-I");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.empty());
}

BOOST_AUTO_TEST_CASE(metrics_are_on_the_api_port_unless_configured_off) {
  auto on = server().get("/metrics");
  BOOST_TEST(on.status == 200);
  BOOST_TEST(on.header("content-type").starts_with("text/plain"));
  BOOST_TEST(on.body.find("sage_up 1") != std::string::npos);

  temp_dir home;
  api_server_process off(home, {}, {"SAGE_SERVER__METRICS_ON_API=false"});
  off.wait_for_listening();
  check_error(off.get("/metrics"), 404, "not_found", "no route");
}

BOOST_AUTO_TEST_SUITE_END()

// -- the OpenAPI document -----------------------------------------------------------------------

namespace {

/// A path of the document with every `{parameter}` filled in with a UUID (every path parameter
/// of the API is an id or a name).
std::string filled(std::string path) {
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    auto close = path.find('}', open);
    path.replace(open, close - open + 1, "1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  }
  return path;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_openapi)

BOOST_AUTO_TEST_CASE(the_document_is_openapi_3_1_with_every_route) {
  auto r = server().get("/v1/openapi.json");
  BOOST_TEST(r.status == 200);
  auto doc = r.json();
  BOOST_TEST(doc["openapi"] == "3.1.0");
  BOOST_TEST(doc["info"]["title"].is_string());
  BOOST_TEST(doc["components"]["securitySchemes"].contains("ApiKey"));
  std::set<std::string> paths;
  for (const auto& [path, item] : doc["paths"].items())
    paths.insert(path);
  for (const char* expected : {"/health",
                               "/v1/knowledge",
                               "/v1/context",
                               "/v1/search",
                               "/v1/layers",
                               "/v1/info",
                               "/v1/guidelines/{name}",
                               "/v1/frameworks/{name}",
                               "/v1/templates/{name}",
                               "/v1/memory",
                               "/v1/memory/{id}",
                               "/v1/sessions",
                               "/v1/sessions/{session_id}",
                               "/v1/sessions/{session_id}/steps",
                               "/v1/sessions/{session_id}/checkpoints",
                               "/v1/sessions/{session_id}/handoff",
                               "/v1/sessions/{session_id}/end",
                               "/v1/checkpoints/{checkpoint_id}/restore",
                               "/v1/budget",
                               "/v1/budget/reservations",
                               "/v1/budget/reservations/{id}/commit",
                               "/v1/budget/reservations/{id}/release",
                               "/v1/events",
                               "/v1/openapi.json"})
    BOOST_TEST(paths.contains(expected), "missing " << expected);
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      BOOST_TEST(operation_ids.insert(op["operationId"].get<std::string>()).second,
                 "operationId used twice: " << op["operationId"]);
      BOOST_TEST(op["responses"].contains("4XX"));
    }
}

BOOST_AUTO_TEST_CASE(every_documented_operation_is_served_at_v1_and_api_v1) {
  auto doc = server().get("/v1/openapi.json").json();
  int probed = 0;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::vector<std::string> targets{filled(path)};
      if (path.starts_with("/v1/")) targets.push_back("/api" + filled(path));
      for (const auto& target : targets) {
        // An empty JSON object as the body: the route answers (400 for what is missing, 404 for
        // the made-up id) rather than "no route" or "method not allowed".
        // A stream is read for a moment: its headers are what this checks.
        bool streams = op["responses"].contains("200") &&
                       op["responses"]["200"]["content"].contains("text/event-stream");
        auto r = op.contains("requestBody") ? server().send_json(upper, target, json::object())
                                            : server().request(upper, target, {}, std::nullopt,
                                                               streams ? "--max-time 2" : "");
        ++probed;
        BOOST_TEST_CONTEXT(upper << " " << target << " -> " << r.status << " "
                                 << r.body.substr(0, 200)) {
          BOOST_TEST(r.status != 405);
          BOOST_TEST(r.status < 500);
          if (r.status == 404)
            BOOST_TEST(r.json()["error"]["message"].get<std::string>().find("no route") ==
                       std::string::npos);
        }
      }
    }
  }
  BOOST_TEST(probed > 40);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_serve)

BOOST_AUTO_TEST_CASE(an_api_port_in_use_is_a_clear_error_not_a_shared_port) {
  // Without SO_REUSEPORT: a second process must not quietly share the port with the first.
  auto port = server().base().substr(server().base().rfind(':') + 1);
  temp_dir home;
  sage::test::child_process second(
      SAGE_BINARY, {"serve", "--api-port", port, "--mcp-port", "0", "--metrics-port", "0"},
      home.path(), "second-serve", home.path(), sage::test::serve_environment(home.path()));
  auto code = second.wait(30s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "a second sage serve took the API port in use");
  BOOST_TEST(*code == 1);
  BOOST_TEST(second.err().find("failed to listen on 127.0.0.1:" + port) != std::string::npos,
             second.err());
  BOOST_TEST(second.err().find("--api-port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_non_loopback_host_without_a_key_is_refused) {
  temp_dir home;
  api_server_process p(home, {"--host", "0.0.0.0"});
  auto code = p.wait(15s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 2);
  BOOST_TEST(p.err().find("refusing to listen on 0.0.0.0") != std::string::npos);
  BOOST_TEST(p.err().find("SAGE_API_KEY") != std::string::npos);
  BOOST_TEST(p.err().find("--allow-remote") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(serve_logs_both_endpoints_and_sigterm_exits_0) {
  temp_dir home;
  api_server_process p(home);
  p.wait_for_listening();
  BOOST_TEST(p.err().find("mcp server listening on http://127.0.0.1:") != std::string::npos);
  BOOST_TEST(p.get("/v1/layers").status == 200);
  p.signal(SIGTERM);
  auto code = p.wait(15s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "`sage serve` did not exit after SIGTERM");
  BOOST_TEST(*code == 0);
  BOOST_TEST(p.err().find("received SIGTERM") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
