// Where a Streamable HTTP session's messages go: answers to the waiting POST, a request's own
// notifications to its POST stream, the rest to the bounded outbox of the GET stream.
// SPDX-License-Identifier: MIT
#include "services/mcp/http_session.hpp"

#include "mcp/session_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;
using namespace std::chrono_literals;
using clock_type = http_session::clock_type;

namespace {

/// Long enough never to pass in a test that gets what it waits for.
constexpr auto long_wait = 30s;

struct http_session_fixture : session_fixture {
  std::optional<responder> kept;

  http_session_fixture() {
    // Answers later, through the responder the test keeps.
    srv->register_method("x/slow", [this](const json&, request_context& ctx) -> handler_result {
      kept = ctx.reply;
      return deferred{};
    });
  }

  std::shared_ptr<http_session> make(std::size_t outbox_limit = 256) {
    session_options options;
    options.log = rec.log();
    auto s = http_session::make("s1", srv, std::move(options), outbox_limit);
    auto answer = s->handle(parse_message(initialize_text("2025-11-25", 1000)));
    BOOST_REQUIRE(answer && answer->contains("result"));
    s->handle(parse_message(notification_text("notifications/initialized")));
    return s;
  }

  /// Sends `x/slow` with id `id` and a progress token; it is deferred.
  void send_slow(http_session& s, int id, bool streams) {
    BOOST_REQUIRE(s.expect(std::to_string(id), streams));
    auto text =
        request_text("x/slow", id, {{"_meta", {{"progressToken", "p" + std::to_string(id)}}}});
    BOOST_REQUIRE(!s.handle(parse_message(text)).has_value());
    BOOST_REQUIRE(kept.has_value());
  }

  static http_session::request_output wait(http_session& s, const std::string& key) {
    auto until = clock_type::now() + long_wait;
    return s.wait_request(key, until, until);
  }

