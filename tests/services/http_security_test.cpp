// What stands in front of the HTTP API's routes, driven with curl against `sage serve`: the API
// key (X-API-Key and Bearer), per-client rate limiting with recovery, body and header size
// limits, and CORS.
// SPDX-License-Identifier: MIT
#include "support/api_server_process.hpp"

#include <boost/test/unit_test.hpp>
#include <thread>

using namespace std::chrono_literals;
using sage::test::api_server_process;
using sage::test::http_reply;
using sage::test::temp_dir;

namespace {

const std::string key = "s3cret-key-for-tests";

/// A server whose configuration (`./sage.yaml` in its working directory) is `yaml`, with
/// `env` added to its environment.
struct configured_server {
  temp_dir home;
  api_server_process process;

  explicit configured_server(const std::string& yaml, std::vector<std::string> env = {})
      : process((home.write("sage.yaml", yaml), home), {}, std::move(env)) {
    process.wait_for_listening();
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(http_auth)

BOOST_AUTO_TEST_CASE(routes_need_the_key_as_x_api_key_or_bearer) {
  configured_server s("", {"SAGE_API_KEY=" + key});
  auto& p = s.process;
  auto missing = p.get("/v1/layers");
  BOOST_TEST(missing.status == 401);
  BOOST_TEST(missing.error_code() == "unauthorized");
  BOOST_TEST(missing.header("www-authenticate").starts_with("Bearer"));
  BOOST_TEST(p.get("/v1/layers", {"X-API-Key: wrong"}).status == 401);
  BOOST_TEST(p.get("/v1/layers", {"X-API-Key: " + key + "x"}).status == 401);
  BOOST_TEST(p.get("/v1/layers", {"X-API-Key: " + key.substr(0, 5)}).status == 401);
  BOOST_TEST(p.get("/v1/layers", {"Authorization: Bearer wrong"}).status == 401);
  BOOST_TEST(p.get("/v1/layers", {"Authorization: Basic " + key}).status == 401);
  BOOST_TEST(p.get("/v1/layers", {"X-API-Key: " + key}).status == 200);
  BOOST_TEST(p.get("/v1/layers", {"Authorization: Bearer " + key}).status == 200);
  BOOST_TEST(p.get("/v1/layers", {"Authorization: bearer " + key}).status == 200);
  BOOST_TEST(p.get("/api/v1/layers", {"X-API-Key: " + key}).status == 200);
  // Unknown routes do not tell strangers which paths exist.
  BOOST_TEST(p.get("/v1/nowhere").status == 401);
  BOOST_TEST(p.get("/v1/nowhere", {"X-API-Key: " + key}).status == 404);
  // Writes need it too.
  BOOST_TEST(p.send_json("POST", "/v1/memory", {{"content", "x"}}).status == 401);
}

BOOST_AUTO_TEST_CASE(health_stays_open_with_a_key) {
  configured_server s("", {"SAGE_API_KEY=" + key});
  auto r = s.process.get("/health");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.json()["status"] == "healthy");
}

BOOST_AUTO_TEST_CASE(the_key_can_come_from_the_configuration_file) {
  configured_server s("server:\n  api_key: " + key + "\n");
  BOOST_TEST(s.process.get("/v1/info").status == 401);
  BOOST_TEST(s.process.get("/v1/info", {"X-API-Key: " + key}).status == 200);
}

BOOST_AUTO_TEST_CASE(the_key_protects_the_mcp_endpoint_too) {
  configured_server s("", {"SAGE_API_KEY=" + key});
  auto& p = s.process;
  const std::string initialize =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{},"clientInfo":{"name":"http_security_test","version":"1"}}})";
  std::vector<std::string> headers{"Content-Type: application/json",
                                   "Accept: application/json, text/event-stream"};
  auto refused = p.request("POST", p.mcp_url(), headers, initialize);
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(refused.json()["error"]["message"].get<std::string>().find("api key") !=
             std::string::npos);
  headers.push_back("Authorization: Bearer " + key);
  auto accepted = p.request("POST", p.mcp_url(), headers, initialize);
  BOOST_TEST(accepted.status == 200);
  BOOST_TEST(accepted.json()["result"]["serverInfo"]["name"] == "sage");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_limits)

