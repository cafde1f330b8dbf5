// A circuit breaker for one kind of operation (docs/architecture.md): after N consecutive failures
// it opens and refuses calls; after a pause it lets one trial call through.
// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <ostream>

namespace sage::core {

enum class breaker_state { closed, open, half_open };

const char* to_string(breaker_state s);

/// For test output and logs.
inline std::ostream& operator<<(std::ostream& os, breaker_state s) {
  return os << to_string(s);
}

/// Pure state machine: time is passed in, so tests and the timeout supervisor drive it without
/// sleeping. Not-found answers are not failures; the caller decides what to record.
class circuit_breaker {
public:
  using clock = std::chrono::steady_clock;

  circuit_breaker(int failure_threshold, std::chrono::milliseconds reset_after)
      : threshold_(failure_threshold < 1 ? 1 : failure_threshold), reset_after_(reset_after) {}

  /// Whether a call may go through at `now`. An open breaker whose pause is over lets exactly
  /// one trial call through (half-open) until its outcome is recorded.
  bool allow(clock::time_point now);

  /// Records a successful call; returns the new state when it changed (half-open -> closed).
  std::optional<breaker_state> record_success();

  /// Records a failed call; returns the new state when it changed (closed -> open after the
  /// threshold, half-open -> open after a failed trial).
  std::optional<breaker_state> record_failure(clock::time_point now);

  breaker_state state() const { return state_; }
  int consecutive_failures() const { return failures_; }

private:
  int threshold_;
  std::chrono::milliseconds reset_after_;
  breaker_state state_ = breaker_state::closed;
  int failures_ = 0;
  clock::time_point opened_at_{};
  bool trial_in_flight_ = false;
};

} // namespace sage::core
