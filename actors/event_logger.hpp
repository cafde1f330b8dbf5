// An event handler that writes events to the log, for long-running processes.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/actors.hpp"

namespace sage::actors {

/// Logs each delivered event: changes of state (`system.*`, `loader.changed|error`,
/// `timeout.exceeded`, `breaker.*`) at info or warning level, the rest at debug.
event_handler_actor::behavior_type event_logger(event_handler_actor::pointer self);

} // namespace sage::actors