  static std::vector<json> take_stream(http_session& s) {
    return s.wait_stream(clock_type::now() + long_wait).notifications;
  }
};

std::string method_of(const json& message) {
  return message.value("method", "");
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(http_session_routing, http_session_fixture)

BOOST_AUTO_TEST_CASE(a_streaming_request_gets_its_progress_then_its_answer) {
  auto s = make();
  send_slow(*s, 7, true);
  BOOST_TEST(kept->progress(0, 1));
  auto first = wait(*s, "7");
  BOOST_REQUIRE(first.notifications.size() == 1u);
  BOOST_TEST(first.notifications[0]["method"] == "notifications/progress");
  BOOST_TEST(first.notifications[0]["params"]["progressToken"] == "p7");
  BOOST_TEST(!first.answer.has_value());

  BOOST_TEST(kept->log(log_level::error, "test", "not at any level yet") == false);
  BOOST_TEST(kept->notify("notifications/message", {{"level", "info"}, {"data", "mine"}}));
  BOOST_TEST(kept->result({{"done", true}}));
  auto last = wait(*s, "7");
  BOOST_REQUIRE(last.notifications.size() == 1u);
  BOOST_TEST(last.notifications[0]["params"]["data"] == "mine");
  BOOST_REQUIRE(last.answer.has_value());
  BOOST_TEST((*last.answer)["result"]["done"] == true);
  // Nothing of it went to the GET stream.
  BOOST_TEST(s->wait_stream(clock_type::now()).notifications.empty());
}

BOOST_AUTO_TEST_CASE(a_request_answered_as_json_leaves_its_progress_to_the_get_stream) {
  auto s = make();
  send_slow(*s, 8, false);
  BOOST_TEST(kept->progress(0.5, 1));
  BOOST_TEST(kept->result(json::object()));
  auto out = wait(*s, "8");
  BOOST_TEST(out.notifications.empty());
  BOOST_TEST(out.answer.has_value());
  auto streamed = take_stream(*s);
  BOOST_REQUIRE(streamed.size() == 1u);
  BOOST_TEST(streamed[0]["params"]["progressToken"] == "p8");
}

BOOST_AUTO_TEST_CASE(notifications_of_the_whole_session_go_to_the_get_stream) {
  auto s = make();
  send_slow(*s, 9, true);
  BOOST_TEST(s->mcp().notify("notifications/resources/list_changed"));
  BOOST_TEST(s->mcp().notifier()->log(log_level::emergency, "test", "x") == false); // no level
  auto streamed = take_stream(*s);
  BOOST_REQUIRE(streamed.size() == 1u);
  BOOST_TEST(method_of(streamed[0]) == "notifications/resources/list_changed");
  BOOST_TEST(s->forget("9").empty());
}

BOOST_AUTO_TEST_CASE(a_direct_answer_hands_back_the_notifications_sent_before_it) {
  srv->register_method("x/chatty", [](const json&, request_context& ctx) -> handler_result {
    ctx.notify("notifications/message", {{"level", "info"}, {"data", "working"}});
    return json::object();
  });
  auto s = make();
  BOOST_REQUIRE(s->expect("3", true));
  auto answer = s->handle(parse_message(request_text("x/chatty", 3)));
  BOOST_REQUIRE(answer.has_value());
  auto before = s->forget("3");
  BOOST_REQUIRE(before.size() == 1u);
  BOOST_TEST(before[0]["params"]["data"] == "working");
}

BOOST_AUTO_TEST_CASE(a_second_request_with_a_waiting_id_is_refused) {
  auto s = make();
  BOOST_TEST(s->expect("5", false));
  BOOST_TEST(!s->expect("5", true));
  s->forget("5");
  BOOST_TEST(s->expect("5", true));
}

BOOST_AUTO_TEST_CASE(an_answer_nobody_waits_for_is_dropped_and_logged) {
  auto s = make();
  send_slow(*s, 11, false);
  s->forget("11");
  BOOST_TEST(kept->result(json::object()));
  BOOST_TEST(rec.logged_event("dropped late answer"));
  BOOST_TEST(s->wait_stream(clock_type::now()).notifications.empty());
}

BOOST_AUTO_TEST_CASE(a_request_gives_up_at_its_deadline_and_wakes_empty_handed_before) {
  auto s = make();
  send_slow(*s, 12, true);
  auto now = clock_type::now();
  auto woke = s->wait_request("12", now + long_wait, now);
  BOOST_TEST(!woke.answer.has_value());
  BOOST_TEST(!woke.gave_up.has_value());
  auto late = s->wait_request("12", now, now);
  BOOST_REQUIRE(late.gave_up.has_value());
  BOOST_TEST(*late.gave_up == "timed out");
}

// -- the GET stream -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(one_get_stream_at_a_time) {
  auto s = make();
  BOOST_TEST(s->open_stream());
  BOOST_TEST(!s->open_stream());
  s->close_stream();
  BOOST_TEST(s->open_stream());
}

BOOST_AUTO_TEST_CASE(the_outbox_keeps_the_newest_notifications_and_logs_the_drop) {
  auto s = make(3);
  for (int i = 0; i < 5; ++i)
    s->mcp().notify("x/n", {{"i", i}});
  BOOST_TEST(rec.logged_event("dropping oldest notifications"));
  BOOST_TEST(s->open_stream());
  BOOST_TEST(rec.logged_event("dropped notifications while no GET stream was open"));
  auto streamed = take_stream(*s);
  BOOST_REQUIRE(streamed.size() == 3u);
  BOOST_TEST(streamed[0]["params"]["i"] == 2);
  BOOST_TEST(streamed[2]["params"]["i"] == 4);
}

BOOST_AUTO_TEST_CASE(notifications_a_stream_could_not_write_go_first_to_the_next) {
  auto s = make();
  BOOST_TEST(s->open_stream());
  s->mcp().notify("x/first");
  auto taken = take_stream(*s);
  s->close_stream(std::move(taken));
  s->mcp().notify("x/second");
  BOOST_TEST(s->open_stream());
  auto streamed = take_stream(*s);
  BOOST_REQUIRE(streamed.size() == 2u);
  BOOST_TEST(method_of(streamed[0]) == "x/first");
  BOOST_TEST(method_of(streamed[1]) == "x/second");
}

// -- the end ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ending_the_session_ends_its_stream_and_its_waiting_requests) {
  auto s = make();
  send_slow(*s, 13, true);
  BOOST_TEST(s->open_stream());
  s->end();
  BOOST_TEST(s->wait_stream(clock_type::now() + long_wait).over);
  auto out = wait(*s, "13");
  BOOST_REQUIRE(out.gave_up.has_value());
  BOOST_TEST(*out.gave_up == "session ended");
  // Nothing piles up for a session that is gone.
  s->mcp().notify("x/after");
  BOOST_TEST(s->wait_stream(clock_type::now()).notifications.empty());
}

BOOST_AUTO_TEST_CASE(stopping_ends_the_stream_at_once_and_requests_at_the_drain_limit) {
  auto s = make();
  send_slow(*s, 14, true);
  s->stop(clock_type::now() + long_wait);
  BOOST_TEST(s->wait_stream(clock_type::now() + long_wait).over);
  // Within the drain the answer still comes.
  BOOST_TEST(kept->result(json::object()));
  BOOST_TEST(wait(*s, "14").answer.has_value());

  kept.reset();
  send_slow(*s, 15, true);
  s->stop(clock_type::now());
  auto out = wait(*s, "15");
  BOOST_REQUIRE(out.gave_up.has_value());
  BOOST_TEST(*out.gave_up == "server stopping");
}

BOOST_AUTO_TEST_SUITE_END()
