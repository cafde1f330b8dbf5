// The MCP Streamable HTTP transport: one endpoint (POST a message, DELETE a session), one MCP
// session per client identified by `Mcp-Session-Id`, answers as JSON or a one-event SSE stream.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/session.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sage::services::mcp {

struct http_options {
  /// Where to listen. A loopback host (127.0.0.1, localhost, ::1) also turns on the Host
  /// header check against DNS rebinding; anything else is the caller's decision to expose it.
  std::string host = "127.0.0.1";
  /// 0 picks a free port; `port()` tells which.
  int port = 8001;
  /// The MCP endpoint.
  std::string path = "/mcp";
  /// Bounds for one POST body; `max_bytes` is also the HTTP payload limit (413 above it).
  limits bounds;
  /// How long a POST waits for a deferred answer (a tool call) before answering -32603.
  std::chrono::milliseconds answer_timeout{60'000};
  /// On `stop`, how long requests still waiting for deferred answers are given to get them.
  std::chrono::milliseconds drain_grace{5'000};
  /// Connections served at once (each POST waiting for a tool call holds one).
  std::size_t threads = 16;
  /// Sessions alive at once; `initialize` beyond it gets 503.
  std::size_t max_sessions = 256;
  /// Session events and transport trouble; may be empty.
  session_log log;
};

/// True for 127.0.0.0/8, ::1 (with or without brackets) and `localhost`.
bool is_loopback_host(std::string_view host);

/// Serves MCP over HTTP as the Streamable HTTP transport of MCP 2025-06-18 and 2025-11-25 says,
/// without the optional server-to-client GET stream (GET answers 405):
///
/// - POST: `Content-Type: application/json` (else 415); `Accept` listing `application/json`,
///   `text/event-stream` or a wildcard, or absent (else 406). `initialize` without a session
///   id starts a session and returns its id (a random UUID) in `Mcp-Session-Id`; every other
///   message needs a live session id (missing 400, unknown or ended 404). Notifications and
///   responses get 202 without a body; requests get 200 with the answer, as JSON unless the
///   client accepts only SSE. A malformed body gets 400 with the JSON-RPC error.
/// - `MCP-Protocol-Version`, when present after `initialize`, must be a supported revision
///   (else 400); when absent the negotiated revision is used.
/// - DELETE with a session id ends the session (204); the id gets 404 from then on.
/// - An `Origin` whose host is not loopback is refused with 403 while bound to loopback (when
///   bound elsewhere it must be loopback or the Host's host); so is a non-loopback `Host`.
///
/// Calls to one session's `handle` are serialised; waiting for a deferred answer happens
/// outside that lock, so a slow tool call does not hold up a ping on the same session.
class http_transport {
public:
  http_transport(std::shared_ptr<const server> srv, http_options options);
  ~http_transport();

  http_transport(const http_transport&) = delete;
  http_transport& operator=(const http_transport&) = delete;

  /// Binds the listening socket; an error message (lower case) when that fails.
  std::optional<std::string> bind();

  /// The bound port (after `bind`).
  int port() const;

  /// Serves until `stop`; requests in flight are finished (deferred answers get `drain_grace`).
  void run();

  /// Makes `run` return soon; safe from any thread, also before `run` started.
  void stop();

  /// Sessions alive now.
  std::size_t session_count() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sage::services::mcp
