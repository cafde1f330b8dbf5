// A query worker: answers knowledge operations over the snapshot of the moment. Several share
// one snapshot so queries use every core.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"
#include "actors/engine_context.hpp"

#include "core/analyzer.hpp"
#include "core/knowledge_ops.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <memory>

namespace sage::actors {

struct query_worker_state {
  static inline const char* name = "query_worker";

  std::shared_ptr<engine_context> ctx;
  core::analyzer an; ///< stemmers are not thread-safe: one analyzer per worker
};

/// Runs each operation to the end unless its job's deadline passes first; slow operations send
/// what is ready to the requester (`partial`) from half of the deadline on.
query_worker_actor::behavior_type
query_worker(query_worker_actor::stateful_pointer<query_worker_state> self,
             std::shared_ptr<engine_context> ctx);

} // namespace sage::actors
