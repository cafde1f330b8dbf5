// The timeout supervisor against an injectable loader that answers, fails, stalls or stalls
// after handing over part of an answer: deadlines, partial and fallback answers, breaker
// transitions and the events they publish.
// SPDX-License-Identifier: MIT
#include "actors/error.hpp"
#include "actors/event_collector.hpp"
#include "actors/event_router.hpp"
#include "actors/system_config.hpp"
#include "actors/timeout_supervisor.hpp"

#include "core/fallback.hpp"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <thread>

using namespace sage;
using namespace sage::actors;
using namespace std::chrono_literals;

namespace {

constexpr auto layer_deadline = 200ms; // T3: get and search
constexpr auto cache_deadline = 60ms;  // T1: info and documents
constexpr auto breaker_reset = 300ms;
constexpr auto margin = 50ms; // the bound on answering after the deadline

/// What the fake loader does with the next requests.
enum class behaviour { answer, fail, not_found, stall, partial_then_stall, gave_up, bounce_once };

struct script {
  std::atomic<behaviour> mode{behaviour::answer};
  std::atomic<int> calls{0};
};

struct fake_loader_state {
  static inline const char* name = "fake_loader";
  std::shared_ptr<script> plan;
  std::vector<caf::typed_response_promise<core::load_result>> stalled; ///< never delivered
  std::vector<caf::typed_response_promise<core::search_answer>> stalled_searches;
  std::vector<caf::typed_response_promise<core::kb_info>> stalled_infos;
};

core::load_result answer_text(std::string text) {
  core::load_result r;
  r.content = std::move(text);
  r.tokens = 3;
  r.sections = {{"a.md#a", 3, 1.0}};
  return r;
}

loader_actor::behavior_type fake_loader(loader_actor::stateful_pointer<fake_loader_state> self,
                                        std::shared_ptr<script> plan) {
  self->state.plan = std::move(plan);
  auto load = [self](const job& j) -> caf::result<core::load_result> {
    auto& st = self->state;
    ++st.plan->calls;
    switch (st.plan->mode.load()) {
    case behaviour::answer:
      return answer_text("the whole answer");
    case behaviour::fail:
      return caf::make_error(ec::internal, "injected failure");
    case behaviour::not_found:
      return caf::make_error(ec::not_found, "no such document: x");
    case behaviour::gave_up: // a worker that stopped at its deadline
      return caf::make_error(ec::timed_out, "context build cancelled");
    case behaviour::bounce_once: // as if the request hit a worker that had just died
      st.plan->mode = behaviour::answer;
      return caf::make_error(caf::sec::request_receiver_down);
    case behaviour::partial_then_stall:
      caf::anon_send(caf::actor_cast<caf::actor>(self->current_sender()), atom::partial_v, j.id,
                     answer_text("the first half"));
      [[fallthrough]];
    case behaviour::stall:
      st.stalled.push_back(self->make_response_promise<core::load_result>());
      return st.stalled.back();
    }
    return answer_text("unreachable");
  };
  return {
      [=](atom::get, const get_request&, const job& j) { return load(j); },
      [=](atom::context, const context_request&, const job& j) { return load(j); },
      [=](atom::named, const named_request&, const job& j) { return load(j); },
      [=](atom::search, const core::search_params& p,
          const job&) -> caf::result<core::search_answer> {
        ++self->state.plan->calls;
        if (self->state.plan->mode == behaviour::answer) {
          core::search_answer a;
          a.query = p.query;
          a.results.resize(2);
          return a;
        }
        self->state.stalled_searches.push_back(self->make_response_promise<core::search_answer>());
        return self->state.stalled_searches.back();
      },
      [=](atom::layers, const job&) -> caf::result<core::layers_answer> {
        return core::layers_answer{};
      },
      [=](atom::info, const job&) -> caf::result<core::kb_info> {
        ++self->state.plan->calls;
        if (self->state.plan->mode == behaviour::answer) return core::kb_info{};
        self->state.stalled_infos.push_back(self->make_response_promise<core::kb_info>());
        return self->state.stalled_infos.back();
      },
      [=](atom::documents, const std::string&, const job&) -> caf::result<core::document_listing> {
        return core::document_listing{};
      },
      [=](atom::changed, const std::string&) {},
      [=](atom::rebuild, uint64_t) {},
      [=](atom::rebuilt, const rebuild_report&) {},
      [=](atom::wire, const std::string&, uint32_t, const caf::actor&) {},
      [=](atom::stats) { return uint64_t{1}; },
  };
}

std::shared_ptr<engine_context> test_context() {
  auto cfg = core::default_config();
  cfg.timeout.cache = cache_deadline;
  cfg.timeout.layer = layer_deadline;
  cfg.timeout.breaker_failures = 3;
  cfg.timeout.breaker_reset = breaker_reset;
  auto tokens = core::token_counter::load("estimate", "");
  BOOST_REQUIRE(tokens);
  return std::make_shared<engine_context>(cfg, std::move(*tokens), nullptr);
}

struct supervisor_fixture {
  system_config cfg{false};
  caf::actor_system sys{cfg};
  std::shared_ptr<script> plan = std::make_shared<script>();
  std::shared_ptr<engine_context> ctx = test_context();
  event_router_actor router =
      sys.spawn(event_router_announcing, std::shared_ptr<event_interest>(ctx, &ctx->events));
  std::shared_ptr<test::event_log> events = test::collect_events(sys, router);
  loader_actor loader = sys.spawn(fake_loader, plan);
  timeout_supervisor_actor supervisor = sys.spawn(timeout_supervisor, ctx, loader, router);

