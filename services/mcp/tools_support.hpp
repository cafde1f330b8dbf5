// Building blocks of the tool definitions: schema fragments, reading checked arguments, and
// the shared schema and rendering of a knowledge answer (a LoadResult).
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/tools.hpp"

#include "core/catalogue/schema.hpp"
#include "core/load_result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sage::services::mcp::tools {

using json = nlohmann::json;
using namespace core::catalogue;

// -- knowledge answers --------------------------------------------------------------------------

/// The structured content of a LoadResult: its JSON form with `omitted` cut to the best 50
/// (`omitted_count` gives them all) and `notice` when the budget asked for was lowered.
json load_result_structured(const core::load_result& r, const std::string& notice);

/// The content, then a footer with status, tokens and what was left out (and how to get it).
std::string load_result_text(const core::load_result& r, const std::string& notice);

/// The budget to use for `requested` (0 = default) and, when it was lowered to
/// `max_knowledge_budget`, a notice saying so.
uint64_t knowledge_budget(int64_t requested, std::string& notice);

} // namespace sage::services::mcp::tools
