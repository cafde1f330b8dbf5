// The MCP Streamable HTTP transport: one endpoint (POST a message, GET the session's stream,
// DELETE a session), one MCP session per client identified by `Mcp-Session-Id`.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/http_headers.hpp"
#include "services/mcp/server.hpp"
#include "services/mcp/session.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  /// Connections served at once (each POST waiting for a tool call and each GET stream holds
  /// one).
  std::size_t threads = 16;
  /// Sessions alive at once (mcp.max_sessions). An `initialize` beyond it ends the least
  /// recently used idle session; when none is idle it gets 503.
  std::size_t max_sessions = 256;
  /// A session with no request and no open stream for this long ends (mcp.session_idle_timeout);
  /// its id gets 404 from then on.
  std::chrono::milliseconds session_idle_timeout{1'800'000};
  /// Host names served besides loopback ones while bound to loopback (server.allowed_hosts).
  std::vector<std::string> allowed_hosts;
  /// Requests per second and burst per client address (server.rate_limit.*); 0 = no limit.
  double rate_per_second = 0;
  double rate_burst = 100;
  /// Deadlines for a request's head and body, and the cap on connections per client address
  /// (server.header_timeout, server.body_timeout, server.max_connections_per_address).
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds body_timeout{10'000};
  std::size_t max_connections_per_address = 0;
  /// GET streams open at once over all sessions, so that they never hold every thread and
  /// POSTs are still served; 0 means half of `threads`. A GET beyond it gets 503.
  std::size_t max_streams = 0;
  /// How often an idle GET stream sends an SSE comment, so that a client that went away
  /// unnoticed (no FIN) is found out and its stream and thread freed.
  std::chrono::milliseconds keepalive{15'000};
  /// Notifications kept per session for its GET stream while none is open (oldest dropped).
  std::size_t outbox_limit = 256;
  /// When set, every request must present a key it accepts (`X-API-Key`, or the token of
  /// `Authorization: Bearer`), else 401: `sage serve` puts the API key check here, so that the
  /// key protects this endpoint like the HTTP API.
  std::function<bool(std::string_view x_api_key, std::string_view authorization)> check_key;
  /// Session events and transport trouble; may be empty.
  session_log log;
};

/// Serves MCP over HTTP as the Streamable HTTP transport of MCP 2025-06-18 and 2025-11-25 says,
/// without resumability (no SSE event ids, `Last-Event-ID` is ignored):
///
/// - POST: `Content-Type: application/json` (else 415); `Accept` listing `application/json`,
///   `text/event-stream` or a wildcard, or absent (else 406). `initialize` without a session
///   id starts a session and returns its id (a random UUID) in `Mcp-Session-Id`; every other
///   message needs a live session id (missing 400, unknown or ended 404). Notifications and
///   responses get 202 without a body; requests get 200 with the answer. A request answered
///   later (a tool call) whose client accepts `text/event-stream` gets an SSE stream: the
///   notifications sent as part of the request (progress, its log messages), then the answer,
///   then the end of the stream. Other answers are one JSON body (one SSE event when the client
///   accepts only SSE, or when notifications of the request precede the answer). A malformed
///   body gets 400 with the JSON-RPC error.
/// - GET with `Accept: text/event-stream` (else 406) and a live session id opens the session's
///   SSE stream of notifications that belong to no open POST stream (resource updates, log
///   messages, progress of requests answered as JSON). One per session (a second gets 409), at
///   most `max_streams` in all (503 beyond); an SSE comment every `keepalive`. It ends when the
///   session is deleted, the server stops or the client goes away. Notifications sent while
///   no stream is open wait in a bounded outbox (see `http_session`).
/// - `MCP-Protocol-Version`, when present after `initialize`, must be a supported revision
///   (else 400); when absent the negotiated revision is used.
/// - DELETE with a session id ends the session (204) and its streams; the id gets 404 from
///   then on. Other methods get 405 with `Allow: GET, POST, DELETE`.
/// - An `Origin` whose host is not loopback (or allowed) is refused with 403 while bound to
///   loopback (when bound elsewhere it must be loopback or the Host's host); so is a Host that
///   is not a loopback name or address (`127.0.0.1.evil.com` is not) or an allowed host.
/// - A client address past its rate limit gets 429 with `Retry-After`.
/// - With `check_key`, a request without a key it accepts gets 401 (after the checks above).
///
/// Calls to one session's `handle` are serialised; waiting for a deferred answer happens
/// outside that lock, so a slow tool call does not hold up a ping on the same session. A
/// client that goes away from a POST stream does not cancel its request (the spec says
/// disconnection is no cancellation): the answer is dropped and logged.
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

  /// Serves until `stop`; requests in flight are finished (deferred answers get `drain_grace`,
  /// GET streams end at once).
  void run();

  /// Makes `run` return soon; safe from any thread, also before `run` started.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sage::services::mcp
