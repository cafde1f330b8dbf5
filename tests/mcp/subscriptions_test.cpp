// MCP resource subscriptions over a real engine that watches a small knowledge base: subscribe
// and unsubscribe answers and errors, `resources/updated` for changed, removed and added
// documents and for layers, `resources/list_changed` to every ready session, and the watch's
// list of live sessions.
// SPDX-License-Identifier: MIT
#include "services/mcp/resource_watch.hpp"
#include "services/mcp/resources.hpp"

#include "mcp/engine_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

using namespace sage::services::mcp;
using namespace sage::services::mcp::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* updated = "notifications/resources/updated";
constexpr const char* list_changed = "notifications/resources/list_changed";
constexpr const char* style_uri = "knowledge://guidelines/STYLE.md";
constexpr const char* security_uri = "knowledge://guidelines/SECURITY.md";

/// The longest a notification may take to come; only reached when it never does.
constexpr auto notification_wait = 20s;

/// The `params.uri` of each notification `method` a recorder holds, in order.
std::vector<std::string> uris_sent(recorder& r, const std::string& method) {
  std::lock_guard lock{r.mutex};
  std::vector<std::string> out;
  for (const auto& m : r.sent)
    if (m.value("method", "") == method)
      out.push_back(m.contains("params") ? m["params"].value("uri", "") : "");
  return out;
}

size_t count_sent(recorder& r, const std::string& method, const std::string& uri = "") {
  auto all = uris_sent(r, method);
  return uri.empty() ? all.size() : static_cast<size_t>(std::count(all.begin(), all.end(), uri));
}

