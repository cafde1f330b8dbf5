// The Streamable HTTP transport in process, with curl as the client and options `sage serve`
// does not expose: keep-alive comments, the stream limit, stop with streams open and the drain
// of a POST stream.
// SPDX-License-Identifier: MIT
#include "services/mcp/http_transport.hpp"

#include "support/mcp_curl.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <mutex>
#include <optional>
#include <thread>

using namespace sage::services::mcp;
using namespace sage::test::mcp_http;

namespace {

struct transport_fixture {
  sage::test::temp_dir dir;
  std::shared_ptr<server> srv = std::make_shared<server>();
  std::unique_ptr<http_transport> transport;
  std::thread runner;
  mcp_curl_client client{dir.path()};

  std::mutex kept_mutex;
  std::optional<responder> kept;

  transport_fixture() {
    // Answers when the test says so, through the responder it keeps.
    srv->register_method("x/slow", [this](const json&, request_context& ctx) -> handler_result {
      std::lock_guard lock(kept_mutex);
      kept = ctx.reply;
      return deferred{};
    });
  }

  ~transport_fixture() {
    if (transport) transport->stop();
    if (runner.joinable()) runner.join();
  }

  void start(http_options options) {
    options.port = 0;
    transport = std::make_unique<http_transport>(srv, std::move(options));
    auto failed = transport->bind();
    BOOST_REQUIRE_MESSAGE(!failed, failed.value_or(""));
    client.set_url("http://127.0.0.1:" + std::to_string(transport->port()) + "/mcp");
    runner = std::thread([this] { transport->run(); });
  }

  /// Stops the transport; false when `run` did not return in time.
  bool stop() {
    transport->stop();
    auto joined = std::async(std::launch::async, [this] { runner.join(); });
    return joined.wait_for(arrival_limit) == std::future_status::ready;
  }

  std::optional<responder> kept_responder() {
    std::lock_guard lock(kept_mutex);
    return kept;
  }
};

/// The exit code of a curl that should have ended; -1 when it did not.
int exit_code(sse_stream& stream) {
  return stream.wait(arrival_limit).value_or(-1);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(http_transport_streams, transport_fixture)

BOOST_AUTO_TEST_CASE(an_idle_get_stream_gets_keepalive_comments) {
  http_options options;
  options.keepalive = std::chrono::milliseconds(50);
  start(options);
  auto stream = client.open_stream(client.open_session());
  BOOST_REQUIRE_EQUAL(stream->wait_for_status(), 200);
  BOOST_TEST(stream->wait_until(
      [&] { return stream->out().find(": keep-alive\n\n") != std::string::npos; }, arrival_limit));
  BOOST_TEST(stream->messages().empty()); // comments are no events
}

BOOST_AUTO_TEST_CASE(a_get_beyond_max_streams_gets_503_and_posts_are_still_served) {
  http_options options;
  options.max_streams = 1;
  start(options);
  auto first = client.open_stream(client.open_session());
  BOOST_REQUIRE_EQUAL(first->wait_for_status(), 200);
  auto other = client.open_session();
  auto refused = client.get(other, {sse_accept});
  BOOST_TEST(refused.status == 503);
  check_rpc_error(refused, -32603, "too many open streams");
  BOOST_TEST(client.post_json(ping_body(2), other).status == 200);
}

BOOST_AUTO_TEST_CASE(stop_ends_open_get_streams_and_returns) {
  start({});
  auto first = client.open_stream(client.open_session());
  auto second = client.open_stream(client.open_session());
  BOOST_REQUIRE_EQUAL(first->wait_for_status(), 200);
  BOOST_REQUIRE_EQUAL(second->wait_for_status(), 200);
  BOOST_REQUIRE(stop());
  // Both ended their chunked bodies properly.
  BOOST_TEST(exit_code(*first) == 0);
  BOOST_TEST(exit_code(*second) == 0);
}

BOOST_AUTO_TEST_CASE(a_post_stream_still_gets_its_answer_within_the_drain_after_stop) {
  http_options options;
  options.drain_grace = std::chrono::seconds(30);
  start(options);
  auto session = client.open_session();
  auto call = client.post_in_background(
      request_body(5, "x/slow", {{"_meta", {{"progressToken", "d5"}}}}), session);
  BOOST_REQUIRE(call->wait_until([&] { return kept_responder().has_value(); }, arrival_limit));
  auto reply = *kept_responder();
  BOOST_TEST(reply.progress(0.5, 1));
  BOOST_REQUIRE(!call->wait_for("notifications/progress").is_null());

  transport->stop(); // returns at once; `run` waits for this stream
  BOOST_TEST(reply.result({{"late", true}}));
  BOOST_REQUIRE(stop());
  BOOST_TEST(exit_code(*call) == 0);
  BOOST_TEST(call->reply().headers["content-type"] == "text/event-stream");
  auto messages = call->messages();
  BOOST_REQUIRE(messages.size() == 2u);
  BOOST_TEST(messages[1]["id"] == 5);
  BOOST_TEST(messages[1]["result"]["late"] == true);
}

BOOST_AUTO_TEST_CASE(a_post_stream_gets_an_error_when_the_drain_runs_out) {
  http_options options;
  options.drain_grace = std::chrono::milliseconds(0);
  start(options);
  auto session = client.open_session();
  auto call = client.post_in_background(request_body(6, "x/slow", json::object()), session);
  BOOST_REQUIRE(call->wait_until([&] { return kept_responder().has_value(); }, arrival_limit));
  BOOST_REQUIRE(stop());
  BOOST_TEST(exit_code(*call) == 0);
  auto messages = call->messages();
  BOOST_REQUIRE(messages.size() == 1u);
  check_rpc_error(messages[0], -32603, "server stopping before the answer came");
}

BOOST_AUTO_TEST_SUITE_END()
