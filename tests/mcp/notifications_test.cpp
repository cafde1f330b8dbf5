// Messages from the server to the client besides the answers: notifications from handlers and
// sessions, cancellation of requests in flight, progress, and log messages at the session's
// level.
// SPDX-License-Identifier: MIT
#include "services/mcp/logging.hpp"
#include "services/mcp/tools.hpp"
#include "services/mcp/worker_pool.hpp"

#include "mcp/session_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;
using namespace std::chrono_literals;

namespace {

constexpr auto message_wait = 10s;
/// How long a test waits to see that something is *not* sent.
constexpr auto quiet_wait = 200ms;

std::string cancel_text(json request_id, std::string reason = "user cancelled") {
  return serialize(json{{"jsonrpc", "2.0"},
                        {"method", "notifications/cancelled"},
                        {"params", {{"requestId", std::move(request_id)}, {"reason", reason}}}});
}

struct notify_fixture : session_fixture {
  /// The messages sent through the sink so far.
  std::vector<json> sent() {
    std::lock_guard lock{rec.mutex};
    return rec.sent;
  }

  /// The sent messages that satisfy `match`.
  std::vector<json> sent_where(const std::function<bool(const json&)>& match) {
    std::vector<json> out;
    for (auto& m : sent())
      if (match(m)) out.push_back(m);
    return out;
  }

  std::vector<json> notifications(const std::string& method) {
    return sent_where([&](const json& m) { return m.value("method", "") == method; });
  }

  /// Waits until a sent message satisfies `match`; it, or nothing after `wait`.
  std::optional<json> wait_for(const std::function<bool(const json&)>& match,
                               std::chrono::milliseconds wait = message_wait) {
    auto until = std::chrono::steady_clock::now() + wait;
    do {
      auto found = sent_where(match);
      if (!found.empty()) return found.front();
      std::this_thread::sleep_for(2ms);
    } while (std::chrono::steady_clock::now() < until);
    return std::nullopt;
  }

  std::optional<json> answer_to(int id, std::chrono::milliseconds wait = message_wait) {
    return wait_for([id](const json& m) { return m.value("id", json()) == id; }, wait);
  }
};

/// A server with three tools on a pool of one thread: `slow` waits until released, `echo`
/// answers at once, `broken` fails.
struct tools_fixture : notify_fixture {
  std::atomic<bool> release{false};
  std::atomic<int> slow_runs{0};
  std::atomic<int> echo_runs{0};
  std::shared_ptr<const log_settings> logging;
  worker_pool pool{1};

  static tool_definition tool(std::string name, tool_handler handler) {
    tool_definition t;
    t.name = std::move(name);
    t.title = t.name;
    t.description = "a test tool";
    t.input_schema = {{"type", "object"}};
    t.output_schema = {{"type", "object"}, {"properties", json::object()}};
    t.handler = std::move(handler);
    return t;
  }

  tools_fixture() {
    auto registry =
        std::make_shared<tool_registry>([](std::string_view text) { return text.size() / 4; });
    registry->add(tool("slow", [this](const json&) {
      ++slow_runs;
      while (!release.load())
        std::this_thread::sleep_for(1ms);
      tool_output out;
      out.text = "slow done";
      return out;
    }));
    registry->add(tool("echo", [this](const json&) {
      ++echo_runs;
      tool_output out;
      out.text = "echo";
      return out;
    }));
    registry->add(tool("broken", [](const json&) {
      return tool_output::failure("the lamp is broken; try another tool");
    }));
    register_tool_methods(*srv, registry, pool);
    logging = register_logging(*srv);
  }

  ~tools_fixture() { release = true; }

  static std::string call_text(const std::string& name, int id, json meta = nullptr) {
    json params{{"name", name}, {"arguments", json::object()}};
    if (!meta.is_null()) params["_meta"] = std::move(meta);
    return request_text("tools/call", id, std::move(params));
  }
};

} // namespace

// -- notify -------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(notify_tests, notify_fixture)

BOOST_AUTO_TEST_CASE(a_handler_notification_goes_through_the_sink_before_its_answer) {
  srv->register_method("x/note", [](const json&, request_context& ctx) -> handler_result {
    BOOST_TEST(ctx.notify("notifications/x", {{"a", 1}}));
    return json::object();
  });
  auto s = ready_session();
  BOOST_TEST(answer_of(s, request_text("x/note", 3))["result"] == json::object());
  auto notes = notifications("notifications/x");
  BOOST_REQUIRE_EQUAL(notes.size(), 1u);
  BOOST_TEST(notes[0] == json::parse(R"({"jsonrpc":"2.0","method":"notifications/x",
                                          "params":{"a":1}})"));
}

