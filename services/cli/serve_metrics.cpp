// The metrics listener of `sage serve`.
// SPDX-License-Identifier: MIT
#include "services/cli/serve_metrics.hpp"

#include "services/telemetry/process_metrics.hpp"

#include "actors/memory_store.hpp"

namespace sage::services::cli {

std::function<std::string()> metrics_text(runtime& rt) {
  auto metrics = rt.engine->context()->metrics;
  telemetry::collect_process_metrics(*metrics, actors::memory_db_path(rt.cfg));
  return [metrics] { return metrics->render(); };
}

core::result<std::unique_ptr<telemetry::metrics_server>>
start_metrics_server(const core::config& cfg, std::function<std::string()> text,
                     const std::string& host, std::optional<int> port) {
  telemetry::metrics_server_options opts;
  opts.host = host;
  opts.port = port.value_or(cfg.metrics_port);
  opts.text = std::move(text);
  auto server = std::make_unique<telemetry::metrics_server>(std::move(opts));
  if (auto failed = server->bind())
    return core::make_error(core::error_code::io, *failed,
                            "choose another port with --metrics-port or server.metrics_port "
                            "(SAGE_METRICS_PORT)");
  server->start();
  return server;
}

} // namespace sage::services::cli
