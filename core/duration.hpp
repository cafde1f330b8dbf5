// Durations in configuration text: `250ms`, `2s`, `1m`, `30d`, `1.5s` or plain milliseconds.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <string>

namespace sage::core {

/// The longest duration any text may give (`parse_duration`): 3650 days. Every clock the program
/// adds a duration to counts nanoseconds in 64 bits (about 292 years from 1970 or from boot), so
/// ten years leaves that arithmetic far from overflow, while retention ages of years still fit.
inline constexpr std::chrono::milliseconds max_duration{std::chrono::hours{24} * 3650};

/// The longest deadline, delay or lifetime a configuration key may set (`timeout.*`,
/// `engine.shutdown_grace`, `knowledge.watch_debounce`, `budget.reservation_ttl`, ...): 7 days.
/// Retention ages (`memory.retention.*.max_age`) may go up to `max_duration`.
inline constexpr std::chrono::milliseconds max_delay{std::chrono::hours{24} * 7};

/// Whether `e`, an error of `parse_duration`, refused a well-formed duration for being longer
/// than `max_duration` (rather than for its spelling).
bool is_too_long(const error& e);

/// Renders a duration in the largest unit that keeps it whole (`2s`, `250ms`, `1m`, `30d`), so that
/// `sage config show` prints values that `parse_duration` reads back unchanged.
std::string format_duration(std::chrono::milliseconds value);

} // namespace sage::core
