// A circuit breaker for one kind of operation.
// SPDX-License-Identifier: MIT
#include "core/circuit_breaker.hpp"

namespace sage::core {

const char* to_string(breaker_state s) {
  switch (s) {
  case breaker_state::closed:
    return "closed";
  case breaker_state::open:
    return "open";
  case breaker_state::half_open:
    return "half_open";
  }
  return "unknown";
}

bool circuit_breaker::allow(clock::time_point now) {
  switch (state_) {
  case breaker_state::closed:
    return true;
  case breaker_state::open:
    if (now - opened_at_ < reset_after_) return false;
    state_ = breaker_state::half_open;
    trial_in_flight_ = true;
    return true;
  case breaker_state::half_open:
    if (trial_in_flight_) return false; // one trial at a time
    trial_in_flight_ = true;
    return true;
  }
  return false;
}

std::optional<breaker_state> circuit_breaker::record_success() {
  failures_ = 0;
  trial_in_flight_ = false;
  if (state_ == breaker_state::closed) return std::nullopt;
  state_ = breaker_state::closed;
  return state_;
}

std::optional<breaker_state> circuit_breaker::record_failure(clock::time_point now) {
  trial_in_flight_ = false;
  if (state_ == breaker_state::half_open) {
    state_ = breaker_state::open;
    opened_at_ = now;
    return state_;
  }
  if (state_ == breaker_state::open) return std::nullopt; // a late answer from before it opened
  if (++failures_ < threshold_) return std::nullopt;
  state_ = breaker_state::open;
  opened_at_ = now;
  return state_;
}

} // namespace sage::core
