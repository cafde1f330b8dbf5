// Durations in configuration text: `250ms`, `2s`, `1m`, `30d`, `1.5s` or plain milliseconds.
// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

namespace sage::core {

/// Renders a duration in the largest unit that keeps it whole (`2s`, `250ms`, `1m`, `30d`), so that
/// `sage config show` prints values that `parse_duration` reads back unchanged.
std::string format_duration(std::chrono::milliseconds value);

} // namespace sage::core
