// The token budget controller: the budget policy, this process's view of each session's level
// and the level-change events.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/engine_context.hpp"

#include "core/token_budget.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sage::actors {

/// Who owns what. Several processes may share one memory database, so what they must agree on
/// lives in it and is read and written by the memory store, the one connection of this process:
/// usage, held reservations, and the recorded last level of each session (`budget_levels`),
/// which decides whether a level change is news (`core::record_level`: once across processes).
/// The controller owns the policy (what a level asks for) and what this process has seen: the
/// last level per session, which `sage_budget_sessions` counts, and the events.
///
/// A write costs one request to the controller and none back: the store computes the budget
/// after the write and records the level, sends what it found (`observe`), does what the answer
/// says in the same handler (it has the connection, so prune and summarise need no further
/// round trips), and sends the level that results one-way (`level`) when it differs.
struct token_budget_state {
  static inline const char* name = "token_budget";

  std::shared_ptr<engine_context> ctx;
  memory_store_actor store; ///< for status and check, and reservations (delegated)
  event_router_actor router;
  /// The level each session was last seen at in this process, as `sage_budget_sessions` counts
  /// it. Not a source of truth: another process may have moved the session since.
  std::map<std::string, core::budget_level> levels;
  budget_stats stats;

  /// Takes in what the store found after a write (level change events, the gauge) and answers
  /// what to do to each session, in the same order.
  std::vector<budget_plan> observe(const std::vector<budget_observation>& seen);

  /// Takes in the level a session reached after the store acted on a plan.
  void note_level(const budget_observation& after);

  /// The policy: at overflow prune ephemeral then low entries (and summarise when that is not
  /// enough), at critical summarise, below that nothing.
  static budget_step step_for(core::budget_level level);

  /// Moves the session to its new level in the gauge and publishes `budget.level_changed`
  /// when this observation recorded a change.
  void see(const budget_observation& o);
};

token_budget_actor::behavior_type
token_budget(token_budget_actor::stateful_pointer<token_budget_state> self,
             std::shared_ptr<engine_context> ctx);

} // namespace sage::actors