  /// Asks for a layer and measures how long the answer took.
  std::pair<caf::expected<core::load_result>, std::chrono::milliseconds> timed_get() {
    caf::scoped_actor self{sys};
    caf::expected<core::load_result> out = caf::make_error(ec::internal, "no answer");
    auto start = std::chrono::steady_clock::now();
    self->request(supervisor, 5s, atom::get_v, get_request{"core", 0, false})
        .receive([&](core::load_result& r) { out = std::move(r); },
                 [&](caf::error& e) { out = std::move(e); });
    return {std::move(out), std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)};
  }

  supervisor_stats stats() {
    caf::scoped_actor self{sys};
    supervisor_stats out;
    self->request(supervisor, 2s, atom::stats_v)
        .receive([&](supervisor_stats& s) { out = std::move(s); }, [](caf::error&) {});
    return out;
  }

  std::string breaker_state(const std::string& op) {
    for (const auto& b : stats().breakers)
      if (b.operation == op) return b.state;
    return "?";
  }

  ~supervisor_fixture() {
    caf::anon_send_exit(supervisor, caf::exit_reason::kill);
    caf::anon_send_exit(loader, caf::exit_reason::kill); // it holds promises it never keeps
    caf::anon_send_exit(router, caf::exit_reason::kill);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(timeout_supervisor_tests, supervisor_fixture)

BOOST_AUTO_TEST_CASE(answers_in_time_pass_through_with_their_deadline) {
  auto [r, elapsed] = timed_get();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == "success");
  BOOST_TEST(r->content == "the whole answer");
  BOOST_TEST(r->timeout_ms == layer_deadline.count());
  BOOST_TEST(events->count("timeout.exceeded") == 0u);
}

BOOST_AUTO_TEST_CASE(a_stalled_loader_gets_the_fallback_within_the_deadline) {
  plan->mode = behaviour::stall;
  auto [r, elapsed] = timed_get();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == "fallback");
  BOOST_TEST(!r->complete);
  BOOST_TEST(r->content == std::string(core::fallback_core_text()));
  BOOST_REQUIRE(r->errors.size() == 1u);
  BOOST_TEST(r->errors[0].find("timed out after 200 ms") != std::string::npos);
  BOOST_TEST(r->timeout_ms == layer_deadline.count());
  BOOST_TEST(r->duration_ms >= static_cast<double>(layer_deadline.count() - 5));
  BOOST_TEST(elapsed.count() >= layer_deadline.count() - 5);
  BOOST_TEST(elapsed.count() < (layer_deadline + margin).count());
  auto warning = events->wait_for("timeout.warning", 1s);
  BOOST_REQUIRE(warning);
  BOOST_TEST(warning->payload.find("\"operation\":\"get\"") != std::string::npos);
  auto exceeded = events->wait_for("timeout.exceeded", 1s);
  BOOST_REQUIRE(exceeded);
  BOOST_TEST(exceeded->payload.find("\"answered\":\"fallback\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(what_is_ready_comes_back_as_partial) {
  plan->mode = behaviour::partial_then_stall;
  auto [r, elapsed] = timed_get();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == "partial");
  BOOST_TEST(!r->complete);
  BOOST_TEST(r->content == "the first half");
  BOOST_TEST(r->errors.at(0).find("timed out") != std::string::npos);
  BOOST_TEST(elapsed.count() < (layer_deadline + margin).count());
  auto exceeded = events->wait_for("timeout.exceeded", 1s);
  BOOST_REQUIRE(exceeded);
  BOOST_TEST(exceeded->payload.find("\"answered\":\"partial\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(searches_fall_back_to_an_empty_labelled_answer_and_lookups_to_an_error) {
  plan->mode = behaviour::stall;
  caf::scoped_actor self{sys};
  auto start = std::chrono::steady_clock::now();
  self->request(supervisor, 5s, atom::search_v, core::search_params{"retry", 5, {}, {}, false})
      .receive(
          [&](core::search_answer& a) {
            BOOST_TEST(a.status == "fallback");
            BOOST_TEST(a.query == "retry");
            BOOST_TEST(a.results.empty());
            BOOST_TEST(a.errors.at(0).find("search timed out") != std::string::npos);
          },
          [&](caf::error& e) { BOOST_FAIL("unexpected error " << sys.render(e)); });
  BOOST_TEST((std::chrono::steady_clock::now() - start < layer_deadline + margin));
  start = std::chrono::steady_clock::now();
  self->request(supervisor, 5s, atom::info_v)
      .receive([&](core::kb_info&) { BOOST_FAIL("a stalled info cannot succeed"); },
               [&](caf::error& e) {
                 BOOST_TEST(to_core_error(e, sys).code == core::error_code::timed_out);
               });
  BOOST_TEST((std::chrono::steady_clock::now() - start < cache_deadline + margin));
  BOOST_REQUIRE(events->wait_for("search.error", 1s));
}

BOOST_AUTO_TEST_CASE(a_worker_that_gives_up_at_its_deadline_counts_as_a_timeout) {
  plan->mode = behaviour::gave_up;
  auto [r, elapsed] = timed_get();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == "fallback");
  BOOST_TEST(r->errors.at(0).find("get timed out after 200 ms") != std::string::npos);
  BOOST_TEST(r->timeout_ms == layer_deadline.count());
  BOOST_REQUIRE(events->wait_for("timeout.exceeded", 1s));
}

BOOST_AUTO_TEST_CASE(a_request_that_bounced_off_a_dead_worker_is_sent_once_more) {
  plan->mode = behaviour::bounce_once;
  auto [r, elapsed] = timed_get();
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == "success");
  BOOST_TEST(plan->calls == 2);
  BOOST_TEST(breaker_state("get") == "closed");
  BOOST_TEST(stats().breakers.at(0).consecutive_failures == 0);
}

BOOST_AUTO_TEST_CASE(three_failures_open_the_breaker_and_a_trial_closes_it) {
  plan->mode = behaviour::fail;
  for (int i = 0; i < 3; ++i) {
    auto [r, elapsed] = timed_get();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == "fallback");
    BOOST_TEST(r->errors.at(0).find("get failed") != std::string::npos);
  }
  auto opened = events->wait_for("breaker.opened", 1s);
  BOOST_REQUIRE(opened);
  BOOST_TEST(opened->payload.find("\"operation\":\"get\"") != std::string::npos);
  BOOST_TEST(breaker_state("get") == "open");
  BOOST_TEST(breaker_state("search") == "closed"); // one breaker per operation kind

