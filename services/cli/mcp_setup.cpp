// The MCP server with everything registered, shared by `sage mcp` and `sage serve`.
// SPDX-License-Identifier: MIT
#include "services/cli/mcp_setup.hpp"

#include "services/mcp/completion.hpp"
#include "services/mcp/logging.hpp"
#include "services/mcp/prompts.hpp"
#include "services/mcp/resources.hpp"
#include "services/mcp/tools.hpp"

namespace sage::services::cli {

std::shared_ptr<mcp::server> make_mcp_server(runtime& rt, mcp::worker_pool& pool) {
  auto srv = std::make_shared<mcp::server>();
  mcp::register_tools(*srv, *rt.engine, pool);
  mcp::register_resources(*srv, *rt.engine, pool);
  mcp::register_prompts(*srv, *rt.engine, pool);
  mcp::register_completion(*srv, *rt.engine, pool);
  mcp::register_logging(*srv);
  return srv;
}

} // namespace sage::services::cli
