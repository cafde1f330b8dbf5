// `GET /v1/events` of `sage serve` with curl as the client: events caused by other requests
// arrive as server-sent events, filtered by the pattern; bad patterns, the stream cap and
// shutting down with streams open.
// SPDX-License-Identifier: MIT
#include "support/api_server_process.hpp"

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <thread>

using namespace std::chrono_literals;
using nlohmann::json;
using sage::test::api_server_process;
using sage::test::child_process;
using sage::test::temp_dir;

namespace {

constexpr auto event_limit = 20s;

/// `curl -N` reading `/v1/events?pattern=...` into a file until it ends or is stopped.
class event_reader : public child_process {
public:
  event_reader(const temp_dir& dir, const api_server_process& server, const std::string& query,
               const std::string& name)
      : child_process("/usr/bin/curl",
                      {"-s", "-N", "-i", "--max-time", "60", server.base() + "/v1/events" + query},
                      dir.path(), name),
        name_(name) {}

  /// Waits until the stream is open (its first comment arrived).
  void wait_open() {
    BOOST_REQUIRE_MESSAGE(
        wait_until([&] { return out().find(": listening for") != std::string::npos; }, event_limit),
        "the event stream did not open: " << name_ << "\n"
                                          << out() << err());
  }

  /// The `data` of each event of type `type` received so far.
  std::vector<json> events(const std::string& type) const {
    std::vector<json> found;
    auto text = out();
    const std::string head = "event: " + type + "\ndata: ";
    for (auto at = text.find(head); at != std::string::npos; at = text.find(head, at + 1)) {
      auto start = at + head.size();
      found.push_back(json::parse(text.substr(start, text.find('\n', start) - start)));
    }
    return found;
  }

  bool wait_for(const std::string& type) {
    return wait_until([&] { return !events(type).empty(); }, event_limit);
  }

private:
  std::string name_;
};

api_server_process& server() {
  static temp_dir home;
  static api_server_process process(home);
  static bool started = (process.wait_for_listening(), true);
  (void)started;
  return process;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_events)

BOOST_AUTO_TEST_CASE(events_caused_by_other_requests_arrive_filtered_by_the_pattern) {
  auto& s = server();
  temp_dir dir;
  event_reader memory(dir, s, "?pattern=memory.*", "memory-events");
  event_reader all(dir, s, "", "all-events");
  memory.wait_open();
  all.wait_open();
  BOOST_TEST(memory.out().find("Content-Type: text/event-stream") != std::string::npos);
  BOOST_TEST(memory.out().find("X-Request-ID: ") != std::string::npos);

  auto started = s.send_json("POST", "/v1/sessions", {{"objective", "watch the events"}});
  BOOST_REQUIRE_MESSAGE(started.status == 201 || started.status == 200, started.body);
  auto created = s.send_json("POST", "/v1/memory", {{"content", "events reach the stream"}});
  BOOST_REQUIRE_MESSAGE(created.status == 201, created.body);
  auto id = created.json()["id"].get<std::string>();

  BOOST_REQUIRE_MESSAGE(memory.wait_for("memory.added"), memory.out());
  auto added = memory.events("memory.added").front();
  BOOST_TEST(added["type"] == "memory.added");
  BOOST_TEST(added["published_ms"].get<int64_t>() > 0);
  BOOST_TEST(added["payload"].is_object());
  BOOST_TEST(added["payload"].dump().find(id) != std::string::npos, added.dump());
  // `*` hears both; `memory.*` only the memory event.
  BOOST_REQUIRE_MESSAGE(all.wait_for("session.started"), all.out());
  BOOST_REQUIRE_MESSAGE(all.wait_for("memory.added"), all.out());
  BOOST_TEST(memory.events("session.started").empty(), memory.out());
  BOOST_TEST(memory.out().find("id: 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_pattern_is_a_400_with_a_hint) {
  auto& s = server();
  for (const char* query :
       {"?pattern=", "?pattern=memory%0Aevent:%20x", "?pattern=../etc", "?pattern=a%20b"}) {
    auto r = s.get(std::string("/v1/events") + query);
    BOOST_TEST_CONTEXT(query << ": " << r.body) {
      BOOST_TEST(r.status == 400);
      BOOST_TEST(r.json()["error"]["details"]["hint"].get<std::string>().find("glob") !=
                 std::string::npos);
    }
  }
  auto long_pattern = s.get("/v1/events?pattern=" + std::string(129, 'a'));
  BOOST_TEST(long_pattern.status == 400);
}

BOOST_AUTO_TEST_CASE(streams_beyond_the_cap_get_503_and_a_closed_one_frees_its_place) {
  temp_dir home;
  api_server_process s(home, {}, {"SAGE_SERVER__MAX_EVENT_STREAMS=1"});
  s.wait_for_listening();
  temp_dir dir;
  {
    event_reader first(dir, s, "", "first");
    first.wait_open();
    auto second = s.get("/v1/events");
    BOOST_TEST(second.status == 503);
    BOOST_TEST(second.json()["error"]["code"] == "unavailable");
    BOOST_TEST(second.json()["error"]["details"]["hint"].get<std::string>().find(
                   "server.max_event_streams") != std::string::npos);
    first.kill();
  }
  // The server notices the client gone at a probe write (within about two seconds).
  auto deadline = std::chrono::steady_clock::now() + event_limit;
  bool reopened = false;
  for (int attempt = 0; !reopened && std::chrono::steady_clock::now() < deadline; ++attempt) {
    event_reader again(dir, s, "", "again-" + std::to_string(attempt));
    BOOST_REQUIRE(again.wait_until(
        [&] {
          return again.out().find(": listening for") != std::string::npos ||
                 again.out().find(" 503 ") != std::string::npos;
        },
        event_limit));
    reopened = again.out().find(": listening for") != std::string::npos;
    if (!reopened) std::this_thread::sleep_for(250ms);
  }
  BOOST_TEST(reopened, "the place of a closed stream was never freed");
}

BOOST_AUTO_TEST_CASE(sigterm_ends_open_streams_and_the_server_exits_zero) {
  temp_dir home;
  api_server_process s(home);
  s.wait_for_listening();
  temp_dir dir;
  event_reader reader(dir, s, "?pattern=*", "reader");
  reader.wait_open();
  s.signal(SIGTERM);
  auto code = s.wait(15s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "sage serve did not stop with a stream open");
  BOOST_TEST(*code == 0);
  // curl saw the stream end (the chunked body finished), not its own time limit.
  auto curl_code = reader.wait(15s);
  BOOST_REQUIRE(curl_code.has_value());
  BOOST_TEST(*curl_code == 0, reader.out());
}

BOOST_AUTO_TEST_SUITE_END()
