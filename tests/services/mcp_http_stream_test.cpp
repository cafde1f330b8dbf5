// The SSE streams of `sage serve`, driven with curl: the session's GET stream (who may open it,
// what it carries, when it ends) and tool calls answered as a stream of their progress.
// SPDX-License-Identifier: MIT
#include "support/serve_process.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

using namespace sage::test::mcp_http;

namespace {

/// `sage serve` holds at most half of its 16 threads in GET streams.
constexpr int stream_limit = 8;

const std::string set_level_debug = request_body(10, "logging/setLevel", {{"level", "debug"}});

/// A tool call that fails (a required argument is missing): the server logs it to the client.
std::string failing_call(int id) {
  return request_body(id, "tools/call",
                      {{"name", "search_knowledge"}, {"arguments", json::object()}});
}

std::string call_with_progress(int id, const std::string& token) {
  return request_body(id, "tools/call",
                      {{"name", "search_knowledge"},
                       {"arguments", {{"query", "testing"}}},
                       {"_meta", {{"progressToken", token}}}});
}

bool is_tool_failure_log(const json& m) {
  return m.value("method", "") == "notifications/message" && m["params"]["level"] == "warning" &&
         m["params"]["data"]["event"] == "tool call failed";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(mcp_http_get_stream, server_fixture)

BOOST_AUTO_TEST_CASE(a_get_without_sse_in_accept_gets_406) {
  auto id = server.open_session();
  auto r = server.get(id, {json_accept});
  BOOST_TEST(r.status == 406);
  check_rpc_error(r, -32600, "Accept must include text/event-stream");
}

BOOST_AUTO_TEST_CASE(a_get_without_a_session_gets_400_and_with_an_unknown_one_404) {
  auto missing = server.get("", {sse_accept});
  BOOST_TEST(missing.status == 400);
  check_rpc_error(missing, -32600, "missing Mcp-Session-Id");
  auto unknown = server.get("1b4e28ba-2fa1-41d2-883f-0016d3cca427", {sse_accept});
  BOOST_TEST(unknown.status == 404);
  check_rpc_error(unknown, -32600, "unknown or ended session");
}

BOOST_AUTO_TEST_CASE(a_second_get_stream_of_a_session_gets_409) {
  auto id = server.open_session();
  auto first = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(first->wait_for_status(), 200);
  auto second = server.get(id, {sse_accept});
  BOOST_TEST(second.status == 409);
  check_rpc_error(second, -32600, "a GET stream is open for this session already");
  // Another session has a stream of its own.
  auto other = server.open_stream(server.open_session());
  BOOST_TEST(other->wait_for_status() == 200);
}

BOOST_AUTO_TEST_CASE(the_stream_carries_a_log_message_caused_by_a_request_and_ends_on_delete) {
  auto id = server.open_session();
  BOOST_REQUIRE(server.post_json(set_level_debug, id).answer().contains("result"));
  auto stream = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(stream->wait_for_status(), 200);
  BOOST_TEST(stream->reply().headers["content-type"] == "text/event-stream");

  // Answered as JSON, so its log message goes to the GET stream.
  auto call = server.post_json(failing_call(11), id, json_accept);
  BOOST_TEST(call.status == 200);
  BOOST_TEST(call.body_json()["result"]["isError"] == true);
  auto log = stream->wait_for("notifications/message");
  BOOST_REQUIRE_MESSAGE(!log.is_null(), "no log message on the stream:\n" << stream->out());
  BOOST_TEST(is_tool_failure_log(log));
  BOOST_TEST(log["params"]["data"]["tool"] == "search_knowledge");

  BOOST_TEST(server.delete_session(id) == 204);
  auto code = stream->wait(arrival_limit);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "the stream did not end after DELETE");
  BOOST_TEST(*code == 0); // the chunked body ended properly
}

BOOST_AUTO_TEST_CASE(notifications_from_before_the_stream_opened_arrive_when_it_does) {
  auto id = server.open_session();
  BOOST_REQUIRE(server.post_json(set_level_debug, id).answer().contains("result"));
  BOOST_REQUIRE(server.post_json(failing_call(12), id, json_accept).status == 200);
  auto stream = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(stream->wait_for_status(), 200);
  auto log = stream->wait_for("notifications/message");
  BOOST_TEST(is_tool_failure_log(log));
}

BOOST_AUTO_TEST_CASE(progress_of_a_request_answered_as_json_goes_to_the_get_stream) {
  auto id = server.open_session();
  auto stream = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(stream->wait_for_status(), 200);
  auto call = server.post_json(call_with_progress(13, "tok-13"), id, json_accept);
  BOOST_TEST(call.headers["content-type"] == "application/json");
  BOOST_TEST(call.body_json()["id"] == 13);
  auto progress = stream->wait_for("notifications/progress");
  BOOST_REQUIRE_MESSAGE(!progress.is_null(), "no progress on the stream:\n" << stream->out());
  BOOST_TEST(progress["params"]["progressToken"] == "tok-13");
}

BOOST_AUTO_TEST_CASE(posts_are_served_while_streams_are_open_up_to_the_limit) {
  std::vector<std::string> sessions;
  std::vector<std::unique_ptr<sse_stream>> streams;
  for (int i = 0; i < stream_limit; ++i) {
    sessions.push_back(server.open_session());
    streams.push_back(server.open_stream(sessions.back()));
    BOOST_REQUIRE_EQUAL(streams.back()->wait_for_status(), 200);
  }
  auto extra = server.open_session();
  auto refused = server.get(extra, {sse_accept});
  BOOST_TEST(refused.status == 503);
  check_rpc_error(refused, -32603, "too many open streams");

  // Requests of every session are still answered, tool calls included.
  for (std::size_t i = 0; i < sessions.size(); ++i)
    BOOST_TEST(server.post_json(ping_body(static_cast<int>(i) + 100), sessions[i]).status == 200);
  auto call = server.post_json(
      request_body(14, "tools/call",
                   {{"name", "search_knowledge"}, {"arguments", {{"query", "testing"}}}}),
      extra);
  BOOST_TEST(call.answer()["result"]["isError"] == false);

  // A stream that ends frees its place.
  BOOST_TEST(server.delete_session(sessions.front()) == 204);
  BOOST_REQUIRE(streams.front()->wait(std::chrono::seconds(30)).has_value());
  bool opened = false;
  std::unique_ptr<sse_stream> late;
  for (int attempt = 0; attempt < 100 && !opened; ++attempt) {
    late = server.open_stream(extra);
    opened = late->wait_for_status() == 200;
    if (!opened) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(opened);
}

BOOST_AUTO_TEST_CASE(a_stream_whose_client_went_away_frees_the_session_for_a_new_one) {
  auto id = server.open_session();
  auto first = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(first->wait_for_status(), 200);
  first->kill();
  // The server notices the closed connection and takes a new stream (409 until then).
  int status = 0;
  std::unique_ptr<sse_stream> second;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    second = server.open_stream(id);
    status = second->wait_for_status();
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(status == 200);
}

BOOST_AUTO_TEST_CASE(sigterm_with_an_open_stream_still_exits_0) {
  auto id = server.open_session();
  auto stream = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(stream->wait_for_status(), 200);
  server.signal(SIGTERM);
  auto code = server.wait(exit_limit);
  BOOST_REQUIRE_MESSAGE(code.has_value(),
                        "`sage serve` did not exit after SIGTERM with a stream open");
  BOOST_TEST(*code == 0);
  BOOST_TEST(stream->wait(exit_limit).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(mcp_http_post_stream, server_fixture)

BOOST_AUTO_TEST_CASE(a_tool_call_accepting_sse_gets_its_progress_then_its_result) {
  auto id = server.open_session();
  auto call = server.post_json(call_with_progress(20, "tok-20"), id, both_accept);
  BOOST_TEST(call.status == 200);
  BOOST_TEST(call.headers["content-type"] == "text/event-stream");
  auto messages = call.messages();
  BOOST_REQUIRE_MESSAGE(messages.size() == 3u, "not progress, progress, result:\n" << call.body);
  for (int i = 0; i < 2; ++i) {
    BOOST_TEST(messages[i]["method"] == "notifications/progress");
    BOOST_TEST(messages[i]["params"]["progressToken"] == "tok-20");
    BOOST_TEST(messages[i]["params"]["progress"] == i);
    BOOST_TEST(messages[i]["params"]["total"] == 1);
  }
  BOOST_TEST(messages[2]["id"] == 20);
  BOOST_TEST(messages[2]["result"]["isError"] == false);
  BOOST_TEST(call.body.find("event: message\ndata: ") == 0u);
}

BOOST_AUTO_TEST_CASE(a_request_s_own_notifications_stay_off_the_get_stream) {
  auto id = server.open_session();
  BOOST_REQUIRE(server.post_json(set_level_debug, id).answer().contains("result"));
  auto stream = server.open_stream(id);
  BOOST_REQUIRE_EQUAL(stream->wait_for_status(), 200);
  // Its progress and its log message travel with its answer ...
  auto call = server.post_json(request_body(21, "tools/call",
                                            {{"name", "search_knowledge"},
                                             {"arguments", json::object()},
                                             {"_meta", {{"progressToken", 21}}}}),
                               id, both_accept);
  auto messages = call.messages();
  BOOST_REQUIRE_MESSAGE(messages.size() == 4u, "not progress, log, progress, result:\n"
                                                   << call.body);
  BOOST_TEST(messages[0]["method"] == "notifications/progress");
  BOOST_TEST(is_tool_failure_log(messages[1]));
  BOOST_TEST(messages[2]["method"] == "notifications/progress");
  BOOST_TEST(messages[3]["result"]["isError"] == true);
  // ... so the first thing on the GET stream is what a JSON-only call sends afterwards.
  BOOST_REQUIRE(server.post_json(failing_call(22), id, json_accept).status == 200);
  auto log = stream->wait_for("notifications/message");
  BOOST_TEST(is_tool_failure_log(log));
  auto on_stream = stream->messages();
  BOOST_REQUIRE(!on_stream.empty());
  BOOST_TEST(is_tool_failure_log(on_stream.front()));
  BOOST_TEST(on_stream.size() == 1u);
}

BOOST_AUTO_TEST_CASE(direct_answers_stay_one_json_body_for_a_client_accepting_both) {
  auto id = server.open_session();
  auto list = server.post_json(request_body(23, "tools/list", json::object()), id, both_accept);
  BOOST_TEST(list.headers["content-type"] == "application/json");
  BOOST_TEST(list.body_json()["id"] == 23);
  // A tool call without a progress token still streams: just its answer.
  auto call = server.post_json(
      request_body(24, "tools/call",
                   {{"name", "search_knowledge"}, {"arguments", {{"query", "testing"}}}}),
      id, both_accept);
  BOOST_TEST(call.headers["content-type"] == "text/event-stream");
  BOOST_REQUIRE(call.messages().size() == 1u);
  BOOST_TEST(call.answer()["id"] == 24);
}

BOOST_AUTO_TEST_SUITE_END()
