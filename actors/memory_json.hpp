// JSON forms of the memory store's and the budget controller's answers, shared by the front
// ends (CLI `--json`, HTTP, MCP) so that each prints the same objects.
// SPDX-License-Identifier: MIT
#pragma once

#include "actors/memory_messages.hpp"

#include <nlohmann/json.hpp>

namespace sage::actors {

/// `{"id", "session_id", "label", "entries", "tokens", "created_at"}`.
nlohmann::json to_json(const checkpoint_summary& c);

/// `{"session_id", "markdown", "tokens", "package"}` with the package as a JSON object (null if
/// its text does not parse, which only a bug in the store could cause).
nlohmann::json to_json(const handoff_answer& h);

/// `{"session_id", "status": <budget_status>, "recommendations": [...], "markdown"}`; the
/// level is also at the top (`"level"`) as it is what callers look at first.
nlohmann::json to_json(const budget_report& r);

} // namespace sage::actors