/// Waits until `r` holds at least `n` notifications `method` (about `uri`, when given).
bool wait_for(recorder& r, const std::string& method, const std::string& uri = "", size_t n = 1) {
  auto until = std::chrono::steady_clock::now() + notification_wait;
  while (std::chrono::steady_clock::now() < until) {
    if (count_sent(r, method, uri) >= n) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

/// The lighthouse knowledge base of `engine_fixture`, rebuilt by the engine on file changes.
struct watched_kb : engine_fixture {
  watched_kb() : engine_fixture(resources_page_size, /*watch_files=*/true) {}

  json subscribe(const std::string& uri) { return ok("resources/subscribe", {{"uri", uri}}); }
  json unsubscribe(const std::string& uri) { return ok("resources/unsubscribe", {{"uri", uri}}); }

  /// A change every session hears after all earlier ones (notifications go out in order): an
  /// added document, answered by `list_changed`. Returns once `r` has it.
  void barrier(recorder& r, const std::string& name) {
    auto before = count_sent(r, list_changed);
    kb.write("practices/" + name + ".md", kb_doc(name, "A marker page."));
    BOOST_REQUIRE_MESSAGE(wait_for(r, list_changed, "", before + 1),
                          "no list_changed after adding " << name);
  }

  /// Another ready session on the same server, recording into `r`.
  session ready_session(recorder& r) {
    session_options so;
    so.sink = r.sink();
    session other{srv, std::move(so)};
    BOOST_REQUIRE(other.handle(initialize_text("2025-11-25", 1)));
    other.handle(notification_text("notifications/initialized"));
    BOOST_REQUIRE(other.state() == session_state::ready);
    return other;
  }
};

void check_code(const json& error, int code, const std::string& message_start) {
  BOOST_TEST(error["code"] == code, error.dump());
  BOOST_TEST(error["message"].get<std::string>().starts_with(message_start), error.dump());
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(mcp_subscriptions, watched_kb)

BOOST_AUTO_TEST_CASE(capability_offers_subscriptions_and_list_changes) {
  auto caps = srv->capabilities();
  BOOST_TEST(caps["resources"]["subscribe"] == true);
  BOOST_TEST(caps["resources"]["listChanged"] == true);
}

BOOST_AUTO_TEST_CASE(subscribing_to_a_document_or_a_layer_answers_an_empty_result) {
  BOOST_TEST(subscribe(style_uri) == json::object());
  BOOST_TEST(subscribe("knowledge://frameworks") == json::object());
  BOOST_TEST(subscribe(style_uri) == json::object()); // twice is still one subscription
  BOOST_TEST(s->notifier()->subscribed(style_uri));
  BOOST_TEST(s->notifier()->subscribed("knowledge://frameworks"));
  BOOST_TEST(!s->notifier()->subscribed(security_uri));
}

BOOST_AUTO_TEST_CASE(a_subscription_is_kept_under_the_uri_resources_list_gives) {
  BOOST_TEST(subscribe("knowledge://guidelines/style") == json::object());
  BOOST_TEST(subscribe("knowledge://guidelines/testing%2FSEA_TRIALS.md") == json::object());
  BOOST_TEST(subscribe("knowledge://guidelines/") == json::object());
  BOOST_TEST(s->notifier()->subscribed(style_uri));
  BOOST_TEST(s->notifier()->subscribed("knowledge://guidelines/testing/SEA_TRIALS.md"));
  BOOST_TEST(s->notifier()->subscribed("knowledge://guidelines"));
  BOOST_TEST(!s->notifier()->subscribed("knowledge://guidelines/style"));
}

BOOST_AUTO_TEST_CASE(subscribe_refuses_what_read_refuses) {
  for (const char* uri :
       {"knowledge://nope", "knowledge://guidelines/NOPE.md", "knowledge://core/../../etc/passwd",
        "knowledge://core/%2e%2e/%2e%2e/etc/passwd", "knowledge:///etc/passwd", "/etc/passwd",
        "file:///etc/passwd"}) {
    auto e = fails("resources/subscribe", {{"uri", uri}});
    check_code(e, resource_not_found_code, std::string("resource not found: ") + uri);
    BOOST_TEST(e["data"]["uri"] == uri);
    BOOST_TEST(!s->notifier()->subscribed(uri));
  }
  check_code(fails("resources/subscribe", json::object()), -32602,
             "invalid resources/subscribe params: uri is missing or not a string");
  check_code(fails("resources/subscribe", {{"uri", 42}}), -32602,
             "invalid resources/subscribe params: uri is missing or not a string");
  check_code(fails("resources/subscribe", {{"uri", ""}}), -32602,
             "invalid resources/subscribe params: uri is empty");
  check_code(fails("resources/subscribe", {{"uri", "knowledge://guidelines/%zz.md"}}), -32602,
             "invalid resources/subscribe params: the uri has a broken %-escape");
  check_code(fails("resources/subscribe", {{"uri", "memory://session/abc/handoff"}}), -32602,
             "session handoffs cannot be subscribed to: memory://session/abc/handoff");
  BOOST_TEST(ok("ping") == json::object()); // the session goes on
}

BOOST_AUTO_TEST_CASE(unsubscribe_answers_an_empty_result_also_for_what_was_never_subscribed) {
  subscribe(style_uri);
  BOOST_TEST(unsubscribe(style_uri) == json::object());
  BOOST_TEST(!s->notifier()->subscribed(style_uri));
  BOOST_TEST(unsubscribe(security_uri) == json::object());
  subscribe(style_uri);
  BOOST_TEST(unsubscribe("knowledge://guidelines/style.md") == json::object()); // same document
  BOOST_TEST(!s->notifier()->subscribed(style_uri));

  check_code(fails("resources/unsubscribe", {{"uri", "knowledge://guidelines/NOPE.md"}}),
             resource_not_found_code, "resource not found: knowledge://guidelines/NOPE.md");
  check_code(fails("resources/unsubscribe", {{"uri", "knowledge://core/../../etc/passwd"}}),
             resource_not_found_code, "resource not found: knowledge://core/../../etc/passwd");
  check_code(fails("resources/unsubscribe", {{"uri", true}}), -32602,
             "invalid resources/unsubscribe params: uri is missing or not a string");
}

BOOST_AUTO_TEST_CASE(a_changed_document_is_updated_for_its_subscribers_only) {
  subscribe(style_uri);
  kb.write("guidelines/STYLE.md", kb_doc("Style", "Write about lighthouses, harbours and gulls."));
  BOOST_REQUIRE(wait_for(rec, updated, style_uri));
  kb.write("guidelines/SECURITY.md", kb_doc("Security", "Lock the lamp room at dusk."));
  barrier(rec, "MARKER");
  // Only the subscribed document, and a changed one does not change the list.
  for (const auto& uri : uris_sent(rec, updated))
    BOOST_TEST(uri == style_uri);
  BOOST_TEST(count_sent(rec, list_changed) == 1u); // the marker's
}

BOOST_AUTO_TEST_CASE(no_update_comes_after_unsubscribe) {
  subscribe(style_uri);
  kb.write("guidelines/STYLE.md", kb_doc("Style", "First edit."));
  BOOST_REQUIRE(wait_for(rec, updated, style_uri));
  barrier(rec, "SETTLED"); // every notification of the edit is out
  unsubscribe(style_uri);
  auto before = count_sent(rec, updated, style_uri);
  kb.write("guidelines/STYLE.md", kb_doc("Style", "Second edit, after unsubscribing."));
  barrier(rec, "MARKER");
  BOOST_TEST(count_sent(rec, updated, style_uri) == before);
}

BOOST_AUTO_TEST_CASE(a_layer_subscription_is_updated_when_a_document_of_the_layer_changes) {
  subscribe("knowledge://guidelines");
  kb.write("frameworks/BEACON.md", kb_doc("Beacon", "Another framework text."));
  kb.write("guidelines/SECURITY.md", kb_doc("Security", "Lock the lamp room at dusk."));
  BOOST_REQUIRE(wait_for(rec, updated, "knowledge://guidelines"));
  for (const auto& uri : uris_sent(rec, updated))
    BOOST_TEST(uri == "knowledge://guidelines");
}

BOOST_AUTO_TEST_CASE(an_added_document_changes_the_list_for_every_ready_session) {
  recorder other_rec, waiting_rec;
  auto other = ready_session(other_rec);
  // Initialized but not ready (no notifications/initialized): no notifications yet.
  session_options so;
  so.sink = waiting_rec.sink();
  session waiting{srv, std::move(so)};
  BOOST_REQUIRE(waiting.handle(initialize_text("2025-11-25", 1)));

  kb.write("guidelines/NEW.md", kb_doc("New", "A new page about foghorns."));
  BOOST_REQUIRE(wait_for(rec, list_changed));
  BOOST_REQUIRE(wait_for(other_rec, list_changed));
  BOOST_TEST(count_sent(waiting_rec, list_changed) == 0u);
  BOOST_TEST(count_sent(rec, updated) == 0u); // nobody subscribed
  auto listed = ok("resources/list")["resources"];
  BOOST_TEST(std::any_of(listed.begin(), listed.end(), [](const json& r) {
    return r["uri"] == "knowledge://guidelines/NEW.md";
  }));
}

BOOST_AUTO_TEST_CASE(a_removed_document_changes_the_list_and_updates_its_subscribers) {
  subscribe(security_uri);
  subscribe(style_uri);
  std::filesystem::remove(kb / "guidelines/SECURITY.md");
  BOOST_REQUIRE(wait_for(rec, list_changed));
  BOOST_TEST(count_sent(rec, updated, security_uri) >= 1u);
  BOOST_TEST(count_sent(rec, updated, style_uri) == 0u);
  BOOST_TEST(fails("resources/read", {{"uri", security_uri}})["code"] == resource_not_found_code);
  // Unsubscribing from what is gone works with the URI as subscribed.
  BOOST_TEST(unsubscribe(security_uri) == json::object());
  BOOST_TEST(!s->notifier()->subscribed(security_uri));
}

BOOST_AUTO_TEST_CASE(a_document_added_back_updates_its_old_subscribers) {
  subscribe(security_uri);
  std::filesystem::remove(kb / "guidelines/SECURITY.md");
  BOOST_REQUIRE(wait_for(rec, updated, security_uri));
  auto after_removal = count_sent(rec, updated, security_uri);
  kb.write("guidelines/SECURITY.md", kb_doc("Security", "Back again."));
  BOOST_REQUIRE(wait_for(rec, updated, security_uri, after_removal + 1));
}

BOOST_AUTO_TEST_CASE(sessions_that_are_gone_are_dropped_from_the_watch) {
  BOOST_TEST(watch->sessions() == 1u);
  BOOST_TEST(!watch->failure().has_value());
  {
    recorder other_rec;
    auto other = ready_session(other_rec);
    BOOST_TEST(watch->sessions() == 2u);
  }
  BOOST_TEST(watch->sessions() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// -- the watch on its own -----------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(mcp_resource_watch, session_fixture)

BOOST_AUTO_TEST_CASE(a_payload_names_what_is_notified) {
  resource_watch watch;
  srv->observe_sessions([&watch](const auto& n) { watch.add(n); });
  auto s = ready_session();
  s.notifier()->subscribe("knowledge://core/A.md");
  s.notifier()->subscribe("knowledge://practices");
  watch.changed(json::parse(R"({"uris": {"added": [], "changed": ["knowledge://core/A.md",
      "knowledge://core/B.md"], "removed": ["knowledge://practices/C.md"]}})"));
  BOOST_TEST(uris_sent(rec, updated) ==
             (std::vector<std::string>{"knowledge://core/A.md", "knowledge://practices"}));
  BOOST_TEST(count_sent(rec, list_changed) == 1u);

  watch.changed(json::parse(R"({"uris": {"changed": ["knowledge://core/A.md"]}})"));
  BOOST_TEST(count_sent(rec, updated) == 3u);
  BOOST_TEST(count_sent(rec, list_changed) == 1u); // a change alone leaves the list as it was

  watch.changed(json::parse(R"({"added": ["core/A.md"], "uris": 7})")); // nothing it can use
  BOOST_TEST(count_sent(rec, updated) == 3u);
  BOOST_TEST(count_sent(rec, list_changed) == 1u);
}

BOOST_AUTO_TEST_CASE(sessions_without_a_sink_are_not_kept) {
  resource_watch watch;
  srv->observe_sessions([&watch](const auto& n) { watch.add(n); });
  auto quiet = ready_session(/*with_sink=*/false);
  BOOST_TEST(watch.sessions() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
