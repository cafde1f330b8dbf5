// The CLI's logging: readable lines at a level from the flags until the configuration is
// known, then the configured format and level (flags beat SAGE_LOG_LEVEL beat files).
// SPDX-License-Identifier: MIT
#pragma once

#include "services/cli/runtime.hpp"

namespace sage::services::cli {

/// Before the configuration is read: console lines; -v DEBUG, -q ERROR, else INFO for
/// long-running commands and WARNING for one-shot ones.
void start_logging(const global_options& g, bool long_running);

/// Once it is read: `logging.format`, and `logging.level` when a source set it (a flag still
/// wins); while no source sets it the level of `start_logging` stays.
void apply_logging_config(const core::config& cfg, const global_options& g, bool long_running);

} // namespace sage::services::cli
