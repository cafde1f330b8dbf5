// The token budget controller.
// SPDX-License-Identifier: MIT
#include "actors/token_budget.hpp"

#include "actors/error.hpp"
#include "actors/event_publisher.hpp"
#include "actors/timeouts.hpp"

#include "core/token_budget.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_response_promise.hpp>

#include <optional>

namespace sage::actors {
namespace {

caf::error store_missing() {
  return caf::make_error(ec::internal, "the memory store is not running",
                         "retry in a moment; the engine restarts it");
}

} // namespace

budget_step token_budget_state::step_for(core::budget_level level) {
  if (level == core::budget_level::overflow) return budget_step::prune;
  if (level == core::budget_level::critical) return budget_step::summarise;
  return budget_step::none;
}

void token_budget_state::see(const budget_observation& o) {
  std::optional<core::budget_level> before;
  if (auto it = levels.find(o.session_id); it != levels.end()) before = it->second;
  ctx->metrics->session_budget_level(before, o.status.level);
  levels[o.session_id] = o.status.level;
  // The recorded level, not `before`, decides: it is shared by every process, so a change is
  // published once even when several processes saw it.
  if (o.changed)
    publish(router, "budget.level_changed",
            {{"session_id", o.session_id},
             {"from", core::to_string(o.previous)},
             {"to", core::to_string(o.status.level)},
             {"used", o.status.used},
             {"available", o.status.available},
             {"percent", o.status.percent}},
            name);
}

std::vector<budget_plan> token_budget_state::observe(const std::vector<budget_observation>& seen) {
  ++stats.observe_requests;
  stats.observed_sessions += seen.size();
  std::vector<budget_plan> out;
  out.reserve(seen.size());
  for (const auto& o : seen) {
    see(o);
    out.push_back({o.session_id, step_for(o.status.level)});
    if (out.back().step != budget_step::none) ++stats.plans_to_act;
  }
  return out;
}

void token_budget_state::note_level(const budget_observation& after) {
  ++stats.level_notes;
  see(after);
}

token_budget_actor::behavior_type
token_budget(token_budget_actor::stateful_pointer<token_budget_state> self,
             std::shared_ptr<engine_context> ctx) {
  self->state.ctx = std::move(ctx);
  // Status and check read the database through the store: usage and reservations are shared
  // with other processes, so no copy kept here could be trusted.
  auto ask_budget = [self](const std::string& session) {
    ++self->state.stats.store_requests;
    return self->request(self->state.store, timeouts::memory_step, atom::budget_v, session);
  };
  return {
      [=](atom::status, const std::string& session) -> caf::result<budget_report> {
        ++self->state.stats.front_requests;
        if (!self->state.store) return store_missing();
        auto rp = self->make_response_promise<budget_report>();
        ask_budget(session).then(
            [rp, session](const core::budget_status& status) mutable {
              rp.deliver(budget_report{session, status, core::recommendations(status.level),
                                       core::render_status_markdown(status, session)});
            },
            [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](atom::check, const std::string& session,
          uint64_t tokens) -> caf::result<core::budget_check> {
        ++self->state.stats.front_requests;
        if (!self->state.store) return store_missing();
        auto rp = self->make_response_promise<core::budget_check>();
        ask_budget(session).then(
            [rp, tokens](const core::budget_status& status) mutable {
              rp.deliver(core::check(status, tokens));
            },
            [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](atom::observe, const std::vector<budget_observation>& seen) {
        return self->state.observe(seen);
      },
      [=](atom::level, const budget_observation& after) { self->state.note_level(after); },
      // Reservations are rows of the database: the store keeps them; delegating answers the
      // caller straight from the store, with no request of the controller's own.
      [=](atom::reserve, const std::string& session, uint64_t tokens,
          uint64_t ttl_ms) -> caf::result<std::string> {
        ++self->state.stats.front_requests;
        if (!self->state.store) return store_missing();
        return self->delegate(self->state.store, atom::reserve_v, session, tokens, ttl_ms);
      },
      [=](atom::commit, const std::string& id) -> caf::result<std::string> {
        ++self->state.stats.front_requests;
        if (!self->state.store) return store_missing();
        return self->delegate(self->state.store, atom::commit_v, id);
      },
      [=](atom::release, const std::string& id) -> caf::result<std::string> {
        ++self->state.stats.front_requests;
        if (!self->state.store) return store_missing();
        return self->delegate(self->state.store, atom::release_v, id);
      },
      [=](atom::stats) { return self->state.stats; },
      [=](atom::wire, const std::string& role, uint32_t, const caf::actor& handle) {
        if (role == "event_router")
          self->state.router = caf::actor_cast<event_router_actor>(handle);
        else if (role == "memory_store")
          self->state.store = caf::actor_cast<memory_store_actor>(handle);
      },
  };
}

} // namespace sage::actors
