// Remembers the last failed rebuild of the knowledge base.
// SPDX-License-Identifier: MIT
#include "services/ops/loader_watch.hpp"

#include "actors/timeouts.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

namespace sage::services::ops {
namespace {

/// Records failures until the node goes down: the engine's actor system waits for every actor
/// before it ends, so the recorder must not outlive the engine it watches.
actors::event_handler_actor::behavior_type
failure_recorder(actors::event_handler_actor::pointer self, caf::actor node,
                 std::shared_ptr<loader_watch::state> state) {
  self->monitor(node);
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  return {[state](actors::atom::deliver, uint64_t, const actors::event& ev) {
    std::lock_guard<std::mutex> lock{state->mutex};
    if (ev.type == "loader.error") {
      auto payload = nlohmann::json::parse(ev.payload, nullptr, false);
      loader_failure f;
      f.error = payload.is_object() ? payload.value("error", ev.payload) : ev.payload;
      f.generation = payload.is_object() ? payload.value("generation", uint64_t{0}) : 0;
      f.at_ms = ev.published_ms;
      state->failure = std::move(f);
    } else if (ev.type == "loader.complete") {
      state->failure.reset();
    }
    return true;
  }};
}

} // namespace

loader_watch::loader_watch(actors::engine& engine) : state_(std::make_shared<state>()) {
  auto& sys = engine.system();
  caf::scoped_actor self{sys};
  caf::actor router;
  self->request(engine.node(), actors::timeouts::router_admin, actors::atom::worker_v,
                std::string("event_router"))
      .receive([&](caf::actor& a) { router = std::move(a); }, [](caf::error&) {});
  if (!router) return;
  handler_ = caf::actor_cast<caf::actor>(
      sys.spawn(failure_recorder, caf::actor_cast<caf::actor>(engine.node()), state_));
  self->request(caf::actor_cast<actors::event_router_actor>(router), actors::timeouts::router_admin,
                actors::atom::subscribe_v, actors::subscription{"loader.*", 50, 1000}, handler_)
      .receive([&](uint64_t) { subscribed_ = true; }, [](caf::error&) {});
}

loader_watch::~loader_watch() {
  if (handler_) caf::anon_send_exit(handler_, caf::exit_reason::user_shutdown);
}

std::optional<loader_failure> loader_watch::last_failure() const {
  std::lock_guard<std::mutex> lock{state_->mutex};
  return state_->failure;
}

} // namespace sage::services::ops
