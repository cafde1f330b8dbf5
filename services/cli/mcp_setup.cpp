// The MCP server with everything registered, shared by `sage mcp` and `sage serve`.
// SPDX-License-Identifier: MIT
#include "services/cli/mcp_setup.hpp"

#include "services/mcp/completion.hpp"
#include "services/mcp/logging.hpp"
#include "services/mcp/prompts.hpp"
#include "services/mcp/resources.hpp"
#include "services/mcp/tools.hpp"

#include <spdlog/spdlog.h>

namespace sage::services::cli {

mcp_service make_mcp_service(runtime& rt, mcp::worker_pool& pool) {
  mcp_service out;
  out.server = std::make_shared<mcp::server>();
  out.watch = std::make_shared<mcp::resource_watch>(*rt.engine);
  if (out.watch->failure())
    spdlog::warn("mcp: no resource change notifications: {}; subscriptions are accepted but "
                 "never notified (restart the server to retry)",
                 *out.watch->failure());
  auto& srv = *out.server;
  mcp::register_tools(srv, *rt.engine, pool);
  mcp::register_resources(srv, *rt.engine, pool, out.watch);
  mcp::register_prompts(srv, *rt.engine, pool);
  mcp::register_completion(srv, *rt.engine, pool);
  mcp::register_logging(srv);
  return out;
}

} // namespace sage::services::cli
