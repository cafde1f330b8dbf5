// `sage serve`: the MCP server over Streamable HTTP, for clients that connect to a URL.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"
#include "services/cli/mcp_setup.hpp"
#include "services/cli/signals.hpp"

#include "services/mcp/http_transport.hpp"
#include "services/mcp/worker_pool.hpp"

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

/// `::1` needs brackets in a URL.
std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos && !host.starts_with('[') ? "[" + host + "]" : host;
}

} // namespace

int run_serve(session& s, const output& out, const serve_args& a) {
  if (!mcp::is_loopback_host(a.host) && !a.allow_remote)
    return out.fail(core::make_error(
        core::error_code::invalid_argument,
        "refusing to listen on " + a.host + ": it is not a loopback address",
        "the MCP endpoint has no authentication; add --allow-remote to expose it anyway, or use "
        "--host 127.0.0.1"));

  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto rt = s.open(/*long_running=*/true);
  if (!rt) return out.fail(rt.err());

  // The pool outlives the transport (sessions hold responders whose work runs on it) and
  // finishes the calls it holds before the engine stops below.
  auto pool = std::make_unique<mcp::worker_pool>(mcp_tool_threads);
  auto service = make_mcp_service(**rt, *pool);

  mcp::http_options opts;
  opts.host = a.host;
  opts.port = a.port.value_or((*rt)->cfg.mcp_port);
  opts.log = log_session_event;
  auto transport = std::make_shared<mcp::http_transport>(service.server, opts);
  if (auto failed = transport->bind())
    return out.fail(core::make_error(core::error_code::io, *failed,
                                     "choose another port with --port or server.mcp_port "
                                     "(SAGE_MCP_PORT)"));
  if (!mcp::is_loopback_host(a.host))
    spdlog::warn("mcp http: listening on a non-loopback address without authentication");

  std::thread([transport, signals] {
    int sig = wait_for_signal(signals);
    spdlog::info("received {}, stopping the mcp http server", sig == SIGINT ? "SIGINT" : "SIGTERM");
    transport->stop();
  }).detach();

  spdlog::info("mcp server listening on http://{}:{}/mcp: knowledge base {} ({} documents)",
               url_host(a.host), transport->port(), (*rt)->kb->root.string(),
               (*rt)->kb->documents.size());
  transport->run();
  spdlog::info("mcp http server stopped");
  service.watch.reset();
  pool.reset();
  (*rt)->engine->stop();
  return ok;
}

} // namespace sage::services::cli
