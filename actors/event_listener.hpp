// Hearing the engine's events from outside the actor system: a callback behind a small
// subscriber actor, held by an RAII handle.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/timeouts.hpp"

#include "core/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace sage::actors {

class engine;

/// What a listener calls for each event. It runs on a CAF scheduler thread, one event at a
/// time and in publication order, and the router waits for it (up to the subscription's
/// timeout) before it counts the event delivered: hand anything slow (I/O that may block,
/// engine calls) to a thread of your own. An exception is logged and counts as a failed
/// delivery; later events still come.
using event_callback = std::function<void(const event&)>;

/// Shared by a listener's handle and its actor. The handle clears `callback` under `mutex`,
/// which the actor holds while it calls it.
struct listener_target {
  std::mutex mutex;
  event_callback callback;
};

/// A subscription to the events of one engine for as long as the handle lives. Once the
/// destructor (or `stop`) returns, the callback is not running and is never called again, so it
/// may capture what the owner destroys next. Destroy it before the engine's actor system.
/// Movable, not copyable.
class event_listener {
public:
  event_listener(event_listener&& other) noexcept = default;
  event_listener& operator=(event_listener&& other) noexcept;
  event_listener(const event_listener&) = delete;
  event_listener& operator=(const event_listener&) = delete;
  ~event_listener();

  /// Unsubscribes now; the destructor then does nothing.
  void stop();

  /// The glob over event types this listener hears (`loader.changed`, `loader.*`, `*`).
  const std::string& pattern() const { return pattern_; }

private:
  friend core::result<event_listener> listen(caf::actor_system&, const node_actor&, std::string,
                                             event_callback, std::chrono::milliseconds);
  event_listener(event_relay_actor actor, std::shared_ptr<listener_target> target,
                 std::string pattern)
      : actor_(std::move(actor)), target_(std::move(target)), pattern_(std::move(pattern)) {}

  event_relay_actor actor_;
  std::shared_ptr<listener_target> target_;
  std::string pattern_;
};

/// Subscribes `on_event` to the events of `node`'s router whose type matches `pattern` (a glob,
/// matched as the router matches it). Returns once the subscription is in place, so every event
/// published afterwards reaches the callback; an error when the engine did not answer within
/// `wait`. When the router is restarted the listener subscribes to the new one (events
/// published in between are missed); when the node goes down the listener ends.
core::result<event_listener> listen(caf::actor_system& sys, const node_actor& node,
                                    std::string pattern, event_callback on_event,
                                    std::chrono::milliseconds wait = timeouts::router_admin);

/// The same for the engine of this process.
core::result<event_listener> listen(engine& eng, std::string pattern, event_callback on_event,
                                    std::chrono::milliseconds wait = timeouts::router_admin);

// -- the actor behind it -----------------------------------------------------------------------

struct event_relay_state {
  static inline const char* name = "event_relay";

  // Not an aggregate: CAF would otherwise build the state from the actor pointer.
  event_relay_state() = default;

  node_actor node;
  subscription wanted;
  std::shared_ptr<listener_target> target;
  event_router_actor router; ///< the one subscribed to; invalid while there is none
  uint64_t id = 0;           ///< the subscription there
  bool retrying = false;     ///< a resubscription is scheduled

  /// Calls the callback (if the handle still wants events); false when it threw.
  bool deliver(const event& ev);
};

/// Subscribes when asked to (`atom::subscribe`), hands every delivered event to the target's
/// callback and acknowledges it, and follows the router across restarts. Quits with the node.
event_relay_actor::behavior_type
event_relay(event_relay_actor::stateful_pointer<event_relay_state> self, node_actor node,
            subscription wanted, std::shared_ptr<listener_target> target);

} // namespace sage::actors
