// The memory, session and budget routes of `sage serve`'s HTTP API driven with curl: a session
// from start to end, entries created, queried, changed and deleted, checkpoints restored, the
// budget checked and tokens reserved.
// SPDX-License-Identifier: MIT
#include "support/api_server_process.hpp"

#include <boost/test/unit_test.hpp>

using nlohmann::json;
using sage::test::api_server_process;
using sage::test::http_reply;
using sage::test::temp_dir;

namespace {

api_server_process& server() {
  static temp_dir home;
  static api_server_process process(home);
  static bool started = (process.wait_for_listening(), true);
  (void)started;
  return process;
}

const std::string unknown_id = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

std::string start_session(const std::string& objective) {
  auto r = server().send_json("POST", "/v1/sessions",
                              {{"objective", objective}, {"steps", {"write tests", "implement"}}});
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json()["id"].get<std::string>();
}

void check_status(const http_reply& r, int status) {
  BOOST_TEST(r.status == status, "status " << r.status << " body " << r.body.substr(0, 300));
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_memory_api)

BOOST_AUTO_TEST_CASE(an_entry_is_created_read_changed_found_and_deleted) {
  auto& s = server();
  auto session = start_session("remember things over http");
  auto created = s.send_json("POST", "/v1/memory",
                             {{"content", "retry idempotent calls only"},
                              {"type", "decision"},
                              {"priority", "HIGH"},
                              {"session_id", session},
                              {"tags", {"http", "retry"}},
                              {"metadata", {{"source", "test"}}}});
  check_status(created, 201);
  auto entry = created.json();
  auto id = entry["id"].get<std::string>();
  BOOST_TEST(created.header("location") == "/v1/memory/" + id);
  BOOST_TEST(entry["type"] == "decision");
  BOOST_TEST(entry["priority"] == 70);
  BOOST_TEST(entry["tokens"].get<int>() > 0);

  auto read = s.get("/v1/memory/" + id);
  check_status(read, 200);
  BOOST_TEST(read.json()["content"] == "retry idempotent calls only");

  auto changed = s.send_json("PATCH", "/v1/memory/" + id,
                             {{"priority", 90}, {"tags", {"http"}}, {"metadata", {{"x", 1}}}});
  check_status(changed, 200);
  BOOST_TEST(changed.json()["priority"] == 90);
  BOOST_TEST(changed.json()["tags"] == json::array({"http"}));
  BOOST_TEST(changed.json()["metadata"]["source"] == "test");
  BOOST_TEST(changed.json()["metadata"]["x"] == 1);

  auto found = s.get("/v1/memory?session=" + session + "&q=idempotent&tag=http");
  check_status(found, 200);
  BOOST_TEST(found.json()["count"] == 1);
  BOOST_TEST(found.json()["entries"][0]["id"] == id);
  BOOST_TEST(found.json()["next_cursor"].is_null());
  auto none = s.get("/v1/memory?session=" + session + "&type=artifact");
  BOOST_TEST(none.json()["count"] == 0);

  auto deleted = s.request("DELETE", "/v1/memory/" + id);
  check_status(deleted, 200);
  BOOST_TEST(deleted.json()["deleted"] == id);
  check_status(s.get("/v1/memory/" + id), 404);
}

BOOST_AUTO_TEST_CASE(memory_queries_page_with_a_cursor) {
  auto& s = server();
  auto session = start_session("paging");
  for (int i = 0; i < 5; ++i)
    check_status(s.send_json("POST", "/v1/memory",
                             {{"content", "note " + std::to_string(i)}, {"session_id", session}}),
                 201);
  auto first = s.get("/v1/memory?session=" + session + "&limit=3");
  BOOST_TEST(first.json()["count"] == 3);
  auto cursor = first.json()["next_cursor"].get<std::string>();
  auto second = s.get("/v1/memory?session=" + session + "&limit=3&cursor=" + cursor);
  BOOST_TEST(second.json()["count"] == 2);
  BOOST_TEST(second.json()["next_cursor"].is_null());
}

BOOST_AUTO_TEST_CASE(bad_memory_requests_are_refused_with_the_reason) {
  auto& s = server();
  auto check = [](const http_reply& r, int status, const std::string& part) {
    BOOST_TEST_CONTEXT(r.body) {
      BOOST_TEST(r.status == status);
      BOOST_TEST(r.json()["error"]["message"].get<std::string>().find(part) != std::string::npos);
    }
  };
  check(s.send_json("POST", "/v1/memory", {{"content", ""}}), 400, "`content` must not be empty");
  check(s.send_json("POST", "/v1/memory", {{"content", "x"}, {"type", "poem"}}), 400,
        "`type` must be one of");
  check(s.send_json("POST", "/v1/memory", {{"content", "x"}, {"priority", "URGENT"}}), 400,
        "priority");
  check(s.send_json("POST", "/v1/memory", {{"content", "x"}, {"session_id", "nope"}}), 400,
        "not a UUID");
  check(s.get("/v1/memory/not-a-uuid"), 400, "not a UUID");
  check(s.get("/v1/memory/" + unknown_id), 404, "");
  check(s.send_json("PATCH", "/v1/memory/" + unknown_id, json::object()), 400, "nothing to change");
  check(s.request("DELETE", "/v1/memory/" + unknown_id), 404, "");
  check(s.get("/v1/memory?min_priority=HIGH&max_priority=LOW"), 400, "above");
  check(s.get("/v1/memory?order=random"), 400, "`order` must be one of");
}

BOOST_AUTO_TEST_CASE(a_session_runs_from_start_to_end_over_http) {
  auto& s = server();
  auto id = start_session("ship the http api");
  auto listed = s.get("/v1/sessions?status=active");
  check_status(listed, 200);
  bool present = false;
  auto sessions = listed.json()["sessions"];
  for (const auto& x : sessions)
    present = present || x["id"] == id;
  BOOST_TEST(present);

  auto status = s.get("/v1/sessions/" + id);
  check_status(status, 200);
  BOOST_TEST(status.json()["session"]["objective"] == "ship the http api");
  BOOST_TEST(status.json()["checkpoints"].is_array());
  BOOST_TEST(status.json()["budget"]["level"] == "normal");

  auto updated = s.send_json(
      "PATCH", "/v1/sessions/" + id,
      {{"complete_step", 0}, {"last_action", "wrote tests"}, {"decision", "use curl in tests"}});
  check_status(updated, 200);
  BOOST_TEST(updated.json()["steps"][0]["done"] == true);
  BOOST_TEST(updated.json()["last_action"] == "wrote tests");

  auto step = s.send_json("POST", "/v1/sessions/" + id + "/steps", {{"text", "document"}});
  check_status(step, 200);
  BOOST_TEST(step.json()["steps"].size() == 3u);

  auto cp = s.send_json("POST", "/v1/sessions/" + id + "/checkpoints", {{"label", "halfway"}});
  check_status(cp, 201);
  auto checkpoint_id = cp.json()["id"].get<std::string>();
  BOOST_TEST(cp.json()["label"] == "halfway");
  check_status(s.request("POST", "/v1/sessions/" + id + "/checkpoints"), 201); // no body: no label
  auto cps = s.get("/v1/sessions/" + id + "/checkpoints");
  BOOST_TEST(cps.json()["count"] == 2);

  auto handoff = s.get("/v1/sessions/" + id + "/handoff?max_tokens=500");
  check_status(handoff, 200);
  BOOST_TEST(handoff.json()["markdown"].get<std::string>().find("ship the http api") !=
             std::string::npos);
  BOOST_TEST(handoff.json()["tokens"].get<int>() <= 500);

  auto ended = s.request("POST", "/v1/sessions/" + id + "/end");
  check_status(ended, 200);
  BOOST_TEST(ended.json()["status"] == "ended");

  auto restored = s.request("POST", "/v1/checkpoints/" + checkpoint_id + "/restore");
  check_status(restored, 200);
  BOOST_TEST(restored.json()["objective"] == "ship the http api");
}

BOOST_AUTO_TEST_CASE(bad_session_requests_are_refused) {
  auto& s = server();
  check_status(s.send_json("POST", "/v1/sessions", json::object()), 400);
  check_status(s.send_json("POST", "/v1/sessions", {{"objective", "x"}, {"steps", "one"}}), 400);
  check_status(s.get("/v1/sessions/" + unknown_id), 404);
  check_status(s.get("/v1/sessions/not-a-uuid"), 400);
  check_status(s.get("/v1/sessions?status=sleeping"), 400);
  auto id = start_session("bad updates");
  check_status(s.send_json("PATCH", "/v1/sessions/" + id, json::object()), 400);
  check_status(s.send_json("PATCH", "/v1/sessions/" + id, {{"complete_step", 99}}), 400);
  check_status(s.request("POST", "/v1/checkpoints/" + unknown_id + "/restore"), 404);
}

BOOST_AUTO_TEST_CASE(the_budget_reports_checks_and_reserves) {
  auto& s = server();
  auto id = start_session("budgeting");
  auto report = s.get("/v1/budget?session=" + id);
  check_status(report, 200);
  BOOST_TEST(report.json()["level"] == "normal");
  BOOST_TEST(report.json()["status"]["available"] == 124000);
  BOOST_TEST(!report.json()["recommendations"].empty());

  auto fits = s.get("/v1/budget?session=" + id + "&check=500");
  check_status(fits, 200);
  BOOST_TEST(fits.json()["fits"] == true);
  BOOST_TEST(fits.json()["tokens"] == 500);
  auto too_much = s.get("/v1/budget?session=" + id + "&check=200000");
  BOOST_TEST(too_much.json()["fits"] == false);

  auto all = s.get("/v1/budget");
  check_status(all, 200);
  BOOST_TEST(all.json()["count"].get<int>() >= 1);

  auto held =
      s.send_json("POST", "/v1/budget/reservations", {{"session_id", id}, {"tokens", 1000}});
  check_status(held, 201);
  auto reservation = held.json()["id"].get<std::string>();
  auto after = s.get("/v1/budget?session=" + id);
  BOOST_TEST(after.json()["status"]["reserved_by_reservations"] == 1000);
  auto committed = s.request("POST", "/v1/budget/reservations/" + reservation + "/commit");
  check_status(committed, 200);
  BOOST_TEST(committed.json()["status"] == "committed");
  BOOST_TEST(s.request("POST", "/v1/budget/reservations/" + reservation + "/release").status >=
             400);

  auto other =
      s.send_json("POST", "/v1/budget/reservations", {{"session_id", id}, {"tokens", 10}}).json();
  auto released =
      s.request("POST", "/v1/budget/reservations/" + other["id"].get<std::string>() + "/release");
  check_status(released, 200);
  BOOST_TEST(released.json()["status"] == "released");

  check_status(s.get("/v1/budget?check=5"), 400);
  check_status(s.get("/v1/budget?session=" + unknown_id), 404);
  check_status(s.send_json("POST", "/v1/budget/reservations", {{"session_id", id}}), 400);
  check_status(s.request("POST", "/v1/budget/reservations/" + unknown_id + "/commit"), 404);
}

BOOST_AUTO_TEST_CASE(metadata_nested_75000_deep_is_refused_and_the_server_goes_on) {
  auto& s = server();
  // 150 KB of nesting overflowed the stack of `sage serve` while the body was parsed.
  const std::string deep = R"({"a":)" + std::string(75000, '[') + std::string(75000, ']') + "}";
  auto id = s.send_json("POST", "/v1/memory", {{"content", "to patch"}}).json()["id"];
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/memory"}, {"PATCH", "/v1/memory/" + id.get<std::string>()}}) {
    auto r = s.request(method, path, {"Content-Type: application/json"},
                       R"({"content":"x","metadata":)" + deep + "}");
    BOOST_TEST_CONTEXT(method << " " << r.body.substr(0, 300)) {
      BOOST_TEST(r.status == 400);
      BOOST_TEST(r.json()["error"]["message"] ==
                 "the request body nests objects and arrays deeper than 64 levels");
      BOOST_TEST(r.json()["error"]["details"]["hint"] ==
                 "nest objects and arrays at most 64 levels deep");
    }
  }
  // A NUL byte ended the body for the JSON parser; the rest was ignored.
  auto nul = s.request("POST", "/v1/memory", {"Content-Type: application/json"},
                       R"({"content":"x"})" + std::string("\0GARBAGE", 8));
  BOOST_TEST(nul.status == 400, nul.body);
  BOOST_TEST(nul.json()["error"]["details"]["detail"].get<std::string>().find(
                 "holds a NUL byte at offset 15") != std::string::npos,
             nul.body);
  // Nesting within the limit is fine, and the server still serves.
  auto fine = s.send_json("POST", "/v1/memory",
                          {{"content", "fine"}, {"metadata", {{"a", {{{"b", {1, 2}}}}}}}});
  check_status(fine, 201);
  check_status(s.get("/v1/memory/" + fine.json()["id"].get<std::string>()), 200);
}

