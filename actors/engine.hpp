// One process's engine: the actor system, the node and its children, and the bridge.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/bridge.hpp"
#include "actors/engine_context.hpp"
#include "actors/node.hpp"
#include "actors/system_config.hpp"

#include "core/error.hpp"

#include <caf/actor_system.hpp>
#include <memory>

namespace sage::actors {

struct engine_options {
  bool network = false;    ///< load CAF's network layer (servers, cluster nodes)
  bool watch = false;      ///< rebuild on file changes (long-running processes)
  unsigned workers = 0;    ///< query workers; 0 = `engine.workers` of the configuration
  bool log_events = false; ///< write every event to the log (long-running processes)
};

class engine {
public:
  /// Starts the engine over an already loaded snapshot (the caller reports load errors the
  /// way it likes). The generation of `kb` is the first one served.
  static std::unique_ptr<engine> start(core::config cfg, core::token_counter tokens,
                                       std::shared_ptr<const core::knowledge_base> kb,
                                       engine_options opts = {});

  /// Stops the engine in order (see `node`) if `stop` was not called.
  ~engine();

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Calls into the engine from any outside thread.
  bridge& calls() { return *bridge_; }

  caf::actor_system& system() { return sys_; }
  const node_actor& node() const { return node_; }
  const std::shared_ptr<engine_context>& context() const { return ctx_; }

  /// Returns once every actor has finished starting (the watcher, when asked for, is
  /// watching); false when the engine did not answer within `wait`.
  bool await_ready(std::chrono::milliseconds wait = std::chrono::seconds(5));

  /// Ordered shutdown; returns once every actor of the engine has stopped (each shutdown
  /// stage is bounded by `engine.shutdown_grace`).
  void stop();

private:
  engine(std::shared_ptr<engine_context> ctx, engine_options opts);

  std::shared_ptr<engine_context> ctx_;
  system_config caf_cfg_;
  caf::actor_system sys_;
  node_actor node_;
  std::unique_ptr<bridge> bridge_;
  bool stopped_ = false;
};

} // namespace sage::actors
