// The metrics side of `sage serve`: the listener on server.metrics_port and the text the API
// serves at /metrics, both over the engine's metrics.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/cli/runtime.hpp"

#include "services/telemetry/metrics_server.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sage::services::cli {

/// The Prometheus text of `rt`'s engine, with the process's resident memory and the memory
/// database's size read at each call; safe from any thread. Call it once per process (it sets
/// the engine metrics' reader of those two) and hand the function to every server that shows
/// metrics.
std::function<std::string()> metrics_text(runtime& rt);

/// Binds GET /metrics serving `text` on `host`:`port` (default server.metrics_port; 0 = any
/// free port) and serves it on a thread of its own until the server is stopped or destroyed.
core::result<std::unique_ptr<telemetry::metrics_server>>
start_metrics_server(const core::config& cfg, std::function<std::string()> text,
                     const std::string& host, std::optional<int> port);

} // namespace sage::services::cli
