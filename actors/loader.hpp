// The loader: owns the snapshot in use, spreads queries over the query workers, watches the
// knowledge base and swaps rebuilt snapshots in.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/engine_context.hpp"
#include "actors/kb_watcher.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <memory>
#include <vector>

namespace sage::actors {

struct loader_settings {
  bool watch = false;                      ///< rebuild on file changes (servers, not the CLI)
  std::chrono::milliseconds debounce{100}; ///< quiet time before a rebuild
  unsigned build_threads = 2;              ///< parse threads of a rebuild
};

struct loader_state {
  static inline const char* name = "loader";

  std::shared_ptr<engine_context> ctx;
  loader_settings settings;
  std::vector<query_worker_actor> workers; ///< by slot; invalid while a worker restarts
  size_t next_worker = 0;
  event_router_actor router;
  std::unique_ptr<kb_watcher> watcher;
  uint64_t changes_seen = 0; ///< numbers change notices, so only the last one's timer rebuilds
  bool building = false;     ///< a rebuild runs in the background
  bool dirty = false;        ///< files changed while it ran: rebuild again after
  std::string last_error;    ///< of the last failed rebuild or watch, reported once

  /// The next live worker in turn; invalid when none is.
  query_worker_actor pick();
};

/// Queries are delegated to the workers round-robin, so the worker answers the caller
/// directly. File changes are debounced; a rebuild runs in a detached actor of its own
/// (reusing unchanged documents), and only a complete snapshot is swapped in.
loader_actor::behavior_type loader(loader_actor::stateful_pointer<loader_state> self,
                                   std::shared_ptr<engine_context> ctx, loader_settings settings);

/// Builds the next snapshot after `previous` and swaps it in when anything changed.
rebuild_report rebuild_snapshot(engine_context& ctx,
                                const std::shared_ptr<const core::knowledge_base>& previous,
                                unsigned threads);

} // namespace sage::actors
