// `sage mcp`: the MCP server over stdio for one client that started this process.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"
#include "services/cli/signals.hpp"

#include "services/cli/mcp_setup.hpp"

#include "services/mcp/server.hpp"
#include "services/mcp/stdio_transport.hpp"
#include "services/mcp/worker_pool.hpp"

#include <csignal>
#include <memory>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace sage::services::cli {
namespace {

/// Session events go to stderr with the other logs; stdout is the protocol's alone.
void log_session_event(std::string_view event, const nlohmann::json& fields) {
  spdlog::warn("mcp: {} {}", event, fields.dump());
}

} // namespace

int run_mcp(session& s, const output& out) {
  // Blocked before any thread starts, so that every thread inherits the mask and only the
  // sigwait thread below sees them.
  auto signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that goes away makes writes fail with EPIPE instead of killing the process.
  std::signal(SIGPIPE, SIG_IGN);

  auto rt = s.open(/*long_running=*/true);
  if (!rt) return out.fail(rt.err());

  // Tool calls block on the engine, so they run on the pool, answering through the session's
  // sink; the pool is declared before the transport so that it outlives it, and it finishes
  // the calls it holds before the engine stops below.
  auto pool = std::make_unique<mcp::worker_pool>(mcp_tool_threads);
  auto service = make_mcp_service(**rt, *pool);

  mcp::stdio_options opts;
  opts.log = log_session_event;
  auto transport = std::make_shared<mcp::stdio_transport>(service.server, opts);
  // Owns a reference: a signal after `run` returns must not reach a destroyed transport.
  std::thread([transport, signals] {
    int sig = wait_for_signal(signals);
    spdlog::info("received {}, stopping the mcp server", sig == SIGINT ? "SIGINT" : "SIGTERM");
    transport->stop();
  }).detach();

  spdlog::info("mcp server on stdio: knowledge base {} ({} documents)", (*rt)->kb->root.string(),
               (*rt)->kb->documents.size());
  auto end = transport->run();
  spdlog::info("mcp server stopping: {}", mcp::to_string(end));
  service.watch.reset();
  pool.reset();
  (*rt)->engine->stop();
  return ok;
}

} // namespace sage::services::cli
