// Every request timeout between actors, named in one place.
// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>

namespace sage::actors::timeouts {

/// Default time a subscriber's handler may take for one event (PRODUCT.md 3.6).
constexpr auto event_handler = std::chrono::milliseconds(5000);

/// Answers from the event router about its own state (subscribe, stats).
constexpr auto router_admin = std::chrono::seconds(2);

/// How often the loader retries a rebuild that failed (the root is missing or unreadable).
constexpr auto rebuild_retry = std::chrono::seconds(1);

} // namespace sage::actors::timeouts
