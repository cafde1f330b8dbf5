// `sage serve`: the HTTP API and the MCP server over Streamable HTTP in one process, over one
// engine, until SIGINT or SIGTERM.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"
#include "services/cli/mcp_setup.hpp"
#include "services/cli/serve_metrics.hpp"
#include "services/cli/signals.hpp"

#include "services/http/api_server.hpp"
#include "services/http/api_setup.hpp"
#include "services/http/security.hpp"
#include "services/mcp/http_transport.hpp"
#include "services/mcp/worker_pool.hpp"
#include "services/net/host_check.hpp"
#include "services/ops/health.hpp"
#include "services/ops/health_cache.hpp"
#include "services/ops/loader_watch.hpp"
#include "services/telemetry/access_log.hpp"

#include <csignal>
#include <memory>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace sage::services::cli {
namespace {

void log_session_event(std::string_view event, const nlohmann::json& fields) {
  spdlog::info("mcp http: {} {}", event, fields.dump());
}

void log_api_event(const std::string& message, const nlohmann::json& fields) {
  spdlog::warn("api: {} {}", message,
               fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

/// `::1` needs brackets in a URL.
std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos && !host.starts_with('[') ? "[" + host + "]" : host;
}

} // namespace

int run_serve(session& s, const output& out, const serve_args& a) {
  // Checked before the knowledge base is loaded, so a refusal is immediate.
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  bool loopback = net::is_loopback_host(a.host);
  if (!loopback && cfg->api_key.empty() && !a.allow_remote)
    return out.fail(core::make_error(
        core::error_code::invalid_argument,
        "refusing to listen on " + a.host + ": it is not a loopback address and no API key is set",
        "set server.api_key (SAGE_API_KEY) so that the API and MCP endpoints require it, add "
        "--allow-remote to expose them without a key anyway, or use --host 127.0.0.1"));

  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto rt = s.open(/*long_running=*/true);
  if (!rt) return out.fail(rt.err());
  auto& engine = *(*rt)->engine;

  // The pool outlives the transport (sessions hold responders whose work runs on it) and
  // finishes the calls it holds before the engine stops below.
  auto pool = std::make_unique<mcp::worker_pool>(mcp_tool_threads);
  auto service = make_mcp_service(**rt, *pool);

  mcp::http_options mcp_opts;
  mcp_opts.host = a.host;
  mcp_opts.port = a.mcp_port.value_or((*rt)->cfg.mcp_port);
  mcp_opts.log = log_session_event;
  const auto& server_cfg = (*rt)->cfg.api;
  mcp_opts.allowed_hosts = server_cfg.allowed_hosts;
  mcp_opts.rate_per_second = server_cfg.rate_per_second;
  mcp_opts.rate_burst = server_cfg.rate_burst;
  mcp_opts.header_timeout = server_cfg.header_timeout;
  mcp_opts.body_timeout = server_cfg.body_timeout;
  mcp_opts.max_connections_per_address =
      static_cast<std::size_t>(server_cfg.max_connections_per_address);
  mcp_opts.session_idle_timeout = (*rt)->cfg.mcp.session_idle_timeout;
  mcp_opts.max_sessions = static_cast<std::size_t>((*rt)->cfg.mcp.max_sessions);
  if (auto key = (*rt)->cfg.api_key; !key.empty())
    mcp_opts.check_key = [key](std::string_view x_api_key, std::string_view authorization) {
      return http::key_matches(http::presented_key(x_api_key, authorization), key);
    };
  auto transport = std::make_shared<mcp::http_transport>(service.server, mcp_opts);
  if (auto failed = transport->bind())
    return out.fail(core::make_error(core::error_code::io, *failed,
                                     "choose another port with --mcp-port or server.mcp_port "
                                     "(SAGE_MCP_PORT)"));
  // One metrics text for both places that serve it: the metrics port and /metrics on the API.
  auto metrics_source = metrics_text(**rt);
  auto metrics = start_metrics_server((*rt)->cfg, metrics_source, a.host, a.metrics_port);
  if (!metrics) return out.fail(metrics.err());

  auto api_opts = http::api_options_from((*rt)->cfg);
  api_opts.host = a.host;
  // The Host check against DNS rebinding is needed while nothing else keeps pages out.
  api_opts.loopback_only = loopback && api_opts.api_key.empty();
  if (a.api_port) api_opts.port = *a.api_port;
  api_opts.log = log_api_event;
  api_opts.metrics_text = metrics_source;
  api_opts.on_request = [counters = engine.context()->metrics](const http::request_record& r) {
    telemetry::record_request(*counters, {r.method, r.route, r.status, r.duration_seconds,
                                          r.request_id, r.client, r.bytes_out});
  };
  // GET /health runs the checks of `sage health`, with rebuild failures heard as they happen,
  // at most once a second however many probes ask. It answers without a key, so it shows the
  // components' states but not the checks' details (which name file system paths).
  auto watch = std::make_shared<ops::loader_watch>(engine);
  auto health_checks = std::make_shared<ops::health_cache>();
  const auto& cfg_now = (*rt)->cfg;
  auto health = [&cfg_now, &engine, watch, health_checks] {
    auto report = health_checks->get({cfg_now, &engine, {}, watch->ok() ? watch.get() : nullptr});
    return http::health_answer{ops::to_json(report, ops::health_detail::summary),
                               report.status == ops::health_status::unhealthy};
  };
  auto events = std::make_shared<http::event_streams>(engine, http::event_options_from((*rt)->cfg));
  auto routes = http::make_api_routes(engine, health, events.get());
  auto api = std::make_shared<http::api_server>(routes, api_opts);
  if (auto failed = api->bind())
    return out.fail(core::make_error(core::error_code::io, *failed,
                                     "choose another port with --api-port or server.api_port "
                                     "(SAGE_API_PORT)"));

  if (!loopback && (*rt)->cfg.api_key.empty())
    spdlog::warn("listening on {} without an API key: anyone who reaches it may use the API and "
                 "the MCP endpoint",
                 a.host);

  std::thread([transport, api, events, signals] {
    int sig = wait_for_signal(signals);
    spdlog::info("received {}, stopping the api and mcp http servers (in-flight requests finish)",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    events->close_all(); // open event streams end first: the API waits for its handlers
    api->stop();
    transport->stop();
  }).detach();

  spdlog::info("api server listening on http://{}:{}/v1 (health at /health, OpenAPI at "
               "/v1/openapi.json{})",
               url_host(a.host), api->port(), api_opts.api_key.empty() ? "" : ", API key required");
  spdlog::info("mcp server listening on http://{}:{}/mcp: knowledge base {} ({} documents)",
               url_host(a.host), transport->port(), (*rt)->kb->root.string(),
               (*rt)->kb->documents.size());
  spdlog::info("metrics at http://{}:{}/metrics", url_host(a.host), (*metrics)->port());
  std::thread mcp_thread([transport] { transport->run(); });
  api->run();
  mcp_thread.join();
  (*metrics)->stop();
  spdlog::info("api, mcp and metrics servers stopped");
  service.watch.reset();
  pool.reset();
  engine.stop();
  return ok;
}

} // namespace sage::services::cli
