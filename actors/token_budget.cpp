// The token budget controller.
// SPDX-License-Identifier: MIT
#include "actors/token_budget.hpp"

#include "actors/error.hpp"
#include "actors/event_publisher.hpp"
#include "actors/timeouts.hpp"

#include "core/token_budget.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

namespace sage::actors {
namespace {

using self_pointer = token_budget_actor::stateful_pointer<token_budget_state>;
using observe_promise = caf::typed_response_promise<budget_action>;

caf::error store_missing() {
  return caf::make_error(ec::internal, "the memory store is not running",
                         "retry in a moment; the engine restarts it");
}

/// Moves the session to `level` in the `sage_budget_sessions` gauge.
void count_level(self_pointer self, const std::string& session, core::budget_level level) {
  auto& counted = self->state.counted;
  auto it = counted.find(session);
  std::optional<core::budget_level> before;
  if (it != counted.end()) before = it->second;
  self->state.ctx->metrics->session_budget_level(before, level);
  counted[session] = level;
}

/// Records `level` for the session and publishes `budget.level_changed` when the level
/// recorded before differs; then runs `next`.
template <class Next>
void record(self_pointer self, const core::budget_status& status, const std::string& session,
            Next next) {
  auto& st = self->state;
  self->request(st.store, timeouts::memory_step, atom::level_v, session, status.level)
      .then(
          [self, status, session, next](core::budget_level previous) mutable {
            count_level(self, session, status.level);
            if (previous != status.level)
              publish(self->state.router, "budget.level_changed",
                      {{"session_id", session},
                       {"from", core::to_string(previous)},
                       {"to", core::to_string(status.level)},
                       {"used", status.used},
                       {"available", status.available},
                       {"percent", status.percent}},
                      token_budget_state::name);
            next();
          },
          [session, next](const caf::error& err) mutable {
            spdlog::warn("failed to record the budget level of session {}: {}", session,
                         to_string(err));
            next();
          });
}

/// The last step of an observation: reads the budget again, records its level, answers.
void finish(self_pointer self, budget_action action, observe_promise rp) {
  auto& st = self->state;
  self->request(st.store, timeouts::memory_step, atom::budget_v, action.session_id)
      .then(
          [self, action, rp](const core::budget_status& after) mutable {
            action.level_after = after.level;
            action.used_after = after.used;
            action.enough = after.level < core::budget_level::critical;
            record(self, after, action.session_id, [action, rp]() mutable { rp.deliver(action); });
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

/// Summarises, then finishes.
void summarise(self_pointer self, budget_action action, observe_promise rp) {
  self->request(self->state.store, timeouts::memory_step, atom::summarize_v, action.session_id)
      .then(
          [self, action, rp](budget_action& done) mutable {
            action.summary_id = done.summary_id;
            action.summarised = std::move(done.summarised);
            finish(self, std::move(action), rp);
          },
          [self, action, rp](const caf::error& err) mutable {
            spdlog::warn("failed to summarise session {}: {}", action.session_id, to_string(err));
            finish(self, std::move(action), rp);
          });
}

/// Prunes, then summarises when that was not enough, then finishes.
void prune(self_pointer self, budget_action action, observe_promise rp) {
  self->request(self->state.store, timeouts::memory_step, atom::shrink_v, action.session_id)
      .then(
          [self, action, rp](budget_action& done) mutable {
            action.pruned = std::move(done.pruned);
            if (done.level_after >= core::budget_level::critical)
              summarise(self, std::move(action), rp);
            else
              finish(self, std::move(action), rp);
          },
          [self, action, rp](const caf::error& err) mutable {
            spdlog::warn("failed to prune session {}: {}", action.session_id, to_string(err));
            summarise(self, std::move(action), rp);
          });
}

caf::result<budget_action> observe(self_pointer self, const std::string& session) {
  auto& st = self->state;
  if (!st.store) return store_missing();
  auto rp = self->make_response_promise<budget_action>();
  self->request(st.store, timeouts::memory_step, atom::budget_v, session)
      .then(
          [self, session, rp](const core::budget_status& now) mutable {
            budget_action action;
            action.session_id = session;
            action.level_before = action.level_after = now.level;
            action.used_before = action.used_after = now.used;
            action.enough = now.level < core::budget_level::critical;
            record(self, now, session, [self, action, rp]() mutable {
              if (action.level_before == core::budget_level::overflow)
                prune(self, std::move(action), rp);
              else if (action.level_before == core::budget_level::critical)
                summarise(self, std::move(action), rp);
              else
                rp.deliver(action);
            });
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

} // namespace

token_budget_actor::behavior_type
token_budget(token_budget_actor::stateful_pointer<token_budget_state> self,
             std::shared_ptr<engine_context> ctx) {
  self->state.ctx = std::move(ctx);
  return {
      [=](atom::status, const std::string& session) -> caf::result<budget_report> {
        auto& st = self->state;
        if (!st.store) return store_missing();
        auto rp = self->make_response_promise<budget_report>();
        self->request(st.store, timeouts::memory_step, atom::budget_v, session)
            .then(
                [rp, session](const core::budget_status& status) mutable {
                  rp.deliver(budget_report{session, status, core::recommendations(status.level),
                                           core::render_status_markdown(status, session)});
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](atom::check, const std::string& session,
          uint64_t tokens) -> caf::result<core::budget_check> {
        auto& st = self->state;
        if (!st.store) return store_missing();
        auto rp = self->make_response_promise<core::budget_check>();
        self->request(st.store, timeouts::memory_step, atom::budget_v, session)
            .then(
                [rp, tokens](const core::budget_status& status) mutable {
                  rp.deliver(core::check(status, tokens));
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](atom::observe, const std::string& session) { return observe(self, session); },
      [=](atom::reserve, const std::string& session, uint64_t tokens,
          uint64_t ttl_ms) -> caf::result<std::string> {
        if (!self->state.store) return store_missing();
        return self->delegate(self->state.store, atom::reserve_v, session, tokens, ttl_ms);
      },
      [=](atom::commit, const std::string& id) -> caf::result<std::string> {
        if (!self->state.store) return store_missing();
        return self->delegate(self->state.store, atom::commit_v, id);
      },
      [=](atom::release, const std::string& id) -> caf::result<std::string> {
        if (!self->state.store) return store_missing();
        return self->delegate(self->state.store, atom::release_v, id);
      },
      [=](atom::wire, const std::string& role, uint32_t, const caf::actor& handle) {
        if (role == "event_router")
          self->state.router = caf::actor_cast<event_router_actor>(handle);
        else if (role == "memory_store")
          self->state.store = caf::actor_cast<memory_store_actor>(handle);
      },
  };
}

} // namespace sage::actors
