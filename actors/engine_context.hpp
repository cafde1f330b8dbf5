// What the actors of one process share read-only: configuration, token counter, the
// current knowledge-base snapshot and the metrics. Never sent in messages; remote nodes have their
// own. SPDX-License-Identifier: MIT
#pragma once

#include "actors/event_interest.hpp"

#include "core/config.hpp"
#include "core/knowledge_base.hpp"
#include "core/sage_metrics.hpp"
#include "core/tokenizer.hpp"

#include <atomic>
#include <memory>

namespace sage::actors {

/// The snapshot in use. Readers take a reference for the whole of one operation, so a swap
/// never changes the index under a running query, and the old snapshot is freed when its
/// last reader is done.
class snapshot_holder {
public:
  explicit snapshot_holder(std::shared_ptr<const core::knowledge_base> kb)
      : current_(std::move(kb)) {}

  std::shared_ptr<const core::knowledge_base> load() const { return current_.load(); }

  void store(std::shared_ptr<const core::knowledge_base> kb) { current_.store(std::move(kb)); }

private:
  std::atomic<std::shared_ptr<const core::knowledge_base>> current_;
};

struct engine_context {
  engine_context(core::config c, core::token_counter t,
                 std::shared_ptr<const core::knowledge_base> kb)
      : cfg(std::move(c)), tokens(std::move(t)), snapshot(std::move(kb)) {}

  const core::config cfg;
  const core::token_counter tokens;
  snapshot_holder snapshot;
  event_interest events; ///< kept up to date by the event router
  /// The engine's metrics: counted by the bridge, the supervisor, the loader and the budget
  /// controller; rendered by whoever serves /metrics.
  const std::shared_ptr<core::sage_metrics> metrics = std::make_shared<core::sage_metrics>();
};

} // namespace sage::actors
