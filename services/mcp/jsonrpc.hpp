// JSON-RPC 2.0 as MCP uses it: one message text in, a typed message out; responses built to send.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/json_parse.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sage::services::mcp {

// -- errors -------------------------------------------------------------------------------------

/// The standard JSON-RPC error codes (MCP adds none that this core emits).
enum class error_code : int {
  parse_error = -32700,      ///< not JSON, not UTF-8
  invalid_request = -32600,  ///< JSON, but not an acceptable message (also: too big, too deep)
  method_not_found = -32601, ///< no such method
  invalid_params = -32602,   ///< the method exists but its params are wrong
  internal_error = -32603,   ///< the server failed; the message is safe to show
};

/// The `error` object of an error response. `message` is one short lower-case sentence for
/// people; machine-readable details go into `data`.
struct rpc_error {
  int code = static_cast<int>(error_code::internal_error);
  std::string message;
  std::optional<nlohmann::json> data;
};

/// An error with one of the standard codes.
rpc_error make_error(error_code code, std::string message,
                     std::optional<nlohmann::json> data = std::nullopt);

// -- messages -----------------------------------------------------------------------------------

/// A request id: MCP allows strings and integers only (never null, never fractional). Kept
/// with its type so that the answer echoes `"1"` as a string and `1` as a number.
using request_id = std::variant<std::int64_t, std::string>;

nlohmann::json to_json(const request_id& id);

/// For logs: `1` or `"1"`.
std::string to_string(const request_id& id);

/// Bounds applied before a message is turned into a DOM.
struct limits {
  /// Longest accepted message text in bytes.
  std::size_t max_bytes = std::size_t{4} << 20;
  /// Deepest accepted nesting of objects and arrays; the message object itself is level 1.
  std::size_t max_depth = core::max_json_depth;
};

/// A request from the client: it wants exactly one answer carrying `id`.
struct request {
  request_id id;
  std::string method;
  /// Always an object; empty when the message had no `params`.
  nlohmann::json params = nlohmann::json::object();
};

/// A notification: never answered, not even with an error.
struct notification {
  std::string method;
  /// Always an object; empty when the message had no `params`.
  nlohmann::json params = nlohmann::json::object();
};

/// A response from the client to a request the server sent. The id may be absent only in an
/// error response (the client could not read the server's message).
struct response {
  std::optional<request_id> id;
  /// The `result` object, or the `error`.
  std::variant<nlohmann::json, rpc_error> outcome;
};

/// A message that could not be accepted, with the error response to send back. `id` is the
/// request's id when it could be read, else empty (sent as `null`).
struct invalid_message {
  std::optional<request_id> id;
  rpc_error error;
};

using message = std::variant<request, notification, response, invalid_message>;

/// Reads one message text (one line of stdio, one HTTP POST body). Never throws for any input:
/// whatever is wrong with the text becomes an `invalid_message`. Checks in this order: size
/// (before anything is read), UTF-8, JSON syntax and nesting depth (before a DOM is built),
/// batch arrays (refused: MCP 2025-06-18 removed JSON-RPC batching), then the JSON-RPC
/// members. An id is echoed only for a message that looks like a request: an id taken from a
/// malformed response would be mistaken by the client for the answer to one of its own requests.
message parse_message(std::string_view text, const limits& bounds = {});

// -- building answers ---------------------------------------------------------------------------

/// `{"jsonrpc":"2.0","id":…,"result":…}`.
nlohmann::json result_response(const request_id& id, nlohmann::json result);

/// `{"jsonrpc":"2.0","id":…|null,"error":{…}}`.
nlohmann::json error_response(const std::optional<request_id>& id, const rpc_error& error);

/// One line of compact JSON without newlines (strings escape them), as stdio needs. Never
/// throws: invalid UTF-8 inside strings is replaced by U+FFFD.
std::string serialize(const nlohmann::json& message);

} // namespace sage::services::mcp
