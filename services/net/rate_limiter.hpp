// Per-client rate limiting with token buckets (server.rate_limit.*).
// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sage::services::net {

/// One token bucket per client address: it holds at most `burst` tokens, refills at
/// `per_second` and each request takes one. A client that finds its bucket empty is told how
/// long until the next token. Thread-safe.
class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `per_second` <= 0 turns limiting off.
  rate_limiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}

  bool enabled() const { return rate_ > 0; }

  /// Takes a token for `client` at `now`; 0 when there was one, else the whole seconds to
  /// wait before asking again (at least 1, for `Retry-After`).
  long long take(const std::string& client, clock::time_point now = clock::now());

  /// Clients with a bucket now (full ones are forgotten from time to time).
  size_t tracked() const;

private:
  struct bucket {
    double tokens = 0;
    clock::time_point updated;
  };

  /// Drops buckets that have refilled completely: they behave like new ones, and keeping
  /// them would let a stream of one-off addresses grow the map without bound.
  void forget_full(clock::time_point now);

  double rate_;
  double burst_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
  size_t takes_since_sweep_ = 0;
};

} // namespace sage::services::net
