// Every request timeout between actors, named in one place.
// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>

namespace sage::actors::timeouts {

/// Default time a subscriber's handler may take for one event (PRODUCT.md 3.6).
constexpr auto event_handler = std::chrono::milliseconds(5000);

/// Answers from the event router about its own state (subscribe, stats).
constexpr auto router_admin = std::chrono::seconds(2);

/// How long an event relay waits before it looks for a restarted router again (the node
/// restarts a crashed child after a back-off of 100 ms and more).
constexpr auto relay_resubscribe = std::chrono::milliseconds(200);

/// How often the loader retries a rebuild that failed (the root is missing or unreadable).
constexpr auto rebuild_retry = std::chrono::seconds(1);

/// The budget controller's answer to what a write found (what to do to its sessions). The
/// controller decides from what it is sent, without reading anything, so this only bounds a
/// stuck or restarting controller: the write is answered when the answer (and the pruning or
/// summary it asks for, done by the store itself) is done or this passes.
constexpr auto budget_observe = std::chrono::seconds(10);

/// A read of the memory store for the budget controller (status, check).
constexpr auto memory_step = std::chrono::seconds(8);

/// How long an outside caller (CLI, HTTP) waits for the memory store or the budget controller:
/// a write waits up to SQLite's busy timeout for another process, then for its budget check.
constexpr auto memory_call = std::chrono::seconds(20);

} // namespace sage::actors::timeouts
