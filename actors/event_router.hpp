// The event router: publish/subscribe with glob patterns, priorities and per-handler timeouts.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/event_interest.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <string>
#include <vector>

namespace sage::actors {

/// One subscription and what became of its deliveries.
struct subscriber {
  uint64_t id = 0;
  subscription wanted;
  event_handler_actor handler;
  uint64_t delivered = 0, failed = 0, timed_out = 0;
};

struct event_router_state {
  static inline const char* name = "event_router";

  std::vector<subscriber> subscribers;      ///< kept sorted by (priority, id): the delivery order
  std::shared_ptr<event_interest> interest; ///< told every change of patterns; may be null
  uint64_t next_id = 1;
  router_stats totals;

  /// Adds a subscription in delivery order and returns its id.
  uint64_t add(const subscription& wanted, event_handler_actor handler);

  /// Removes one subscription; false when the id is unknown.
  bool remove(uint64_t id);

  /// Removes every subscription of a handler that went down.
  void remove_handler(const caf::actor_addr& handler);

  /// The subscriptions an event goes to, in delivery order.
  std::vector<subscriber*> matching(const std::string& type);

  subscriber* find(uint64_t id);

  /// Tells `interest` the patterns subscribed now.
  void announce() const;
};

/// Events go to every matching subscriber, lower priority first (in send order), each as a
/// request with its own timeout: a handler that throws, dies or does not answer is counted,
/// and never delays or breaks delivery to the others. Subscribers are monitored and dropped
/// when they go down.
event_router_actor::behavior_type
event_router(event_router_actor::stateful_pointer<event_router_state> self);

/// The same, keeping `interest` up to date so publishers can skip unwanted events.
event_router_actor::behavior_type
event_router_announcing(event_router_actor::stateful_pointer<event_router_state> self,
                        std::shared_ptr<event_interest> interest);

} // namespace sage::actors
