// The event listener and the relay actor behind it.
// SPDX-License-Identifier: MIT
#include "actors/event_listener.hpp"

#include "actors/engine.hpp"
#include "actors/error.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <optional>
#include <spdlog/spdlog.h>

namespace sage::actors {
namespace {

using relay_pointer = event_relay_actor::stateful_pointer<event_relay_state>;
using subscribed = std::function<void(caf::expected<uint64_t>)>;

constexpr const char* router_name = "event_router";

void try_again_later(relay_pointer self) {
  auto& st = self->state;
  if (st.retrying) return;
  st.retrying = true;
  self->delayed_send(self, timeouts::relay_resubscribe, atom::restart_v);
}

/// Asks the node for the router of the moment and subscribes there; `done` gets the id or why
/// not. A router that is not running (restarting) is looked for again later.
void subscribe(relay_pointer self, subscribed done) {
  auto& st = self->state;
  if (st.router) {
    done(st.id);
    return;
  }
  self->request(st.node, timeouts::router_admin, atom::worker_v, std::string(router_name))
      .then(
          [self, done](caf::actor& handle) {
            if (!handle) {
              try_again_later(self);
              done(caf::make_error(ec::internal, "the engine's event router is not running",
                                   "retry in a moment"));
              return;
            }
            auto router = caf::actor_cast<event_router_actor>(handle);
            self->request(router, timeouts::router_admin, atom::subscribe_v, self->state.wanted,
                          caf::actor_cast<caf::actor>(self))
                .then(
                    [self, done, router](uint64_t id) {
                      auto& st = self->state;
                      st.router = router;
                      st.id = id;
                      // Dead already: the DOWN comes at once and we look again.
                      self->monitor(router);
                      done(id);
                    },
                    [self, done](caf::error& err) {
                      try_again_later(self);
                      done(std::move(err));
                    });
          },
          // The node is gone: its DOWN ends this actor.
          [done](caf::error& err) { done(std::move(err)); });
}

} // namespace

bool event_relay_state::deliver(const event& ev) {
  std::lock_guard lock{target->mutex};
  if (!target->callback) return true; // the handle is stopping
  try {
    target->callback(ev);
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("failed to handle event {} in a listener: {}", ev.type, e.what());
  } catch (...) {
    spdlog::warn("failed to handle event {} in a listener: exception of unknown type", ev.type);
  }
  return false;
}

event_relay_actor::behavior_type event_relay(relay_pointer self, node_actor node,
                                             subscription wanted,
                                             std::shared_ptr<listener_target> target) {
  auto& st = self->state;
  st.node = std::move(node);
  st.wanted = std::move(wanted);
  st.target = std::move(target);
  self->monitor(st.node);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.node.address()) {
      self->quit(dm.reason);
    } else if (st.router && dm.source == st.router.address()) {
      st.router = nullptr;
      st.id = 0;
      try_again_later(self);
    }
  });
  return {
      [self](atom::deliver, uint64_t, const event& ev) -> caf::result<bool> {
        if (self->state.deliver(ev)) return true;
        return caf::make_error(ec::internal, "the listener failed to handle " + ev.type);
      },
      [self](atom::subscribe) -> caf::result<uint64_t> {
        auto rp = self->make_response_promise<uint64_t>();
        subscribe(self, [rp](caf::expected<uint64_t> id) mutable {
          if (id)
            rp.deliver(*id);
          else
            rp.deliver(std::move(id.error()));
        });
        return rp;
      },
      [self](atom::restart) {
        self->state.retrying = false;
        subscribe(self, [self](caf::expected<uint64_t> id) {
          if (id)
            spdlog::debug("event listener for {} subscribed again to the restarted router",
                          self->state.wanted.pattern);
        });
      },
  };
}

// -- event_listener ---------------------------------------------------------------------------

event_listener& event_listener::operator=(event_listener&& other) noexcept {
  if (this != &other) {
    stop();
    actor_ = std::move(other.actor_);
    target_ = std::move(other.target_);
    pattern_ = std::move(other.pattern_);
  }
  return *this;
}

event_listener::~event_listener() {
  stop();
}

void event_listener::stop() {
  if (!target_) return;
  {
    // Waits for a callback in progress; none starts afterwards.
    std::lock_guard lock{target_->mutex};
    target_->callback = nullptr;
  }
  // The router monitors its subscribers and drops this one when the relay is down.
  caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  actor_ = nullptr;
  target_.reset();
}

core::result<event_listener> listen(caf::actor_system& sys, const node_actor& node,
                                    std::string pattern, event_callback on_event,
                                    std::chrono::milliseconds wait) {
  if (!node)
    return core::make_error(core::error_code::internal, "the engine is not running",
                            "start the engine before listening to its events");
  auto target = std::make_shared<listener_target>();
  target->callback = std::move(on_event);
  subscription wanted{pattern, subscription{}.priority,
                      static_cast<uint32_t>(timeouts::event_handler.count())};
  auto relay = sys.spawn(event_relay, node, std::move(wanted), target);
  event_listener handle{relay, std::move(target), std::move(pattern)};
  std::optional<core::error> failed;
  caf::scoped_actor self{sys};
  self->request(relay, wait, atom::subscribe_v)
      .receive([](uint64_t) {},
               [&](caf::error& err) {
                 failed = err == caf::sec::request_timeout
                              ? core::make_error(core::error_code::timed_out,
                                                 "the engine did not take the subscription to " +
                                                     handle.pattern() + " within " +
                                                     std::to_string(wait.count()) + " ms",
                                                 "retry; if it repeats, check the logs")
                              : to_core_error(err, sys);
               });
  if (failed) return *failed; // the handle stops the relay
  return core::result<event_listener>(std::move(handle));
}

core::result<event_listener> listen(engine& eng, std::string pattern, event_callback on_event,
                                    std::chrono::milliseconds wait) {
  return listen(eng.system(), eng.node(), std::move(pattern), std::move(on_event), wait);
}

} // namespace sage::actors
