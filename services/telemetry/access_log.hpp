// What every HTTP server of the process does when it has answered a request: count it in
// `sage_requests_total` and write one access line (logger `access`).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/sage_metrics.hpp"

#include <cstddef>
#include <string_view>

namespace sage::services::telemetry {

/// One answered request. `route` is the pattern that matched (`/v1/memory/{id}`), never the
/// raw path: paths are unbounded and would make a metric series per id.
struct request_fields {
  std::string_view method;
  std::string_view route;
  int status = 0;
  double seconds = 0;
  std::string_view request_id;
  std::string_view client;
  std::size_t bytes_out = 0;
};

/// Counts the request and logs it at info level with its fields as context: request_id,
/// method, route, status, duration_ms, client, bytes_out.
void record_request(core::sage_metrics& metrics, const request_fields& r);

} // namespace sage::services::telemetry
