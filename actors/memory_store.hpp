// The memory store: the single writer of the working memory, its sessions, checkpoints and
// reservations in one process.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/engine_context.hpp"

#include "core/memory_db.hpp"
#include "core/session_store.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace sage::actors {

/// Where the memory database of a configuration lives: `memory.db` in the data directory.
std::filesystem::path memory_db_path(const core::config& cfg);

struct memory_store_state {
  static inline const char* name = "memory_store";

  std::shared_ptr<engine_context> ctx;
  std::optional<core::memory_db> db; ///< opened on first use
  event_router_actor router;
  token_budget_actor budget;

  /// The database, opened (and created with private permissions) on first use. A failure is
  /// answered to the caller and tried again on the next request.
  core::result<core::memory_db*> open();

  /// Applies the retention rules of the configuration (`memory.retention.*`), publishing
  /// `memory.pruned` for what they deleted; answers the deleted ids (none without rules).
  core::result<std::vector<std::string>> retain(core::memory_db& store);

  /// `retain` after a successful write, whose answer a failure here must not change (logged).
  void retain_after_write(core::memory_db& store);

  /// Publishes an event of the memory store.
  void publish(std::string type, const nlohmann::json& payload);

  // -- the budget after a write --

  /// The session's budget now and its level recorded (`core::record_level`): what the budget
  /// controller decides from.
  core::result<budget_observation> observe_budget(core::memory_db& store,
                                                  const std::string& session);

  /// Does what the controller planned for a session observed at `seen` (prune, summarise,
  /// publishing `memory.pruned` / `memory.summarized`), records the level that results and
  /// tells the controller (one-way) when it differs from `seen`. Failures are logged: the
  /// write that led here has happened and is answered either way.
  void carry_out(core::memory_db& store, const budget_plan& plan, const budget_observation& seen);
};

/// Runs in a thread of its own (spawn it detached): SQLite calls block, and a write may wait
/// up to the busy timeout for another process. A write that touches sessions is answered once
/// the budget has been dealt with: the store reads each session's budget, asks the budget
/// controller what to do in one request for the whole write, and does it itself, so a caller
/// sees the summary or the pruning its write caused.
memory_store_actor::behavior_type
memory_store(memory_store_actor::stateful_pointer<memory_store_state> self,
             std::shared_ptr<engine_context> ctx);

} // namespace sage::actors
