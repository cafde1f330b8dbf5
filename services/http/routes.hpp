// The routes of the HTTP API by area, each derived from its catalogue operation and forwarding
// into the engine through its bridge, answering the JSON forms the CLI's `--json` and the MCP tools
// answer. SPDX-License-Identifier: MIT
#pragma once

#include "services/http/route.hpp"

#include <functional>

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::core::catalogue {
class catalogue;
} // namespace sage::core::catalogue

namespace sage::services::http {

/// `/v1/knowledge`, `/v1/context`, `/v1/search`, `/v1/layers`, `/v1/info`, and
/// `/v1/guidelines|frameworks|templates[/{name}]`.
void add_knowledge_routes(route_table& table, actors::engine& engine,
                          const core::catalogue::catalogue& catalogue);

/// `/v1/memory` (create, query) and `/v1/memory/{id}` (read, change, delete).
void add_memory_routes(route_table& table, actors::engine& engine,
                       const core::catalogue::catalogue& catalogue);

/// `/v1/sessions…` (start, list, status, update, steps, checkpoints, handoff, end) and
/// `/v1/checkpoints/{id}/restore`.
void add_session_routes(route_table& table, actors::engine& engine,
                        const core::catalogue::catalogue& catalogue);

/// `/v1/budget` (status, check) and `/v1/budget/reservations…` (reserve, commit, release).
void add_budget_routes(route_table& table, actors::engine& engine,
                       const core::catalogue::catalogue& catalogue);

/// What `/health` answers: the body and whether the service is unhealthy (503 then).
struct health_answer {
  json body;
  bool unhealthy = false;
};

/// `/health`, open to callers without the API key (probes).
void add_health_route(route_table& table, const core::catalogue::catalogue& catalogue,
                      std::function<health_answer()> check);

} // namespace sage::services::http
