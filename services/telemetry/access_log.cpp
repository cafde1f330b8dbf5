// The access log and request counter.
// SPDX-License-Identifier: MIT
#include "services/telemetry/access_log.hpp"

#include "services/telemetry/logging.hpp"

#include <cmath>

namespace sage::services::telemetry {

void record_request(core::sage_metrics& metrics, const request_fields& r) {
  metrics.request(r.route, r.status);
  auto& logger = access_log();
  if (!logger.should_log(spdlog::level::info)) return;
  // Milliseconds with three decimals: microseconds are noise in a log line.
  double duration_ms = std::round(r.seconds * 1e6) / 1e3;
  log(logger, spdlog::level::info, "request answered",
      {{"request_id", r.request_id},
       {"method", r.method},
       {"route", r.route},
       {"status", r.status},
       {"duration_ms", duration_ms},
       {"client", r.client},
       {"bytes_out", r.bytes_out}});
}

} // namespace sage::services::telemetry
