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
  system_config();
};

} // namespace sage::actors
