// Typed interfaces of every actor, in one place.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/atoms.hpp"

#include <caf/actor.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>

namespace sage::actors {

/// A subscriber's handler: acknowledges one event of a subscription (by id); an error or no
/// answer in time counts as a failed delivery.
using event_handler_actor =
    caf::typed_actor<caf::replies_to<atom::deliver, uint64_t, event>::with<bool>>;

/// The EVENT ROUTER fans published events out to subscribers whose pattern matches.
using event_router_actor = caf::typed_actor<
    // Subscribes a handler (a caf::actor speaking event_handler_actor); returns the id.
    caf::replies_to<atom::subscribe, subscription, caf::actor>::with<uint64_t>,
    // Drops a subscription; false when the id is unknown.
    caf::replies_to<atom::unsubscribe, uint64_t>::with<bool>,
    // Publishes an event; never waits for handlers.
    caf::reacts_to<atom::publish, event>,
    // Delivery counters.
    caf::replies_to<atom::stats>::with<router_stats>>;

} // namespace sage::actors
