// Event router tests with a real actor system: pattern matching, priority order, and handlers
// that throw, die or never answer are counted without affecting the others.
// SPDX-License-Identifier: MIT
#include "actors/event_router.hpp"
#include "actors/system_config.hpp"
#include "actors/timeouts.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <mutex>
#include <thread>

using namespace sage::actors;

namespace {

constexpr auto test_wait = std::chrono::seconds(3); // longest a condition may take to hold
constexpr uint32_t short_handler_timeout_ms = 100;

/// Subscription ids in the order a handler received them, shared with the test thread.
struct delivery_log {
  std::mutex mutex;
  std::vector<uint64_t> ids;
  std::vector<std::string> types;
};

struct recorder_state {
  static inline const char* name = "recorder";
  std::shared_ptr<delivery_log> log;
};

event_handler_actor::behavior_type
recorder(event_handler_actor::stateful_pointer<recorder_state> self,
         std::shared_ptr<delivery_log> log) {
  self->state.log = std::move(log);
  return {[=](atom::deliver, uint64_t id, const event& ev) {
    std::lock_guard<std::mutex> guard{self->state.log->mutex};
    self->state.log->ids.push_back(id);
    self->state.log->types.push_back(ev.type);
    return true;
  }};
}

event_handler_actor::behavior_type thrower(event_handler_actor::pointer) {
  return {[](atom::deliver, uint64_t, const event&) -> bool {
    throw std::runtime_error("injected handler failure");
  }};
}

struct silent_state {
  static inline const char* name = "silent";
  std::vector<caf::typed_response_promise<bool>> never_answered;
};

event_handler_actor::behavior_type
silent(event_handler_actor::stateful_pointer<silent_state> self) {
  return {[=](atom::deliver, uint64_t, const event&) -> caf::result<bool> {
    auto rp = self->make_response_promise<bool>();
    self->state.never_answered.push_back(rp);
    return rp;
  }};
}

event_handler_actor::behavior_type quitter(event_handler_actor::pointer self) {
  return {[=](atom::deliver, uint64_t, const event&) -> caf::result<bool> {
    auto rp = self->make_response_promise<bool>();
    self->quit(caf::exit_reason::user_shutdown); // dies with the request unanswered
    return rp;
  }};
}

struct router_fixture {
  system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  event_router_actor router = sys.spawn(event_router);

  uint64_t subscribe(const caf::actor& handler, std::string pattern, int32_t priority,
                     uint32_t timeout_ms = 5000) {
    uint64_t id = 0;
    self->request(router, timeouts::router_admin, atom::subscribe_v,
                  subscription{std::move(pattern), priority, timeout_ms}, handler)
        .receive([&](uint64_t x) { id = x; },
                 [&](const caf::error& err) { BOOST_FAIL(sys.render(err)); });
    return id;
  }

  router_stats stats() {
    router_stats out;
    self->request(router, timeouts::router_admin, atom::stats_v)
        .receive([&](const router_stats& s) { out = s; },
                 [&](const caf::error& err) { BOOST_FAIL(sys.render(err)); });
    return out;
  }

  void publish(std::string type) {
    self->send(router, atom::publish_v, event{std::move(type), "{}", 0, "test"});
  }

  /// Polls the router until `done(stats)` holds or the test wait runs out.
  template <class Pred> router_stats wait_for(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + test_wait;
    auto s = stats();
    while (!done(s) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      s = stats();
    }
    return s;
  }

  ~router_fixture() { self->send_exit(router, caf::exit_reason::user_shutdown); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(event_router_tests, router_fixture)

BOOST_AUTO_TEST_CASE(matching_subscriptions_receive_in_priority_order) {
  auto log = std::make_shared<delivery_log>();
  auto handler = caf::actor_cast<caf::actor>(sys.spawn(recorder, log));
  auto late = subscribe(handler, "loader.*", 20);
  auto early = subscribe(handler, "*", 10);
  subscribe(handler, "search.*", 5); // does not match loader.changed
  auto glob = subscribe(handler, "loader.chang?d", 30);
  publish("loader.changed");
  auto s = wait_for([](const router_stats& x) { return x.delivered >= 3; });
  BOOST_TEST(s.delivered == 3u);
  BOOST_TEST(s.published == 1u);
  std::lock_guard<std::mutex> guard{log->mutex};
  BOOST_TEST(log->ids == (std::vector<uint64_t>{early, late, glob}));
  self->send_exit(handler, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(failing_handlers_are_counted_and_never_break_the_others) {
  auto log = std::make_shared<delivery_log>();
  auto good = caf::actor_cast<caf::actor>(sys.spawn(recorder, log));
  auto bad = caf::actor_cast<caf::actor>(sys.spawn(thrower));
  auto mute = caf::actor_cast<caf::actor>(sys.spawn(silent));
  auto dying = caf::actor_cast<caf::actor>(sys.spawn(quitter));
  // The failing handlers come first in priority order: the good one must still be served.
  subscribe(bad, "*", 1, short_handler_timeout_ms);
  subscribe(mute, "*", 2, short_handler_timeout_ms);
  subscribe(dying, "*", 3, short_handler_timeout_ms);
  subscribe(good, "*", 4, short_handler_timeout_ms);
  publish("timeout.exceeded");
  auto s = wait_for([](const router_stats& x) {
    return x.delivered + x.failed + x.timed_out >= 4 && x.subscriptions == 2;
  });
  BOOST_TEST(s.delivered == 1u);
  BOOST_TEST(s.failed == 1u); // the thrower: its exception comes back as an error
  // The silent one, and the one that died holding the request (CAF 0.17 sends no error for
  // a promise dropped at exit), are both caught by their timeout.
  BOOST_TEST(s.timed_out == 2u);
  BOOST_TEST(s.subscriptions == 2u, "dead subscribers are dropped");
  // Delivery goes on for the living.
  publish("breaker.opened");
  s = wait_for([](const router_stats& x) { return x.delivered >= 2 && x.timed_out >= 3; });
  BOOST_TEST(s.delivered == 2u);
  BOOST_TEST(s.timed_out == 3u);
  BOOST_TEST(s.failed == 1u);
  std::lock_guard<std::mutex> guard{log->mutex};
  BOOST_TEST(log->types == (std::vector<std::string>{"timeout.exceeded", "breaker.opened"}));
  self->send_exit(good, caf::exit_reason::user_shutdown);
  self->send_exit(mute, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(unsubscribe_stops_delivery) {
  auto log = std::make_shared<delivery_log>();
  auto handler = caf::actor_cast<caf::actor>(sys.spawn(recorder, log));
  auto id = subscribe(handler, "*", 1);
  bool removed = false, again = true;
  self->request(router, timeouts::router_admin, atom::unsubscribe_v, id)
      .receive([&](bool x) { removed = x; }, [&](const caf::error&) {});
  self->request(router, timeouts::router_admin, atom::unsubscribe_v, id)
      .receive([&](bool x) { again = x; }, [&](const caf::error&) {});
  BOOST_TEST(removed);
  BOOST_TEST(!again);
  publish("system.startup");
  auto s = wait_for([](const router_stats& x) { return x.published >= 1; });
  BOOST_TEST(s.delivered == 0u);
  BOOST_TEST(s.subscriptions == 0u);
  self->send_exit(handler, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
