// The timeout supervisor.
// SPDX-License-Identifier: MIT
#include "actors/timeout_supervisor.hpp"

#include "actors/error.hpp"
#include "actors/event_publisher.hpp"

#include "core/fallback.hpp"

#include <caf/actor_cast.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>
#include <type_traits>

namespace sage::actors {
namespace {

using clock_type = std::chrono::steady_clock;
using self_pointer = timeout_supervisor_actor::stateful_pointer<timeout_supervisor_state>;
constexpr const char* source_name = "timeout_supervisor";

size_t slot(operation op) {
  return static_cast<size_t>(op);
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

/// What a degraded answer is made of: why, and the request's progress (null when the request
/// never went out, e.g. refused by an open breaker).
struct degradation {
  std::string reason;
  pending_request* request = nullptr;
};

/// LoadResult operations answer with what is ready, else the built-in fallback text.
caf::expected<core::load_result> degraded_load(const engine_context& ctx, size_t budget,
                                               const degradation& d) {
  if (d.request && d.request->ready) {
    auto out = std::move(*d.request->ready);
    core::mark_partial(out, d.reason);
    return out;
  }
  return core::fallback_result(ctx.tokens, budget, d.reason);
}

void publish_breaker_change(self_pointer self, operation op, core::breaker_state now) {
  auto& st = self->state;
  const auto& br = st.breakers[slot(op)];
  if (now == core::breaker_state::open) {
    spdlog::warn("circuit breaker for {} opened after {} consecutive failures", to_string(op),
                 br.consecutive_failures());
    publish(st.router, "breaker.opened",
            {{"operation", to_string(op)},
             {"failures", br.consecutive_failures()},
             {"retry_in_ms", st.ctx->cfg.timeout.breaker_reset.count()}},
            source_name);
  } else if (now == core::breaker_state::closed) {
    spdlog::info("circuit breaker for {} closed", to_string(op));
    publish(st.router, "breaker.closed", {{"operation", to_string(op)}}, source_name);
  }
}

/// The breaker's state as a gauge, after every step that may change it.
void show_breaker(self_pointer self, operation op) {
  auto& st = self->state;
  st.ctx->metrics->breaker(to_string(op), st.breakers[slot(op)].state());
}

void record_success(self_pointer self, operation op) {
  auto& st = self->state;
  if (auto changed = st.breakers[slot(op)].record_success()) {
    publish_breaker_change(self, op, *changed);
    show_breaker(self, op);
  }
  if (st.exceeded[slot(op)]) {
    st.exceeded[slot(op)] = false;
    publish(st.router, "timeout.recovered", {{"operation", to_string(op)}}, source_name);
  }
}

void record_failure(self_pointer self, operation op) {
  auto& st = self->state;
  if (auto changed = st.breakers[slot(op)].record_failure(clock_type::now())) {
    publish_breaker_change(self, op, *changed);
    show_breaker(self, op);
  }
}

/// Removes a finished request; the last one out after a shutdown request turns off the light.
void finish(self_pointer self, uint64_t id) {
  auto& st = self->state;
  st.pending.erase(id);
  st.counters.in_flight = st.pending.size();
  if (st.draining && st.pending.empty()) self->quit(st.quit_reason);
}

/// One timer for all requests in flight instead of one per request: every tenth of the shortest
/// deadline it publishes `timeout.warning` for requests past 80 % of theirs, and it stops when
/// nothing is in flight.
std::chrono::milliseconds sweep_interval(const core::timeout_config& t) {
  auto shortest = t.cache;
  for (auto op : all_operations)
    shortest = std::min(shortest, deadline_of(op, t));
  return std::max(std::chrono::milliseconds(1), shortest / 10);
}

void arm_warning_sweep(self_pointer self) {
  auto& st = self->state;
  if (st.sweeping) return;
  st.sweeping = true;
  self->delayed_send(self, sweep_interval(st.ctx->cfg.timeout), atom::warn_v, uint64_t{0});
}

void sweep_warnings(self_pointer self) {
  auto& st = self->state;
  st.sweeping = false;
  auto now = clock_type::now();
  for (auto& [id, p] : st.pending) {
    if (p.warned || now - p.started < p.limit * 4 / 5) continue;
    p.warned = true;
    publish(st.router, "timeout.warning",
            {{"operation", to_string(p.op)},
             {"request", id},
             {"elapsed_ms", ms_since(p.started)},
             {"limit_ms", p.limit.count()}},
            source_name);
  }
  if (!st.pending.empty()) arm_warning_sweep(self);
}

/// Sends request `id` to the loader with what is left of its deadline and handles the answer.
/// A request that bounced off a worker that had just died (`request_receiver_down`: it never
/// ran) is sent once more, to the next worker, within the same deadline.
template <class Answer, class Degrade, class... Ts>
void forward(self_pointer self, uint64_t id, operation op, clock_type::time_point started,
             std::chrono::milliseconds limit, caf::typed_response_promise<Answer> rp,
             Degrade degrade, bool retried, Ts... request) {
  auto& st = self->state;
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(limit - (clock_type::now() - started));
  left = std::max(left, std::chrono::milliseconds(1));
  self->request(st.loader, left, request..., job{id, static_cast<uint32_t>(left.count())})
      .then(
          [=](Answer& answer) mutable {
            auto& st = self->state;
            ++st.counters.succeeded;
            record_success(self, op);
            auto elapsed = ms_since(started);
            if constexpr (std::is_same_v<Answer, core::load_result>) {
              answer.duration_ms = elapsed;
              answer.timeout_ms = limit.count();
            }
            if constexpr (std::is_same_v<Answer, core::search_answer>)
              if (st.ctx->events.wants("search.complete"))
                publish(
                    st.router, "search.complete",
                    {{"request", id}, {"results", answer.results.size()}, {"duration_ms", elapsed}},
                    source_name);
            rp.deliver(std::move(answer));
            finish(self, id);
          },
          [=](caf::error& err) mutable {
            auto& st = self->state;
            if (err == caf::sec::request_receiver_down && !retried && st.loader &&
                clock_type::now() - started < limit) {
              forward<Answer>(self, id, op, started, limit, rp, degrade, true, request...);
              return;
            }
            auto it = st.pending.find(id);
            if (is_caller_error(err)) { // the engine worked: not a failure
              record_success(self, op);
              ++st.counters.succeeded;
              if (op == operation::search)
                publish(st.router, "search.error",
                        {{"request", id}, {"error", self->system().render(err)}}, source_name);
              rp.deliver(std::move(err));
              finish(self, id);
              return;
            }
            // A worker that stops at the deadline says `timed_out` a moment before the request
            // timer fires here: the same expiry.
            bool expired = err == caf::sec::request_timeout ||
                           (err.category() == caf::atom("sage") &&
                            err.code() == static_cast<uint8_t>(ec::timed_out));
            std::string reason =
                expired ? std::string(to_string(op)) + " timed out after " +
                              std::to_string(limit.count()) + " ms"
                        : std::string(to_string(op)) + " failed: " + self->system().render(err);
            record_failure(self, op);
            auto answer =
                degrade(degradation{reason, it == st.pending.end() ? nullptr : &it->second});
            if constexpr (std::is_same_v<Answer, core::load_result>) {
              if (answer) {
                answer->duration_ms = ms_since(started);
                answer->timeout_ms = limit.count();
              }
            }
            const char* answered = !answer                                      ? "error"
                                   : it != st.pending.end() && it->second.ready ? "partial"
                                                                                : "fallback";
            ++(answered == std::string_view("partial")    ? st.counters.partial
               : answered == std::string_view("fallback") ? st.counters.fallback
                                                          : st.counters.failed);
            if (expired) {
              st.exceeded[slot(op)] = true;
              spdlog::warn("{}; answered {}", reason, answered);
              publish(st.router, "timeout.exceeded",
                      {{"operation", to_string(op)},
                       {"request", id},
                       {"limit_ms", limit.count()},
                       {"answered", answered}},
                      source_name);
            } else {
              spdlog::error("{}; answered {}", reason, answered);
            }
            if (op == operation::search)
              publish(st.router, "search.error", {{"request", id}, {"error", reason}}, source_name);
            if (answer)
              rp.deliver(std::move(*answer));
            else
              rp.deliver(std::move(answer.error()));
            finish(self, id);
          });
}

/// The one path of every request: draining, breaker, a live loader, the request's entry in
/// `pending`; then `forward`.
template <class Answer, class Degrade, class... Ts>
caf::result<Answer> supervise(self_pointer self, operation op, Degrade degrade, Ts... request) {
  auto& st = self->state;
  ++st.counters.requests;
  auto now = clock_type::now();
  auto limit = deadline_of(op, st.ctx->cfg.timeout);
  auto deliver_degraded = [limit](caf::expected<Answer> x) -> caf::result<Answer> {
    if (!x) return std::move(x.error());
    if constexpr (std::is_same_v<Answer, core::load_result>) x->timeout_ms = limit.count();
    return std::move(*x);
  };
  if (st.draining)
    return caf::make_error(ec::internal, "the engine is shutting down",
                           "retry once it is back, or use another node");
  bool allowed = st.breakers[slot(op)].allow(now);
  show_breaker(self, op); // an open breaker whose pause is over lets a trial through: half-open
  if (!allowed) {
    ++st.counters.refused;
    ++st.counters.fallback;
    auto reason = std::string("circuit breaker for ") + to_string(op) + " is open after " +
                  std::to_string(st.ctx->cfg.timeout.breaker_failures) +
                  " consecutive failures; one trial call is let through after " +
                  std::to_string(st.ctx->cfg.timeout.breaker_reset.count()) + " ms";
    return deliver_degraded(degrade(degradation{reason, nullptr}));
  }
  if (!st.loader) {
    record_failure(self, op);
    ++st.counters.fallback;
    return deliver_degraded(degrade(degradation{"the loader is restarting", nullptr}));
  }
  auto id = st.next_id++;
  st.pending.emplace(id, pending_request{op, now, limit, false, std::nullopt});
  st.counters.in_flight = st.pending.size();
  // Searches are the hot path: their events are built only when somebody listens.
  if (op == operation::search && st.ctx->events.wants("search.start"))
    publish(st.router, "search.start", {{"request", id}}, source_name);
  arm_warning_sweep(self);
  auto rp = self->template make_response_promise<Answer>();
  forward<Answer>(self, id, op, now, limit, rp, degrade, false, request...);
  return rp;
}

/// Operations without a fallback text answer with an error that says what happened.
template <class Answer> auto error_only() {
  return [](const degradation& d) -> caf::expected<Answer> {
    return caf::make_error(ec::timed_out, d.reason,
                           "retry in a moment; if it keeps failing, check the logs");
  };
}

} // namespace

timeout_supervisor_actor::behavior_type
timeout_supervisor(timeout_supervisor_actor::stateful_pointer<timeout_supervisor_state> self,
                   std::shared_ptr<engine_context> ctx, loader_actor loader,
                   event_router_actor router) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.loader = std::move(loader);
  st.router = std::move(router);
  for (size_t i = 0; i < all_operations.size(); ++i)
    st.breakers.emplace_back(st.ctx->cfg.timeout.breaker_failures,
                             st.ctx->cfg.timeout.breaker_reset);
  st.exceeded.assign(all_operations.size(), false);
  for (auto op : all_operations)
    show_breaker(self, op);
  // Shutdown: finish what is in flight (the node's grace period bounds this), refuse the rest.
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    auto& st = self->state;
    st.draining = true;
    st.quit_reason = msg.reason;
    if (st.pending.empty()) self->quit(msg.reason);
  });
  auto engine = st.ctx;
  auto load_degrade = [engine](size_t budget) {
    return [engine, budget](const degradation& d) { return degraded_load(*engine, budget, d); };
  };
  return {
      [=](atom::get, get_request& r) -> caf::result<core::load_result> {
        return supervise<core::load_result>(self, operation::get, load_degrade(r.budget),
                                            atom::get_v, std::move(r));
      },
      [=](atom::context, context_request& r) -> caf::result<core::load_result> {
        auto budget =
            r.budget ? r.budget : static_cast<uint64_t>(engine->cfg.loading.default_budget);
        return supervise<core::load_result>(self, operation::context, load_degrade(budget),
                                            atom::context_v, std::move(r));
      },
      [=](atom::named, named_request& r) -> caf::result<core::load_result> {
        return supervise<core::load_result>(self, operation::named, load_degrade(r.budget),
                                            atom::named_v, std::move(r));
      },
      [=](atom::search, core::search_params& p) -> caf::result<core::search_answer> {
        auto degrade = [query =
                            p.query](const degradation& d) -> caf::expected<core::search_answer> {
          core::search_answer out;
          out.query = query;
          out.status = "fallback";
          out.errors.push_back(d.reason);
          return out;
        };
        return supervise<core::search_answer>(self, operation::search, degrade, atom::search_v,
                                              std::move(p));
      },
      [=](atom::layers) -> caf::result<core::layers_answer> {
        return supervise<core::layers_answer>(self, operation::layers,
                                              error_only<core::layers_answer>(), atom::layers_v);
      },
      [=](atom::info) -> caf::result<core::kb_info> {
        return supervise<core::kb_info>(self, operation::info, error_only<core::kb_info>(),
                                        atom::info_v);
      },
      [=](atom::documents, std::string& layer) -> caf::result<core::document_listing> {
        return supervise<core::document_listing>(self, operation::documents,
                                                 error_only<core::document_listing>(),
                                                 atom::documents_v, std::move(layer));
      },
      [=](atom::partial, uint64_t id, core::load_result& ready) {
        if (auto it = self->state.pending.find(id); it != self->state.pending.end())
          it->second.ready = std::move(ready);
      },
      [=](atom::warn, uint64_t) { sweep_warnings(self); },
      [=](atom::wire, const std::string& role, uint32_t, const caf::actor& handle) {
        if (role == "loader") self->state.loader = caf::actor_cast<loader_actor>(handle);
        if (role == "event_router")
          self->state.router = caf::actor_cast<event_router_actor>(handle);
      },
      [=](atom::stats) {
        auto out = self->state.counters;
        out.breakers.clear();
        for (auto op : all_operations) {
          const auto& br = self->state.breakers[slot(op)];
          out.breakers.push_back(
              {to_string(op), core::to_string(br.state()), br.consecutive_failures()});
        }
        return out;
      },
  };
}

} // namespace sage::actors
