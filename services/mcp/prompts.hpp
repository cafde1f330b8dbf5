// MCP prompts (docs/mcp.md): `task_context` (the knowledge for a task within a budget) and
// `session_handoff` (the continuation prompt of a working session).
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/worker_pool.hpp"

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::services::mcp {

/// Registers `prompts/list` and `prompts/get` on `srv`. Getting a prompt calls the engine and
/// runs on `pool`, answered through the request's responder. Missing, empty or malformed
/// arguments and unknown prompts or sessions are -32602. `engine` and `pool` must outlive
/// every session of `srv`.
void register_prompts(server& srv, actors::engine& engine, worker_pool& pool);

} // namespace sage::services::mcp