BOOST_AUTO_TEST_CASE(a_session_notifies_from_outside_handlers_and_from_other_threads) {
  auto s = ready_session();
  std::thread other{[&] { BOOST_TEST(s.notify("notifications/y", {{"from", "thread"}})); }};
  other.join();
  BOOST_TEST(s.notify("notifications/y", {{"from", "main"}}));
  BOOST_TEST(notifications("notifications/y").size() == 2u);
}

BOOST_AUTO_TEST_CASE(without_a_sink_notify_is_a_no_op) {
  bool notified = true;
  srv->register_method("x/note", [&](const json&, request_context& ctx) -> handler_result {
    notified = ctx.notify("notifications/x");
    return json::object();
  });
  auto s = ready_session(false);
  BOOST_TEST(!s.notify("notifications/y"));
  BOOST_TEST(answer_of(s, request_text("x/note", 3)).contains("result"));
  BOOST_TEST(!notified);
  BOOST_TEST(sent().empty());
}

// -- cancellation -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_cancelled_deferred_request_gets_no_answer_and_the_next_ping_works) {
  std::optional<responder> kept;
  srv->register_method("x/slow", [&](const json&, request_context& ctx) -> handler_result {
    kept = ctx.reply;
    return deferred{};
  });
  auto s = ready_session();
  BOOST_TEST(!s.handle(request_text("x/slow", 7)).has_value());
  BOOST_REQUIRE(kept);
  auto flag = kept->cancel_flag();
  BOOST_TEST(!kept->cancelled());
  BOOST_TEST(s.notifier()->in_flight() == 1u);
  BOOST_TEST(!s.handle(cancel_text(7)).has_value());
  BOOST_TEST(kept->cancelled());
  BOOST_TEST(flag->load());
  BOOST_TEST(s.notifier()->in_flight() == 0u);
  BOOST_TEST(!kept->result(json::object()));
  BOOST_TEST(!kept->error(make_error(error_code::internal_error, "late")));
  kept.reset(); // the last copy goes: no "dropped without answering" either
  BOOST_TEST(sent().empty());
  BOOST_TEST(rec.logged_event("request cancelled"));
  BOOST_TEST(answer_of(s, request_text("ping", 8)).contains("result"));
}

BOOST_AUTO_TEST_CASE(cancellation_of_an_unknown_answered_or_initialize_id_is_ignored) {
  std::optional<responder> kept;
  srv->register_method("x/slow", [&](const json&, request_context& ctx) -> handler_result {
    kept = ctx.reply;
    return deferred{};
  });
  auto s = ready_session();
  BOOST_TEST(!s.handle(request_text("x/slow", 5)).has_value());
  BOOST_TEST(!s.handle(cancel_text(99)).has_value());
  BOOST_TEST(!s.handle(cancel_text("5")).has_value());  // a string id is another id
  BOOST_TEST(!s.handle(cancel_text(1000)).has_value()); // the initialize request
  BOOST_TEST(!s.handle(serialize(json{{"jsonrpc", "2.0"},
                                      {"method", "notifications/cancelled"},
                                      {"params", {{"reason", "no id"}}}}))
                  .has_value());
  BOOST_TEST(rec.logged_event("ignored cancellation"));
  BOOST_TEST(!rec.logged_event("request cancelled"));
  BOOST_TEST(!kept->cancelled());
  BOOST_TEST(kept->result({{"ok", true}}));
  BOOST_TEST(s.handle(cancel_text(5)).has_value() == false); // answered already: ignored
  auto answers = sent_where([](const json& m) { return m.contains("id"); });
  BOOST_REQUIRE_EQUAL(answers.size(), 1u);
  BOOST_TEST(answers[0]["result"]["ok"] == true);
  BOOST_TEST(answer_of(s, request_text("ping", 6)).contains("result"));
}

