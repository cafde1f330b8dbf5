// The MCP server with everything `sage mcp` and `sage serve` offer registered: the one place
// tools, resources, prompts, completion and logging are put together.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/cli/runtime.hpp"

#include "services/mcp/resource_watch.hpp"
#include "services/mcp/server.hpp"
#include "services/mcp/worker_pool.hpp"

#include <cstddef>
#include <memory>

namespace sage::services::cli {

/// Tool calls that may run at once; more wait in the pool's queue. Each blocks on the engine,
/// whose workers do the work, so a few are enough to keep a slow call from holding up others.
inline constexpr std::size_t mcp_tool_threads = 4;

/// What `sage mcp` and `sage serve` run: the server, and the watch that turns changes of the
/// knowledge base into resource notifications for its sessions.
struct mcp_service {
  std::shared_ptr<mcp::server> server;
  /// Hears the engine until reset; reset it before the engine stops, after the transport.
  std::shared_ptr<mcp::resource_watch> watch;
};

/// A server with the knowledge, memory, budget and session tools, resources (with
/// subscriptions), prompts, completion and logging over `rt`'s engine. Calls that block on the
/// engine run on `pool`, which must outlive every session of the server (declare it before
/// the transport) and be destroyed before the engine stops. The server is read-only once
/// returned.
mcp_service make_mcp_service(runtime& rt, mcp::worker_pool& pool);

} // namespace sage::services::cli
