// MCP completion (`completion/complete`) for prompt arguments and resource template parameters,
// and the `logging/setLevel` method.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/worker_pool.hpp"

#include <cstddef>

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::services::mcp {

/// Most values of one completion answer (the specification's limit).
inline constexpr size_t max_completion_values = 100;

/// Registers `completion/complete` (and with it the `completions` capability) on `srv`:
/// `task_context.budget` → a few budgets; `session_handoff.session_id` and the handoff
/// template's `session_id` → ids of active sessions; the knowledge template's `layer` → layer
/// names and `path` → paths inside the layer given in `context.arguments.layer` (or any
/// layer), matched by case-insensitive prefix. Session ids come from the engine and run on
/// `pool`. Unknown prompts and templates are -32602; unknown argument names complete to
/// nothing.
void register_completion(server& srv, actors::engine& engine, worker_pool& pool);

} // namespace sage::services::mcp
