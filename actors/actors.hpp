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

/// An EVENT RELAY hands the events it is sent to a callback of code outside the actor system
/// (see event_listener.hpp), and subscribes again when the router is restarted.
using event_relay_actor = event_handler_actor::extend<
    // Subscribes to the router of the moment (asked of the node); answers the subscription id.
    caf::replies_to<atom::subscribe>::with<uint64_t>,
    // The router went down a while ago: subscribe to its successor.
    caf::reacts_to<atom::restart>>;

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

/// The MEMORY STORE: the single writer of the working memory in its process (entries,
/// sessions, checkpoints, reservations in one SQLite file that other processes may share).
/// It opens the database on first use. After every write to a session it reads the session's
/// budget, asks the budget controller once what to do (see token_budget_actor), does it, and
/// only then answers the write.
using memory_store_actor = caf::typed_actor<
    // Entries: add one, add a batch (all or nothing), get, update, delete (answers the id).
    caf::replies_to<atom::add, core::memory_entry>::with<core::memory_entry>,
    caf::replies_to<atom::add,
                    std::vector<core::memory_entry>>::with<std::vector<core::memory_entry>>,
    caf::replies_to<atom::get, std::string>::with<core::memory_entry>,
    caf::replies_to<atom::update, std::string, core::memory_update>::with<core::memory_entry>,
    caf::replies_to<atom::remove, std::string>::with<std::string>,
    caf::replies_to<atom::query, core::memory_query>::with<core::memory_page>,
    // Deletes what the filter selects; answers the deleted ids.
    caf::replies_to<atom::prune, core::prune_filter>::with<std::vector<std::string>>,
    // Applies the retention rules of the configuration now; answers the deleted ids.
    caf::replies_to<atom::retain>::with<std::vector<std::string>>,
    // JSON lines of one session ("" = all), and an import of such lines.
    caf::replies_to<atom::export_, std::string>::with<std::string>,
    caf::replies_to<atom::import_, std::string>::with<core::import_report>,
    // Sessions: start (or resume from a checkpoint), update, add a step, end, get, list
    // ("" = all, else `active` or `ended`).
    caf::replies_to<atom::start, session_start>::with<core::session>,
    caf::replies_to<atom::update, std::string, core::session_change>::with<core::session>,
    caf::replies_to<atom::step, std::string, std::string>::with<core::session>,
    caf::replies_to<atom::end, std::string>::with<core::session>,
    caf::replies_to<atom::status, std::string>::with<core::session>,
    caf::replies_to<atom::sessions, std::string, std::string, uint64_t>::with<core::session_page>,
    // Checkpoints: create (session, label), list a session's, restore one.
    caf::replies_to<atom::checkpoint, std::string, std::string>::with<checkpoint_summary>,
    caf::replies_to<atom::checkpoints, std::string>::with<std::vector<checkpoint_summary>>,
    caf::replies_to<atom::restore, std::string>::with<core::session>,
    // The handoff package of a session within a token maximum.
    caf::replies_to<atom::handoff, std::string, uint64_t>::with<handoff_answer>,
    // A session's budget as the database holds it (for the budget controller's status and
    // check answers).
    caf::replies_to<atom::budget, std::string>::with<core::budget_status>,
    // Reservations: hold tokens (session, tokens, ttl in ms; 0 = configured), commit, release.
    caf::replies_to<atom::reserve, std::string, uint64_t, uint64_t>::with<std::string>,
    caf::replies_to<atom::commit, std::string>::with<std::string>,
    caf::replies_to<atom::release, std::string>::with<std::string>,
    // The node hands over the event router or a (re)started budget controller.
    caf::reacts_to<atom::wire, std::string, uint32_t, caf::actor>>;

/// The TOKEN BUDGET controller: the policy and this process's view of the levels (the last
/// level seen per session, the `sage_budget_sessions` gauge, `budget.level_changed`). The
/// memory store owns the database and does what the controller decides; the numbers every
/// process must agree on (usage, reservations, the recorded level) stay in the database.
using token_budget_actor = caf::typed_actor<
    // The status report of a session.
    caf::replies_to<atom::status, std::string>::with<budget_report>,
    // Whether `tokens` more fit the session's budget.
    caf::replies_to<atom::check, std::string, uint64_t>::with<core::budget_check>,
    // After a write, the sessions it touched as the store found them: publishes the level
    // changes, answers what to do to each (in the same order). The one request a write costs.
    caf::replies_to<atom::observe, std::vector<budget_observation>>::with<std::vector<budget_plan>>,
    // The level a session reached after the store acted on a plan, when it differs from the
    // one observed (one-way).
    caf::reacts_to<atom::level, budget_observation>,
    // Reservations, kept by the store: hold (session, tokens, ttl in ms; 0 = configured),
    // commit, release; each answers the reservation id.
    caf::replies_to<atom::reserve, std::string, uint64_t, uint64_t>::with<std::string>,
    caf::replies_to<atom::commit, std::string>::with<std::string>,
    caf::replies_to<atom::release, std::string>::with<std::string>,
    // What it has been asked and has asked so far.
    caf::replies_to<atom::stats>::with<budget_stats>,
    // The node hands over the event router or a (re)started memory store.
    caf::reacts_to<atom::wire, std::string, uint32_t, caf::actor>>;

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
