// The token budget controller: levels per session, level-change events, and summarising or
// pruning when a session runs full.
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

namespace sage::actors {

struct token_budget_state {
  static inline const char* name = "token_budget";

  std::shared_ptr<engine_context> ctx;
  memory_store_actor store; ///< the writer; every change goes through it
  event_router_actor router;
  /// The level each session was last counted at in `sage_budget_sessions`: the metric counts
  /// the sessions this process has seen, whose levels it learns as they are recorded.
  std::map<std::string, core::budget_level> counted;
};

/// Keeps no numbers of its own: usage, held reservations and the last level seen live in the
/// memory database (so several processes agree on them), read through the store. After a
/// write, `observe` records the level the session reached (publishing `budget.level_changed`
/// when it differs from the last one recorded), then at overflow prunes ephemeral and low
/// entries, at critical (or when pruning was not enough) summarises, and records the level
/// that results.
token_budget_actor::behavior_type
token_budget(token_budget_actor::stateful_pointer<token_budget_state> self,
             std::shared_ptr<engine_context> ctx);

} // namespace sage::actors
