// The timeout supervisor: every engine request passes through it with its deadline, and it
// keeps one circuit breaker per operation kind (docs/architecture.md).
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/engine_context.hpp"
#include "actors/operations.hpp"

#include "core/circuit_breaker.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace sage::actors {

/// A request on its way: what it is, when it must be answered, what is ready so far.
struct pending_request {
  operation op = operation::get;
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds limit{0};
  bool warned = false;
  std::optional<core::load_result> ready; ///< the latest partial answer of a slow operation
};

struct timeout_supervisor_state {
  static inline const char* name = "timeout_supervisor";

  std::shared_ptr<engine_context> ctx; ///< timeouts, breaker settings, the token counter
  loader_actor loader;
  event_router_actor router;
  std::map<uint64_t, pending_request> pending;
  uint64_t next_id = 1;
  std::vector<core::circuit_breaker> breakers; ///< by operation
  std::vector<bool> exceeded;                  ///< by operation: timed out since the last success
  supervisor_stats counters;
  bool sweeping = false; ///< the warning sweep timer is armed
  bool draining = false; ///< shutting down: refuse new work, quit when the last is answered
  caf::error quit_reason;
};

/// Forwards each request to the loader with the deadline of its kind. On expiry it answers
/// with what is ready (`partial`) or the built-in fallback (`fallback`) for the LoadResult
/// operations, an empty `fallback` search, or a `timed_out` error for the rest; publishes
/// `timeout.warning` at 80 % of the deadline (checked by a sweep every tenth of the shortest
/// deadline while requests are in flight), `timeout.exceeded` on expiry and
/// `timeout.recovered` on the next success. Breakers: consecutive failures (timeouts and
/// engine errors, never the caller's errors) open them; `breaker.opened|closed` published.
timeout_supervisor_actor::behavior_type
timeout_supervisor(timeout_supervisor_actor::stateful_pointer<timeout_supervisor_state> self,
                   std::shared_ptr<engine_context> ctx, loader_actor loader,
                   event_router_actor router);

} // namespace sage::actors
