// DNS rebinding and header tricks against `sage serve`, driven with curl: without a key only
// loopback Hosts are served, pages may not write cross-origin, names that merely start like
// loopback are not loopback, and the API key is compared as sent.
// SPDX-License-Identifier: MIT
#include "support/api_server_process.hpp"
#include "support/raw_client.hpp"
#include "support/sage_sandbox.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

using sage::test::api_server_process;
using sage::test::http_reply;
using sage::test::temp_dir;

namespace {

struct configured_server {
  temp_dir home;
  api_server_process process;

  explicit configured_server(const std::string& yaml = "", std::vector<std::string> env = {})
      : process((home.write("sage.yaml", yaml), home), {}, std::move(env)) {
    process.wait_for_listening();
  }
};

const std::string initialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"http_rebinding_test","version":"1"}}})";

http_reply post_initialize(api_server_process& p, std::vector<std::string> headers) {
  headers.push_back("Content-Type: application/json");
  headers.push_back("Accept: application/json, text/event-stream");
  return p.request("POST", p.mcp_url(), headers, initialize);
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_rebinding)

BOOST_AUTO_TEST_CASE(without_a_key_the_api_serves_loopback_hosts_only) {
  configured_server s;
  auto& p = s.process;
  for (auto host : {"evil.com", "127.0.0.1.evil.com", "127.evil.com", "127.0.0.1.nip.io",
                    "localhost.evil.com"}) {
    BOOST_TEST_CONTEXT("host " << host) {
      auto write = p.send_json("POST", "/v1/memory", {{"content", "planted"}},
                               {std::string("Host: ") + host});
      BOOST_TEST(write.status == 421);
      BOOST_TEST(write.json()["error"]["message"].get<std::string>().find("host not allowed") !=
                 std::string::npos);
      BOOST_TEST(p.get("/v1/memory", {std::string("Host: ") + host}).status == 421);
    }
  }
  BOOST_TEST(p.get("/v1/layers", {"Host: localhost"}).status == 200);
  BOOST_TEST(p.get("/v1/layers", {"Host: [::1]:8000"}).status == 200);
  auto listed = p.get("/v1/memory");
  BOOST_TEST(listed.status == 200);
  BOOST_TEST(listed.body.find("planted") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(configured_hosts_are_served_too) {
  configured_server s("server:\n  allowed_hosts: [sage.internal]\n");
  BOOST_TEST(s.process.get("/v1/layers", {"Host: sage.internal:8000"}).status == 200);
  BOOST_TEST(s.process.get("/v1/layers", {"Host: other.internal"}).status == 421);
}

BOOST_AUTO_TEST_CASE(pages_of_other_origins_cannot_write) {
  configured_server s;
  auto& p = s.process;
  for (auto origin :
       {"http://evil.com", "http://127.0.0.1.evil.com", "http://127.0.0.1@evil.com", "null"}) {
    BOOST_TEST_CONTEXT("origin " << origin) {
      auto r = p.send_json("POST", "/v1/memory", {{"content", "planted"}},
                           {std::string("Origin: ") + origin});
      BOOST_TEST(r.status == 403);
      BOOST_TEST(r.json()["error"]["message"].get<std::string>().find("origin not allowed") !=
                 std::string::npos);
    }
  }
  BOOST_TEST(
      p.send_json("POST", "/v1/memory", {{"content", "mine"}}, {"Origin: http://localhost:3000"})
          .status == 201);
  BOOST_TEST(p.send_json("POST", "/v1/memory", {{"content", "cli"}}).status == 201);
  BOOST_TEST(p.get("/v1/memory").body.find("planted") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_mcp_endpoint_refuses_names_that_only_look_like_loopback) {
  configured_server s;
  auto& p = s.process;
  for (auto host : {"127.0.0.1.evil.com", "127.evil.com", "127.0.0.1.nip.io", "[::1].evil.com"}) {
    BOOST_TEST_CONTEXT("host " << host) {
      auto r =
          post_initialize(p, {std::string("Host: ") + host, std::string("Origin: http://") + host});
      BOOST_TEST(r.status == 403);
      BOOST_TEST(r.header("mcp-session-id").empty());
    }
  }
  BOOST_TEST(post_initialize(p, {"Origin: http://127.0.0.1@evil.com"}).status == 403);
  auto ok = post_initialize(p, {"Origin: http://localhost:3000"});
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(!ok.header("mcp-session-id").empty());
}

BOOST_AUTO_TEST_CASE(the_api_key_is_compared_as_sent) {
  configured_server s("", {"SAGE_API_KEY=abc%41def"});
  auto& p = s.process;
  BOOST_TEST(p.get("/v1/layers", {"X-API-Key: abc%41def"}).status == 200);
  BOOST_TEST(p.get("/v1/layers", {"X-API-Key: abcAdef"}).status == 401);
  configured_server plain("", {"SAGE_API_KEY=s3cret"});
  BOOST_TEST(plain.process.get("/v1/layers", {"X-API-Key: %73%33cret"}).status == 401);
  BOOST_TEST(plain.process.get("/v1/layers", {"X-API-Key: s3cret%00junk"}).status == 401);
  BOOST_TEST(plain.process.get("/v1/layers", {"X-API-Key: s3cret"}).status == 200);
}

BOOST_AUTO_TEST_CASE(health_probes_have_a_rate_bucket_of_their_own) {
  configured_server s("server:\n  rate_limit:\n    requests_per_second: 0.1\n    burst: 2\n");
  auto& p = s.process;
  http_reply refused;
  for (int i = 0; i < 10 && refused.status != 429; ++i)
    refused = p.get("/v1/layers");
  BOOST_REQUIRE(refused.status == 429);
  BOOST_TEST(p.get("/health").status == 200);
}

BOOST_AUTO_TEST_CASE(a_host_that_only_starts_like_loopback_needs_a_key_to_listen_on) {
  sage::test::sage_sandbox sage;
  auto r = sage({"serve", "--host", "127.0.0.1.nip.io", "--api-port", "0", "--mcp-port", "0",
                 "--metrics-port", "0"});
  BOOST_TEST(r.code != 0);
  BOOST_TEST(r.err.find("not a loopback address") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mcp_http_sessions_bounded)

BOOST_AUTO_TEST_CASE(new_clients_evict_the_least_recently_used_idle_session) {
  configured_server s("mcp:\n  max_sessions: 3\n");
  auto& p = s.process;
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    auto r = post_initialize(p, {});
    BOOST_TEST(r.status == 200);
    ids.push_back(r.header("mcp-session-id"));
  }
  const std::string ping = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
  auto in_session = [&](const std::string& id) {
    return p.request("POST", p.mcp_url(),
                     {"Content-Type: application/json", "Accept: application/json",
                      "Mcp-Session-Id: " + id, "MCP-Protocol-Version: 2025-11-25"},
                     ping);
  };
  BOOST_TEST(in_session(ids.front()).status == 404); // evicted, the client starts over
  BOOST_TEST(in_session(ids.back()).status == 200);
}

BOOST_AUTO_TEST_CASE(idle_sessions_expire) {
  configured_server s("mcp:\n  session_idle_timeout: 1s\n");
  auto& p = s.process;
  auto id = post_initialize(p, {}).header("mcp-session-id");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto r = p.request(
      "POST", p.mcp_url(),
      {"Content-Type: application/json", "Accept: application/json", "Mcp-Session-Id: " + id},
      R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  BOOST_TEST(r.status == 404);
}

BOOST_AUTO_TEST_CASE(a_flood_of_initialize_calls_is_rate_limited_and_leaves_room) {
  configured_server s("server:\n  rate_limit:\n    requests_per_second: 5\n    burst: 10\n");
  auto& p = s.process;
  int limited = 0;
  for (int i = 0; i < 30; ++i)
    limited += post_initialize(p, {}).status == 429;
  BOOST_TEST(limited > 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  BOOST_TEST(post_initialize(p, {}).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_slow_clients)

BOOST_AUTO_TEST_CASE(clients_sending_a_header_line_a_second_neither_block_others_nor_the_stop) {
  configured_server s("server:\n  header_timeout: 2s\n");
  auto& p = s.process;
  auto port = std::stoi(p.base().substr(p.base().rfind(':') + 1));
  std::vector<std::unique_ptr<sage::test::raw_client>> slow;
  for (int i = 0; i < 70; ++i) {
    slow.push_back(std::make_unique<sage::test::raw_client>(port));
    slow.back()->send("GET /v1/layers HTTP/1.1\r\n");
  }
  std::atomic<bool> done{false};
  std::thread sender([&] {
    while (!done) {
      for (auto& c : slow)
        c->send("X-Slow: 1\r\n");
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
  auto start = std::chrono::steady_clock::now();
  BOOST_TEST(p.get("/v1/layers").status == 200);
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(20)));
  start = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  auto code = p.wait(std::chrono::seconds(10));
  done = true;
  sender.join();
  BOOST_TEST(code.has_value());
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_SUITE_END()