BOOST_AUTO_TEST_CASE(a_client_past_its_rate_gets_429_then_recovers) {
  // One token every 4 s and two at once: the third quick request is refused.
  configured_server s("server:\n  rate_limit:\n    requests_per_second: 0.25\n    burst: 2\n");
  auto& p = s.process;
  http_reply refused;
  for (int i = 0; i < 10 && refused.status != 429; ++i)
    refused = p.get("/v1/layers");
  BOOST_REQUIRE_MESSAGE(refused.status == 429, "no 429 after 10 requests");
  BOOST_TEST(refused.error_code() == "rate_limited");
  auto retry_after = std::stoi(refused.header("retry-after"));
  BOOST_TEST(retry_after >= 1);
  BOOST_TEST(retry_after <= 4);
  std::this_thread::sleep_for(std::chrono::seconds(retry_after));
  BOOST_TEST(p.get("/v1/layers").status == 200);
}

BOOST_AUTO_TEST_CASE(oversize_bodies_get_413_and_oversize_headers_431) {
  configured_server s("server:\n  limits:\n    max_body_bytes: 2048\n    max_header_bytes: 2048\n");
  auto& p = s.process;
  auto big = p.send_json("POST", "/v1/context", {{"task", std::string(4096, 'a')}});
  BOOST_TEST(big.status == 413);
  BOOST_TEST(big.error_code() == "payload_too_large");
  BOOST_TEST(big.json()["error"]["message"].get<std::string>().find("2048") != std::string::npos);
  std::vector<std::string> headers;
  for (int i = 0; i < 8; ++i)
    headers.push_back("X-Filler-" + std::to_string(i) + ": " + std::string(400, 'x'));
  auto fat = p.get("/v1/layers", headers);
  BOOST_TEST(fat.status == 431);
  BOOST_TEST(fat.error_code() == "headers_too_large");
  // A body just under the limit is fine, and so is the server.
  BOOST_TEST(p.send_json("POST", "/v1/context", {{"task", "retries"}, {"budget", 200}}).status ==
             200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_cors)

BOOST_AUTO_TEST_CASE(allowed_origins_get_cors_headers_and_preflights) {
  configured_server s("server:\n  cors:\n    allowed_origins: [\"https://dash.example.com\"]\n",
                      {"SAGE_API_KEY=" + key});
  auto& p = s.process;
  // A preflight needs no key: browsers send none.
  auto pre = p.request("OPTIONS", "/v1/memory",
                       {"Origin: https://dash.example.com", "Access-Control-Request-Method: POST",
                        "Access-Control-Request-Headers: content-type, x-api-key"});
  BOOST_TEST(pre.status == 204);
  BOOST_TEST(pre.header("access-control-allow-origin") == "https://dash.example.com");
  BOOST_TEST(pre.header("access-control-allow-methods").find("POST") != std::string::npos);
  BOOST_TEST(pre.header("access-control-allow-headers").find("X-API-Key") != std::string::npos);
  BOOST_TEST(!pre.header("access-control-max-age").empty());

  auto other =
      p.request("OPTIONS", "/v1/memory",
                {"Origin: https://evil.example.com", "Access-Control-Request-Method: POST"});
  BOOST_TEST(other.status == 403);
  BOOST_TEST(other.header("access-control-allow-origin").empty());

  auto simple = p.get("/v1/layers", {"Origin: https://dash.example.com", "X-API-Key: " + key});
  BOOST_TEST(simple.status == 200);
  BOOST_TEST(simple.header("access-control-allow-origin") == "https://dash.example.com");
  BOOST_TEST(simple.header("vary") == "Origin");
  auto foreign = p.get("/v1/layers", {"Origin: https://evil.example.com", "X-API-Key: " + key});
  BOOST_TEST(foreign.header("access-control-allow-origin").empty());
}

BOOST_AUTO_TEST_CASE(an_invalid_origin_in_the_configuration_is_refused_at_start) {
  temp_dir home;
  home.write("sage.yaml", "server:\n  cors:\n    allowed_origins: [\"dash.example.com/x\"]\n");
  api_server_process p(home);
  auto code = p.wait(15s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 2);
  BOOST_TEST(p.err().find("server.cors.allowed_origins[0]") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
