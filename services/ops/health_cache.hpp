// One health check shared by the callers that ask within a short interval, so that a storm of
// probes (load balancers, a benchmark against GET /health) costs one check per interval.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/ops/health.hpp"

#include <chrono>
#include <mutex>
#include <optional>

namespace sage::services::ops {

class health_cache {
public:
  explicit health_cache(std::chrono::milliseconds max_age = std::chrono::seconds(1))
      : max_age_(max_age) {}

  /// The last report when it is younger than `max_age`, else a fresh `check_health(target)`.
  /// Callers arriving while a check runs wait for it and share its report. Thread-safe.
  health_report get(const health_target& target);

private:
  std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> checked_;
  health_report last_;
};

} // namespace sage::services::ops
