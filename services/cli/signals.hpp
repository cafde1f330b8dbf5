// How long-running commands (`sage node`, `sage mcp`) take SIGINT and SIGTERM: blocked in every
// thread, and taken by `sigwait` on one of them, so a signal never interrupts a write midway.
// SPDX-License-Identifier: MIT
#pragma once

#include <csignal>

namespace sage::services::cli {

/// SIGINT and SIGTERM. Block them (`pthread_sigmask`) before any thread starts, so every thread
/// inherits the mask.
sigset_t termination_signals();

/// Waits for one of `set` and returns its number.
int wait_for_signal(const sigset_t& set);

} // namespace sage::services::cli