// -- progress -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(progress_goes_out_with_the_token_only_increasing_and_stops_at_the_answer) {
  std::optional<responder> kept;
  srv->register_method("x/steps", [&](const json&, request_context& ctx) -> handler_result {
    kept = ctx.reply;
    return deferred{};
  });
  auto s = ready_session();
  BOOST_TEST(
      !s.handle(request_text("x/steps", 4, {{"_meta", {{"progressToken", "tok-4"}}}})).has_value());
  BOOST_REQUIRE(kept && kept->wants_progress());
  BOOST_TEST(kept->progress(0, 3, "reading"));
  BOOST_TEST(!kept->progress(0, 3, "again")); // must increase
  BOOST_TEST(kept->progress(1, 3));
  BOOST_TEST(kept->progress(2.5));
  BOOST_TEST(kept->result(json::object()));
  BOOST_TEST(!kept->progress(3, 3)); // the request is over
  auto progress = notifications("notifications/progress");
  BOOST_REQUIRE_EQUAL(progress.size(), 3u);
  BOOST_TEST(
      progress[0]["params"] ==
      json::parse(R"({"progressToken":"tok-4","progress":0,"total":3,"message":"reading"})"));
  BOOST_TEST(progress[1]["params"]["progress"] == 1);
  BOOST_TEST(!progress[1]["params"].contains("message"));
  BOOST_TEST(progress[2]["params"]["progress"] == 2.5);
  BOOST_TEST(!progress[2]["params"].contains("total"));
  // the answer comes after the progress
  auto all = sent();
  BOOST_TEST(all.back().value("id", json()) == 4);
}

BOOST_AUTO_TEST_CASE(without_a_progress_token_no_progress_is_sent) {
  srv->register_method("x/steps", [](const json&, request_context& ctx) -> handler_result {
    BOOST_TEST(!ctx.progress(1, 2));
    return json::object();
  });
  auto s = ready_session();
  BOOST_TEST(
      answer_of(s, request_text("x/steps", 4, {{"_meta", {{"other", 1}}}})).contains("result"));
  BOOST_TEST(answer_of(s, request_text("x/steps", 5, {{"_meta", {{"progressToken", 1.5}}}}))
                 .contains("result")); // a token must be a string or an integer
  BOOST_TEST(notifications("notifications/progress").empty());
}

// -- logging ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(log_messages_go_out_at_or_above_the_level_of_their_session) {
  std::shared_ptr<const log_settings> settings = register_logging(*srv);
  srv->register_method("x/log", [](const json& params, request_context& ctx) -> handler_result {
    auto level = parse_log_level(params.at("level").get<std::string>());
    return json{{"sent", ctx.log(*level, "test", {{"n", params.at("n")}})}};
  });
  auto s = ready_session();
  auto other = ready_session();
  auto log = [](session& in, const char* level, int n) {
    return answer_of(in, request_text("x/log", n, {{"level", level}, {"n", n}}))["result"]["sent"];
  };
  BOOST_TEST(log(s, "emergency", 1) == false); // no level set: nothing
  BOOST_TEST(
      answer_of(s, request_text("logging/setLevel", 2, {{"level", "warning"}})).contains("result"));
  BOOST_TEST(log(s, "info", 3) == false);
  BOOST_TEST(log(s, "warning", 4) == true);
  BOOST_TEST(log(s, "critical", 5) == true);
  BOOST_TEST(log(other, "critical", 6) == false); // the other session set no level
  auto messages = notifications("notifications/message");
  BOOST_REQUIRE_EQUAL(messages.size(), 2u);
  BOOST_TEST(messages[0]["params"] ==
             json::parse(R"({"level":"warning","logger":"test","data":{"n":4}})"));
  BOOST_TEST(messages[1]["params"]["level"] == "critical");
  BOOST_TEST(to_string(*settings->level()) == "warning");
}

BOOST_AUTO_TEST_CASE(a_cancelled_request_is_logged_to_the_client_at_info) {
  register_logging(*srv);
  std::optional<responder> kept;
  srv->register_method("x/slow", [&](const json&, request_context& ctx) -> handler_result {
    kept = ctx.reply;
    return deferred{};
  });
  auto s = ready_session();
  BOOST_TEST(
      answer_of(s, request_text("logging/setLevel", 2, {{"level", "info"}})).contains("result"));
  BOOST_TEST(!s.handle(request_text("x/slow", 3)).has_value());
  BOOST_TEST(!s.handle(cancel_text(3, "took too long")).has_value());
  auto messages = notifications("notifications/message");
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(messages[0]["params"]["level"] == "info");
  BOOST_TEST(messages[0]["params"]["data"]["event"] == "request cancelled");
  BOOST_TEST(messages[0]["params"]["data"]["id"] == 3);
  BOOST_TEST(messages[0]["params"]["data"]["reason"] == "took too long");
}