  // Open: refused at once, the loader is not asked.
  int calls_before = plan->calls;
  auto [refused, refused_after] = timed_get();
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == "fallback");
  BOOST_TEST(refused->errors.at(0).find("circuit breaker for get is open") != std::string::npos);
  BOOST_TEST(plan->calls == calls_before);
  BOOST_TEST(refused_after.count() < layer_deadline.count());

  // After the pause one trial goes through; its success closes the breaker.
  std::this_thread::sleep_for(breaker_reset + 50ms);
  plan->mode = behaviour::answer;
  auto [trial, trial_after] = timed_get();
  BOOST_REQUIRE(trial);
  BOOST_TEST(trial->status == "success");
  BOOST_TEST(plan->calls == calls_before + 1);
  BOOST_REQUIRE(events->wait_for("breaker.closed", 1s));
  BOOST_TEST(breaker_state("get") == "closed");
  BOOST_TEST(events->count("breaker.opened") == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_trial_opens_the_breaker_again) {
  plan->mode = behaviour::fail;
  for (int i = 0; i < 3; ++i)
    timed_get();
  std::this_thread::sleep_for(breaker_reset + 50ms);
  auto [trial, elapsed] = timed_get();
  BOOST_REQUIRE(trial);
  BOOST_TEST(trial->status == "fallback");
  BOOST_TEST(breaker_state("get") == "open");
  BOOST_REQUIRE(events->wait_for("breaker.opened", 1s, 1)); // opened a second time
}

