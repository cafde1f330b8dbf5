// Remembers the last failed rebuild of the knowledge base, for health checks of a long-running
// process (the loader reports a failure once, as a `loader.error` event).
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/engine.hpp"

#include <caf/actor.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sage::services::ops {

/// The last `loader.error` not yet followed by a `loader.complete`.
struct loader_failure {
  std::string error;
  uint64_t generation = 0; ///< the generation still served
  int64_t at_ms = 0;       ///< when it was published, milliseconds since the epoch
};

/// Subscribes to the engine's `loader.*` events. Safe to read from any thread. Start one per
/// server once the engine is running and pass it to `check_health`; its actor stops with the
/// engine's node or with this object, whichever comes first. (Were the event router itself to
/// be restarted, the subscription would be gone and the last failure only as fresh as before.)
class loader_watch {
public:
  /// Subscribes; `ok()` is false when the engine's event router did not answer.
  explicit loader_watch(actors::engine& engine);
  ~loader_watch();
  loader_watch(const loader_watch&) = delete;
  loader_watch& operator=(const loader_watch&) = delete;

  bool ok() const { return subscribed_; }

  /// The failure to report, if the last rebuild failed.
  std::optional<loader_failure> last_failure() const;

  struct state {
    mutable std::mutex mutex;
    std::optional<loader_failure> failure;
  };

private:
  std::shared_ptr<state> state_;
  caf::actor handler_;
  bool subscribed_ = false;
};

} // namespace sage::services::ops
