// One health check shared by the callers that ask within a short interval.
// SPDX-License-Identifier: MIT
#include "services/ops/health_cache.hpp"

namespace sage::services::ops {

health_report health_cache::get(const health_target& target) {
  std::lock_guard<std::mutex> lock{mutex_};
  auto now = std::chrono::steady_clock::now();
  if (!checked_ || now - *checked_ >= max_age_) {
    last_ = check_health(target);
    checked_ = std::chrono::steady_clock::now();
  }
  return last_;
}

} // namespace sage::services::ops