BOOST_AUTO_TEST_CASE(session_texts_over_their_limits_get_413_and_lists_page) {
  auto& s = server();
  // Megabyte objectives made one status call take seconds; every session field has a limit.
  auto big = s.send_json("POST", "/v1/sessions", {{"objective", std::string(1 << 20, 'o')}});
  check_status(big, 413);
  BOOST_TEST(big.json()["error"]["message"].get<std::string>().find(
                 "`objective` is too long: 1048576 bytes, at most 8192") != std::string::npos,
             big.body.substr(0, 300));
  check_status(s.send_json("POST", "/v1/sessions",
                           {{"objective", "x"}, {"steps", std::vector<std::string>(101, "s")}}),
               413);
  auto id = start_session("limits");
  check_status(
      s.send_json("PATCH", "/v1/sessions/" + id, {{"last_result", std::string(8193, 'r')}}), 413);
  check_status(
      s.send_json("POST", "/v1/sessions/" + id + "/steps", {{"text", std::string(1025, 's')}}),
      413);
  check_status(s.send_json("POST", "/v1/sessions/" + id + "/checkpoints",
                           {{"label", std::string(1025, 'l')}}),
               413);
  // Within the limits all is well.
  check_status(
      s.send_json("PATCH", "/v1/sessions/" + id, {{"last_result", std::string(8192, 'r')}}), 200);

  // Lists come in pages: each session once, newest first, following next_cursor.
  for (int i = 0; i < 4; ++i)
    start_session("page " + std::to_string(i));
  auto all = s.get("/v1/sessions?limit=500").json();
  BOOST_TEST(all["next_cursor"].is_null());
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = s.get("/v1/sessions?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    check_status(page, 200);
    auto body = page.json();
    BOOST_TEST(body["sessions"].size() <= 2u);
    for (const auto& x : body["sessions"])
      seen.push_back(x["id"].get<std::string>());
    if (body["next_cursor"].is_null()) break;
    cursor = body["next_cursor"].get<std::string>();
  }
  BOOST_REQUIRE_EQUAL(seen.size(), all["sessions"].size());
  for (size_t i = 0; i < seen.size(); ++i)
    BOOST_TEST(seen[i] == all["sessions"][i]["id"].get<std::string>());
  check_status(s.get("/v1/sessions?limit=501"), 400);
  check_status(s.get("/v1/sessions?cursor=" + unknown_id), 400);
}

BOOST_AUTO_TEST_SUITE_END()
