// The actor-system configuration every SAGE process starts from: message types and the error
// category registered, the network layer loaded.
// SPDX-License-Identifier: MIT
#pragma once

#include <caf/actor_system_config.hpp>

namespace sage::actors {

/// Registers every SAGE message type (so any actor can be reached on a remote node) and the
/// `sage` error category, and loads CAF's middleman.
class system_config : public caf::actor_system_config {
public:
  /// `network` loads the middleman (servers and cluster nodes); one-shot CLI commands skip it.
  /// `threads` (0 = CAF's default, one per core) sizes the scheduler: the engine asks for one
  /// more than its query workers, so a long query never keeps the timeout supervisor from
  /// answering on time.
  explicit system_config(bool network = true, size_t threads = 0);
};

} // namespace sage::actors