BOOST_AUTO_TEST_CASE(not_found_is_an_answer_not_a_failure) {
  plan->mode = behaviour::not_found;
  for (int i = 0; i < 5; ++i) {
    auto [r, elapsed] = timed_get();
    BOOST_REQUIRE(!r);
    BOOST_TEST(to_core_error(r.error(), sys).code == core::error_code::not_found);
  }
  BOOST_TEST(plan->calls == 5);
  BOOST_TEST(breaker_state("get") == "closed");
  BOOST_TEST(events->count("breaker.opened") == 0u);
}

BOOST_AUTO_TEST_CASE(the_first_success_after_a_timeout_publishes_recovered) {
  plan->mode = behaviour::stall;
  timed_get();
  BOOST_REQUIRE(events->wait_for("timeout.exceeded", 1s));
  plan->mode = behaviour::answer;
  auto [r, elapsed] = timed_get();
  BOOST_REQUIRE(r);
  auto recovered = events->wait_for("timeout.recovered", 1s);
  BOOST_REQUIRE(recovered);
  BOOST_TEST(recovered->payload.find("\"operation\":\"get\"") != std::string::npos);
  timed_get();
  std::this_thread::sleep_for(50ms);
  BOOST_TEST(events->count("timeout.recovered") == 1u); // once per recovery
  auto s = stats();
  BOOST_TEST(s.fallback == 1u);
  BOOST_TEST(s.succeeded == 2u);
  BOOST_TEST(s.in_flight == 0u);
}

BOOST_AUTO_TEST_CASE(search_events_are_built_only_while_somebody_listens) {
  caf::scoped_actor self{sys};
  auto ask = [&] {
    self->request(supervisor, 5s, atom::search_v, core::search_params{"retry", 5, {}, {}, false})
        .receive([](core::search_answer&) {}, [](caf::error&) {});
  };
  ask();
  BOOST_REQUIRE(events->wait_for("search.complete", 1s)); // the collector listens to `*`
  BOOST_TEST(ctx->events.wants("search.start"));
  // Once the only subscriber is gone, the router says so and searches publish nothing.
  caf::anon_send_exit(router, caf::exit_reason::kill);
  auto fresh =
      sys.spawn(event_router_announcing, std::shared_ptr<event_interest>(ctx, &ctx->events));
  self->request(fresh, 2s, atom::stats_v).receive([](router_stats&) {}, [](caf::error&) {});
  BOOST_TEST(!ctx->events.wants("search.start"));
  caf::anon_send_exit(fresh, caf::exit_reason::kill);
}

BOOST_AUTO_TEST_SUITE_END()
