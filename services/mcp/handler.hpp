// What a method handler receives and may return: params, a context, a result, an error, or a
// promise to answer later through a responder.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/jsonrpc.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <variant>

namespace sage::services::mcp {

/// Where a session puts messages that are not the direct answer to `session::handle`: late
/// answers of deferred requests (later also notifications to the client). The transport
/// provides it; it may be called from any thread, also while `handle` runs, so it must be
/// thread-safe. Responders keep a copy, so it may be called after its session is gone: it must
/// own, or outlive, whatever it writes to.
using message_sink = std::function<void(nlohmann::json)>;

/// Answers one request exactly once, possibly later and from another thread. Copies share the
/// answer: the first `result` or `error` wins, later calls do nothing and return false. When
/// the last copy of an unanswered deferred request goes away, the client gets an internal
/// error instead of waiting forever.
class responder {
public:
  /// A responder that answers nothing (for requests that are not deferrable).
  responder() = default;

  /// Sends `{"result": result}`; `result` must be an object (MCP results are objects).
  bool result(nlohmann::json result) const;

  /// Sends the error.
  bool error(rpc_error error) const;

  /// Whether an answer was sent or is no longer possible.
  bool answered() const;

private:
  friend class session;
  struct state;

  /// A responder for request `id` whose answers go to `sink` (none: cannot defer).
  static responder make(request_id id, message_sink sink);
  /// Claims the answer for the session's direct reply; false when it was already given.
  bool claim() const;
  /// Whether late answers can be delivered.
  bool can_defer() const;

  explicit responder(std::shared_ptr<state> s) : state_(std::move(s)) {}
  std::shared_ptr<state> state_;
};

/// Return value of a handler that answers through `request_context::reply` later.
struct deferred {};

/// A handler's outcome: the result object, a JSON-RPC error, or `deferred`.
using handler_result = std::variant<nlohmann::json, rpc_error, deferred>;

/// What a request handler knows besides its params. Valid only during the handler call; a
/// handler that defers copies what it needs (the responder is cheap to copy).
struct request_context {
  const request_id& id;
  std::string_view method;
  /// The negotiated protocol revision, e.g. "2025-11-25".
  std::string_view protocol_version;
  /// The `capabilities` the client declared in `initialize`.
  const nlohmann::json& client_capabilities;
  /// For deferred answers; works only when the session has a `message_sink`.
  responder reply;
};

/// Handles one request. Runs on the thread that called `session::handle`; to work
/// concurrently it hands the work elsewhere, keeps `ctx.reply` and returns `deferred{}`.
/// Exceptions are caught by the session and answered with -32603 (the session goes on).
/// Bad params are answered with `make_error(error_code::invalid_params, …)`.
using method_handler =
    std::function<handler_result(const nlohmann::json& params, request_context& ctx)>;

/// What a notification handler knows besides its params.
struct notification_context {
  std::string_view method;
  std::string_view protocol_version;
};

/// Handles one notification; never answers. Exceptions are logged and dropped.
using notification_handler =
    std::function<void(const nlohmann::json& params, const notification_context& ctx)>;

} // namespace sage::services::mcp
