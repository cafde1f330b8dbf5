// Termination signals of long-running commands.
// SPDX-License-Identifier: MIT
#include "services/cli/signals.hpp"

namespace sage::services::cli {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

} // namespace sage::services::cli
