// Per-client token buckets.
// SPDX-License-Identifier: MIT
#include "services/net/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sage::services::net {
namespace {

/// How many requests pass between two sweeps of full buckets.
constexpr size_t sweep_every = 1024;

} // namespace

long long rate_limiter::take(const std::string& client, clock::time_point now) {
  if (!enabled()) return 0;
  std::lock_guard lock(mutex_);
  if (++takes_since_sweep_ >= sweep_every) forget_full(now);
  auto [it, added] = buckets_.try_emplace(client, bucket{burst_, now});
  auto& b = it->second;
  if (!added) {
    std::chrono::duration<double> elapsed = now - b.updated;
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed.count()) * rate_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  auto wait = (1.0 - b.tokens) / rate_;
  return std::max(1LL, static_cast<long long>(std::ceil(wait)));
}

size_t rate_limiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void rate_limiter::forget_full(clock::time_point now) {
  takes_since_sweep_ = 0;
  std::erase_if(buckets_, [&](const auto& entry) {
    std::chrono::duration<double> elapsed = now - entry.second.updated;
    return entry.second.tokens + elapsed.count() * rate_ >= burst_;
  });
}

} // namespace sage::services::net
