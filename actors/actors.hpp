// Typed interfaces of every actor, in one place.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/atoms.hpp"

#include <caf/actor.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <string>
#include <vector>

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

/// The engine's operations as callers see them (PRODUCT.md 3.1). The node and the timeout
/// supervisor speak it; every answer comes within the operation's deadline.
using engine_actor =
    caf::typed_actor<caf::replies_to<atom::get, get_request>::with<core::load_result>,
                     caf::replies_to<atom::context, context_request>::with<core::load_result>,
                     caf::replies_to<atom::named, named_request>::with<core::load_result>,
                     caf::replies_to<atom::search, core::search_params>::with<core::search_answer>,
                     caf::replies_to<atom::layers>::with<core::layers_answer>,
                     caf::replies_to<atom::info>::with<core::kb_info>,
                     // The documents of one layer (name or alias).
                     caf::replies_to<atom::documents, std::string>::with<core::document_listing>>;

/// A QUERY WORKER answers one operation at a time over the current snapshot. Each request
/// carries its job: partial answers of slow operations go to the sender, named by job id.
using query_worker_actor = caf::typed_actor<
    caf::replies_to<atom::get, get_request, job>::with<core::load_result>,
    caf::replies_to<atom::context, context_request, job>::with<core::load_result>,
    caf::replies_to<atom::named, named_request, job>::with<core::load_result>,
    caf::replies_to<atom::search, core::search_params, job>::with<core::search_answer>,
    caf::replies_to<atom::layers, job>::with<core::layers_answer>,
    caf::replies_to<atom::info, job>::with<core::kb_info>,
    caf::replies_to<atom::documents, std::string, job>::with<core::document_listing>>;

/// The LOADER owns the snapshot: it spreads queries over its workers, watches the KB and
/// swaps rebuilt snapshots in.
using loader_actor = query_worker_actor::extend<
    // A file below the root changed ("" = anything may have): debounced, then rebuilt.
    caf::reacts_to<atom::changed, std::string>,
    // The debounce timer of change number n ran out.
    caf::reacts_to<atom::rebuild, uint64_t>,
    // A background rebuild finished.
    caf::reacts_to<atom::rebuilt, rebuild_report>,
    // The node hands over a (re)started worker for slot n, or the event router (slot ignored).
    caf::reacts_to<atom::wire, std::string, uint32_t, caf::actor>,
    // The generation of the snapshot in use.
    caf::replies_to<atom::stats>::with<uint64_t>>;

/// The TIMEOUT SUPERVISOR: the engine interface plus what workers and timers send it.
using timeout_supervisor_actor = engine_actor::extend<
    // What a slow operation has ready so far, for a `partial` answer on expiry.
    caf::reacts_to<atom::partial, uint64_t, core::load_result>,
    // Time to look for requests past 80 % of their deadline (the number is unused).
    caf::reacts_to<atom::warn, uint64_t>,
    // The node hands over a restarted `loader` or `event_router`.
    caf::reacts_to<atom::wire, std::string, uint32_t, caf::actor>,
    caf::replies_to<atom::stats>::with<supervisor_stats>>;

/// The NODE: the root supervisor and the engine's front door (operations go to the timeout
/// supervisor of the moment).
using node_actor = engine_actor::extend<
    // What it supervises.
    caf::replies_to<atom::children>::with<std::vector<child_status>>,
    // A child by name (`loader`, `worker-0`, ...), for fault injection in tests and for
    // subscribing to the event router; an invalid handle when unknown.
    caf::replies_to<atom::worker, std::string>::with<caf::actor>,
    // A crashed child's back-off is over.
    caf::reacts_to<atom::restart, std::string>,
    // Shutdown stage n's grace period is over.
    caf::reacts_to<atom::stage, uint32_t>>;

} // namespace sage::actors
