// The node: root supervisor of one process's engine and its front door.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/engine_context.hpp"
#include "actors/loader.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sage::actors {

struct node_settings {
  unsigned workers = 2;
  loader_settings loader;
  std::chrono::milliseconds shutdown_grace{5000}; ///< per shutdown stage, then a hard stop
  std::chrono::milliseconds first_backoff{100};   ///< doubles per quick crash, up to max
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds stable_after{10000}; ///< a child up this long starts over at first
  bool log_events = false; ///< subscribe an `event_logger` to every event before the first
};

/// One supervised actor.
struct child {
  std::string name;   ///< `event_router`, `worker-0`, `loader`, `timeout_supervisor`
  uint32_t stage = 0; ///< shutdown order: lower stops first
  uint32_t slot = 0;  ///< a worker's place in the loader's pool
  caf::actor handle;
  bool running = false;
  uint32_t restarts = 0;
  std::string last_exit;
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds backoff{0};
};

struct node_state {
  static inline const char* name = "node";

  std::shared_ptr<engine_context> ctx;
  node_settings settings;
  std::vector<child> children; ///< in start order: router, workers, loader, supervisor
  bool stopping = false;
  uint32_t stage = 0; ///< the shutdown stage in progress
  caf::error exit_reason;

  child* find(const std::string& name);
  child* find(const caf::actor_addr& addr);
  timeout_supervisor_actor supervisor();
};

/// Spawns the event router, the query workers, the loader and the timeout supervisor, each
/// monitored and wired to the others; a child that goes down is restarted after a back-off
/// (logged, and published as `system.restart`) and its new handle handed to those that use
/// it. An exit message starts the ordered shutdown: `system.shutdown` is published, then the
/// supervisor, the loader, the workers and the router are stopped in that order, each stage
/// given the grace period before it is killed. Engine operations are delegated to the timeout
/// supervisor.
node_actor::behavior_type node(node_actor::stateful_pointer<node_state> self,
                               std::shared_ptr<engine_context> ctx, node_settings settings);

} // namespace sage::actors
