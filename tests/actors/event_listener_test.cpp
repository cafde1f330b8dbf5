// Event listeners over a real engine: matching events reach the callback in order, a handle that
// goes unsubscribes, a throwing callback is counted and hears later events, a restarted router
// is followed, and `loader.changed` names the documents by path and URI.
// SPDX-License-Identifier: MIT
#include "actors/event_listener.hpp"

#include "actors/engine.hpp"
#include "actors/event_publisher.hpp"

#include "core/kb_loader.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

using namespace sage;
using namespace std::chrono_literals;

namespace {

constexpr auto test_wait = 5s; // longest a condition may take to hold; never reached when it works

/// Event types a callback saw, shared with the test thread.
struct heard {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<actors::event> events;

  actors::event_callback callback() {
    return [this](const actors::event& ev) {
      {
        std::lock_guard lock{mutex};
        events.push_back(ev);
      }
      changed.notify_all();
    };
  }

  /// Waits until an event of `type` was heard.
  std::optional<actors::event> wait_for(const std::string& type) {
    std::unique_lock lock{mutex};
    std::optional<actors::event> found;
    changed.wait_for(lock, test_wait, [&] {
      for (const auto& e : events)
        if (e.type == type) found = e;
      return found.has_value();
    });
    return found;
  }

  std::vector<std::string> types() {
    std::lock_guard lock{mutex};
    std::vector<std::string> out;
    for (const auto& e : events)
      out.push_back(e.type);
    return out;
  }
};

struct listener_fixture {
  test::temp_dir dir;
  std::unique_ptr<actors::engine> engine;

  explicit listener_fixture(bool watch = false) {
    dir.write("INDEX.md", "---\ntitle: Index\n---\n\n# Index\n\nStart here.\n");
    dir.write("guidelines/STYLE.md", "---\ntitle: Style\n---\n\n# Style\n\nWrite well.\n");
    auto cfg = core::default_config();
    cfg.kb_path = dir.path().string();
    cfg.cache_enabled = false;
    cfg.kb_watch_debounce = 50ms;
    cfg.engine.shutdown_grace = 1s;
    auto tokens = core::token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE(tokens);
    core::kb_load_options opts;
    opts.root = dir.path();
    auto kb = core::load_knowledge_base(cfg, opts);
    BOOST_REQUIRE(kb);
    actors::engine_options eo;
    eo.workers = 1;
    eo.watch = watch;
    engine = actors::engine::start(cfg, std::move(*tokens), std::move(*kb), eo);
    BOOST_REQUIRE(engine->await_ready());
  }

  actors::event_router_actor router() {
    caf::scoped_actor self{engine->system()};
    caf::actor out;
    self->request(engine->node(), 2s, actors::atom::worker_v, std::string("event_router"))
        .receive([&](caf::actor& a) { out = std::move(a); }, [](caf::error&) {});
    return caf::actor_cast<actors::event_router_actor>(out);
  }

  void publish(const std::string& type) {
    actors::publish(router(), type, nlohmann::json::object(), "test");
  }

  actors::router_stats stats() {
    caf::scoped_actor self{engine->system()};
    actors::router_stats out;
    self->request(router(), 2s, actors::atom::stats_v)
        .receive([&](actors::router_stats& s) { out = s; }, [](caf::error&) {});
    return out;
  }