BOOST_AUTO_TEST_CASE(a_failing_handler_is_logged_to_the_client_at_error) {
  register_logging(*srv);
  srv->register_method("x/throw", [](const json&, request_context&) -> handler_result {
    throw std::runtime_error("boom");
  });
  auto s = ready_session();
  BOOST_TEST(
      answer_of(s, request_text("logging/setLevel", 2, {{"level", "error"}})).contains("result"));
  check_error(answer_of(s, request_text("x/throw", 3)), error_code::internal_error,
              "internal error while handling x/throw; the server goes on");
  auto messages = notifications("notifications/message");
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(messages[0]["params"]["level"] == "error");
  BOOST_TEST(messages[0]["params"]["data"]["method"] == "x/throw");
}

BOOST_AUTO_TEST_SUITE_END()

// -- tool calls ---------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(tool_call_notify_tests, tools_fixture)

BOOST_AUTO_TEST_CASE(a_tool_call_with_a_token_reports_start_and_end_before_its_answer) {
  auto s = ready_session();
  BOOST_TEST(!s.handle(call_text("echo", 3, {{"progressToken", 42}})).has_value());
  auto answer = answer_to(3);
  BOOST_REQUIRE(answer);
  BOOST_TEST((*answer)["result"]["isError"] == false);
  auto progress = notifications("notifications/progress");
  BOOST_REQUIRE_EQUAL(progress.size(), 2u);
  BOOST_TEST(progress[0]["params"]["progressToken"] == 42);
  BOOST_TEST(progress[0]["params"]["progress"] == 0);
  BOOST_TEST(progress[1]["params"]["progress"] == 1);
  BOOST_TEST(progress[1]["params"]["total"] == 1);
  BOOST_TEST(sent().back().value("id", json()) == 3); // the answer is last
  // without a token: no progress
  BOOST_TEST(!s.handle(call_text("echo", 4)).has_value());
  BOOST_REQUIRE(answer_to(4));
  BOOST_TEST(notifications("notifications/progress").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_tool_call_cancelled_in_the_queue_does_not_run_nor_answer) {
  auto s = ready_session();
  BOOST_TEST(!s.handle(call_text("slow", 3)).has_value()); // occupies the only thread
  BOOST_TEST(!s.handle(call_text("echo", 4)).has_value()); // waits in the queue
  BOOST_TEST(!s.handle(cancel_text(4)).has_value());
  release = true;
  BOOST_REQUIRE(answer_to(3));
  BOOST_TEST(answer_of(s, request_text("ping", 5)).contains("result"));
  // a call queued after the cancelled one has run, so the cancelled one was passed over
  BOOST_TEST(!s.handle(call_text("echo", 6)).has_value());
  BOOST_REQUIRE(answer_to(6));
  BOOST_TEST(echo_runs.load() == 1);
  BOOST_TEST(!answer_to(4, quiet_wait));
}

BOOST_AUTO_TEST_CASE(a_tool_call_cancelled_while_running_is_not_answered) {
  auto s = ready_session();
  BOOST_TEST(!s.handle(call_text("slow", 3)).has_value());
  auto until = std::chrono::steady_clock::now() + message_wait;
  while (slow_runs.load() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  BOOST_REQUIRE_EQUAL(slow_runs.load(), 1);
  BOOST_TEST(!s.handle(cancel_text(3)).has_value());
  release = true;
  BOOST_TEST(!s.handle(call_text("echo", 4)).has_value()); // runs after slow on the one thread
  BOOST_REQUIRE(answer_to(4));
  BOOST_TEST(!answer_to(3, quiet_wait));
}

BOOST_AUTO_TEST_CASE(a_failed_tool_call_is_logged_at_warning_when_the_level_allows) {
  auto s = ready_session();
  BOOST_TEST(
      answer_of(s, request_text("logging/setLevel", 2, {{"level", "error"}})).contains("result"));
  BOOST_TEST(!s.handle(call_text("broken", 3)).has_value());
  BOOST_REQUIRE(answer_to(3));
  BOOST_TEST(notifications("notifications/message").empty()); // warning is below error
  BOOST_TEST(
      answer_of(s, request_text("logging/setLevel", 4, {{"level", "warning"}})).contains("result"));
  BOOST_TEST(!s.handle(call_text("broken", 5)).has_value());
  BOOST_REQUIRE(answer_to(5));
  auto messages = notifications("notifications/message");
  BOOST_REQUIRE_EQUAL(messages.size(), 1u);
  BOOST_TEST(messages[0]["params"]["level"] == "warning");
  BOOST_TEST(messages[0]["params"]["logger"] == "sage.tools");
  BOOST_TEST(messages[0]["params"]["data"]["tool"] == "broken");
  BOOST_TEST(messages[0]["params"]["data"]["message"] == "the lamp is broken; try another tool");
}

BOOST_AUTO_TEST_SUITE_END()
