// One MCP conversation with one client, independent of the transport: lifecycle (initialize,
// initialized, ping), version negotiation and dispatch to the server's method table.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/handler.hpp"
#include "services/mcp/jsonrpc.hpp"
#include "services/mcp/server.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace sage::services::mcp {

/// Where a session is in the MCP lifecycle.
enum class session_state {
  awaiting_initialize, ///< only `initialize` and `ping` are accepted
  initializing,        ///< `initialize` answered; requests are served already, but the client
                       ///< has not yet sent `notifications/initialized`
  ready,               ///< `notifications/initialized` received: normal operation
};

const char* to_string(session_state state);

/// For test output and logs.
inline std::ostream& operator<<(std::ostream& os, session_state state) {
  return os << to_string(state);
}

/// Receives what a session has to say about itself that the client does not see: a lower-case
/// event ("failed to handle request") and fields (method, id, reason). Transports log it to
/// stderr; never to stdout.
using session_log = std::function<void(std::string_view event, const nlohmann::json& fields)>;

struct session_options {
  /// Bounds for incoming message texts.
  limits bounds;
  /// For deferred answers and notifications; without it, a handler that defers gets -32603
  /// and notifications are dropped.
  message_sink sink;
  /// For handler failures and ignored messages; may be empty.
  session_log log;
};

/// Feeds client messages in, gets the direct answers out. One thread at a time may call
/// `handle`; deferred answers arrive through the sink from whichever thread produces them.
///
/// The lifecycle follows the MCP revisions 2025-06-18 and 2025-11-25: before `initialize`
/// only `initialize` and `ping` are answered (anything else gets -32600 saying to initialize
/// first); a second `initialize` is refused; `notifications/initialized` moves to `ready`.
/// Requests between the `initialize` answer and that notification are served, since over HTTP
/// the notification and the next request may arrive in either order.
///
/// `notifications/cancelled {requestId, reason?}` marks a request in flight cancelled: it gets
/// no answer (its handler may see `ctx.cancelled()` and stop). An unknown or answered id, or
/// the id of `initialize` (which cannot be cancelled), is ignored. A handler registered for
/// `notifications/cancelled` still runs afterwards.
class session {
public:
  explicit session(std::shared_ptr<const server> srv, session_options options = {});

  /// Reads and handles one message text. The answer to send, or nothing (notifications,
  /// responses, deferred requests).
  std::optional<nlohmann::json> handle(std::string_view text);

  /// Handles a message already read with `parse_message` (transports that need to know the
  /// kind of message, as Streamable HTTP does for 202 Accepted).
  std::optional<nlohmann::json> handle(const message& msg);

  session_state state() const { return state_; }

  /// The negotiated revision, empty before a successful `initialize` (the Streamable HTTP
  /// transport checks the MCP-Protocol-Version header against it).
  const std::optional<std::string>& protocol_version() const { return protocol_version_; }

  /// `clientInfo` and `capabilities` from `initialize` (null before).
  const nlohmann::json& client_info() const { return client_info_; }
  const nlohmann::json& client_capabilities() const { return client_capabilities_; }

  /// Sends a notification to the client from outside a handler; safe from any thread, a
  /// no-op (false) without a sink.
  bool notify(std::string_view method, nlohmann::json params = nlohmann::json::object()) const {
    return notifier_->notify(method, std::move(params));
  }

  /// The session's notifier: shared with its requests, alive as long as one of them is.
  std::shared_ptr<session_notifier> notifier() const { return notifier_; }

private:
  std::optional<nlohmann::json> on_request(const request& r);
  void on_notification(const notification& n);
  void on_cancelled(const nlohmann::json& params);
  nlohmann::json on_initialize(const request& r);
  std::optional<nlohmann::json> dispatch(const request& r, const method_handler& handler);
  /// Hands the notifier to the server's session observers (once the session is ready).
  void announce() const;
  void log(std::string_view event, const nlohmann::json& fields) const;

  std::shared_ptr<const server> server_;
  session_options options_;
  std::shared_ptr<session_notifier> notifier_;
  session_state state_ = session_state::awaiting_initialize;
  std::optional<std::string> protocol_version_;
  nlohmann::json client_info_;
  nlohmann::json client_capabilities_;
};

} // namespace sage::services::mcp