  /// Polls until `cond` holds or the test wait passes.
  template <class F> bool eventually(F cond) {
    auto until = std::chrono::steady_clock::now() + test_wait;
    while (std::chrono::steady_clock::now() < until) {
      if (cond()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return cond();
  }
};

struct watching_fixture : listener_fixture {
  watching_fixture() : listener_fixture(true) {}
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(event_listener_tests, listener_fixture)

BOOST_AUTO_TEST_CASE(matching_events_reach_the_callback_in_publication_order) {
  heard h;
  auto l = actors::listen(*engine, "test.*", h.callback());
  BOOST_REQUIRE(l);
  BOOST_TEST(l->pattern() == "test.*");
  publish("test.one");
  publish("other.two");
  publish("test.three");
  BOOST_REQUIRE(h.wait_for("test.three"));
  BOOST_TEST(h.types() == (std::vector<std::string>{"test.one", "test.three"}));
}

BOOST_AUTO_TEST_CASE(a_handle_that_goes_unsubscribes_and_its_callback_is_never_called_again) {
  heard gone, witness;
  auto before = stats().subscriptions;
  auto w = actors::listen(*engine, "*", witness.callback());
  BOOST_REQUIRE(w);
  {
    auto l = actors::listen(*engine, "test.*", gone.callback());
    BOOST_REQUIRE(l);
    BOOST_TEST(stats().subscriptions == before + 2);
    publish("test.before");
    BOOST_REQUIRE(gone.wait_for("test.before"));
  }
  BOOST_TEST(eventually([&] { return stats().subscriptions == before + 1; }));
  publish("test.after");
  BOOST_REQUIRE(witness.wait_for("test.after"));
  BOOST_TEST(gone.types() == (std::vector<std::string>{"test.before"}));
}

BOOST_AUTO_TEST_CASE(stop_is_immediate_and_the_destructor_then_does_nothing) {
  heard h;
  auto l = actors::listen(*engine, "test.*", h.callback());
  BOOST_REQUIRE(l);
  l->stop();
  publish("test.after_stop");
  heard witness;
  auto w = actors::listen(*engine, "*", witness.callback());
  BOOST_REQUIRE(w);
  publish("test.witnessed");
  BOOST_REQUIRE(witness.wait_for("test.witnessed"));
  BOOST_TEST(h.types().empty());
}

BOOST_AUTO_TEST_CASE(a_callback_that_throws_is_counted_and_hears_later_events) {
  heard h;
  auto l = actors::listen(*engine, "test.*", [&h](const actors::event& ev) {
    if (ev.type == "test.bad") throw std::runtime_error("injected callback failure");
    h.callback()(ev);
  });
  BOOST_REQUIRE(l);
  publish("test.bad");
  publish("test.good");
  BOOST_REQUIRE(h.wait_for("test.good"));
  BOOST_TEST(eventually([&] { return stats().failed >= 1; }));
}

BOOST_AUTO_TEST_CASE(a_restarted_router_is_followed) {
  heard h;
  auto l = actors::listen(*engine, "test.*", h.callback());
  BOOST_REQUIRE(l);
  auto old = router();
  caf::anon_send_exit(old, caf::exit_reason::kill);
  // The node restarts the router after a back-off; the relay subscribes to the new one.
  BOOST_REQUIRE(eventually([&] {
    auto now = router();
    return now && now != old;
  }));
  BOOST_TEST(eventually([&] {
    publish("test.ping");
    auto types = h.types();
    return std::find(types.begin(), types.end(), "test.ping") != types.end();
  }));
}

BOOST_AUTO_TEST_CASE(listening_to_a_stopped_engine_fails_without_hanging) {
  engine->stop();
  heard h;
  auto l = actors::listen(*engine, "*", h.callback());
  BOOST_TEST(!l);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(event_listener_watch_tests, watching_fixture)

BOOST_AUTO_TEST_CASE(loader_changed_names_documents_by_path_and_uri) {
  heard h;
  auto l = actors::listen(*engine, "loader.changed", h.callback());
  BOOST_REQUIRE(l);
  dir.write("guidelines/NEW.md", "---\ntitle: New\n---\n\n# New\n\nFresh.\n");
  auto ev = h.wait_for("loader.changed");
  BOOST_REQUIRE(ev);
  auto payload = nlohmann::json::parse(ev->payload);
  BOOST_TEST(payload["added"] == nlohmann::json::array({"guidelines/NEW.md"}));
  BOOST_TEST(payload["uris"]["added"] == nlohmann::json::array({"knowledge://guidelines/NEW.md"}));
  BOOST_TEST(payload["uris"]["changed"].empty());
  BOOST_TEST(payload["uris"]["removed"].empty());
}

BOOST_AUTO_TEST_SUITE_END()
