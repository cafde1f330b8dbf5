// What resources, prompts and completion share: running a blocking engine call on the pool
// and answering later, engine errors as JSON-RPC errors, and URI pieces.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/handler.hpp"
#include "services/mcp/worker_pool.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {
class knowledge_base;
struct document;
} // namespace sage::core

namespace sage::services::mcp::support {

/// Runs `work` on `pool` and answers the request with what it returns; an exception becomes
/// -32603. Returns what the handler returns: `deferred{}`, or -32603 when the pool stops.
handler_result run_on_pool(worker_pool& pool, request_context& ctx,
                           std::function<handler_result()> work);

/// An engine error as a JSON-RPC error: not found → `not_found_code`, bad input → -32602,
/// anything else → -32603; the message carries the engine's message.
rpc_error engine_error(const core::error& err, int not_found_code,
                       std::optional<nlohmann::json> data = std::nullopt);

/// `text` with `%XX` escapes decoded; nothing for a broken escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

/// The string param `key`, or nothing when it is missing, not a string or empty.
std::optional<std::string> string_param(const nlohmann::json& params, const char* key);

/// Whether `text` starts with `prefix`, ignoring ASCII case (for completion).
bool starts_with_nocase(std::string_view text, std::string_view prefix);

/// The layer names a client may address: the configured ones, and `other` when it holds
/// documents.
std::vector<std::string> layer_names(const core::knowledge_base& kb);

/// The part of a document's `knowledge://<layer>/<path>` URI after the layer.
std::string inner_path(const core::knowledge_base& kb, const core::document& doc);

} // namespace sage::services::mcp::support
