// The REST API of docs/http-api.md on cpp-httplib: routes from a table, and in front of them the
// API key, rate limiting, size limits, CORS, security headers and request ids.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/http/route.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sage::services::http {

/// One finished request, for metrics and the access log.
struct request_record {
  std::string method;
  /// The route's pattern (`/v1/memory/{id}`), never the raw path, so labels stay few;
  /// `unmatched` for a path no route serves.
  std::string route;
  int status = 0;
  double duration_seconds = 0;
  std::string request_id;
  std::string client; ///< the peer's address
  size_t bytes_out = 0;
};

struct api_options {
  /// Where to listen; the caller decides whether a non-loopback host is allowed.
  std::string host = "127.0.0.1";
  /// 0 picks a free port; `port()` tells which.
  int port = 8000;
  /// Without a key on a loopback address: only loopback Hosts and `allowed_hosts`
  /// (server.allowed_hosts) are served (421 otherwise), against DNS rebinding.
  bool loopback_only = true;
  std::vector<std::string> allowed_hosts;
  /// server.header_timeout, server.body_timeout: a request's head and body must arrive within
  /// these; server.max_connections_per_address: 0 = see `net::guard_options`.
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds body_timeout{10000};
  size_t max_connections_per_address = 0;
  /// server.api_key: when set, every route but `/health` (and `/metrics` unless
  /// `metrics_require_key`) needs it as `X-API-Key` or `Authorization: Bearer`.
  std::string api_key;
  /// server.rate_limit.*: tokens per second and bucket size per client; 0 per second = off.
  double rate_per_second = 50;
  double rate_burst = 100;
  /// server.limits.*: larger bodies get 413, larger header blocks 431.
  size_t max_body_bytes = 2 * 1024 * 1024;
  size_t max_header_bytes = 8 * 1024;
  /// server.cors.*: browser origins allowed to call the API (`*` = any); empty = no CORS.
  std::vector<std::string> cors_origins;
  std::chrono::seconds cors_max_age{600};
  /// Connections served at once (each open event stream holds one).
  size_t threads = 64;
  /// Requests answered per keep-alive connection before it is closed.
  size_t keep_alive_max = 1000;
  /// `/metrics` on this port (server.metrics_on_api) and whether it needs the key
  /// (server.metrics_require_key). Served only when `metrics_text` is set.
  bool metrics_on_api = true;
  bool metrics_require_key = false;
  std::function<std::string()> metrics_text;
  /// Called once per finished request, on the thread that served it; may be empty.
  std::function<void(const request_record&)> on_request;
  /// Trouble worth a log line (refused requests, handler failures); may be empty.
  std::function<void(const std::string& message, const json& fields)> log;
};

/// Serves a route table over HTTP. Connections pass the guard of `net::guarded_server`
/// (deadlines for head and body, a cap per client address, request framing). Every request
/// then passes, in this order: request id (echoed when sane, else a new UUID, always in
/// `X-Request-ID`), header size (431), Host (421 when not allowed), Origin of a request that
/// changes something (403), rate limit (429 with `Retry-After`, counted under the route; health
/// probes have buckets of their own), CORS preflight (OPTIONS, 204), API key (401), route (404,
/// 405 with `Allow`), parameters (400), body media type (415), body size (413) and JSON (400); then
/// the handler, whose engine errors map to statuses in one place (errors.hpp). Every answer carries
/// `X-Content-Type-Options`, `X-Frame-Options`, `Referrer-Policy`, `Content-Security-Policy` and
/// `Cache-Control: no-store`; errors are
/// `{"error":{"code","message","details"}}`.
class api_server {
public:
  api_server(std::shared_ptr<const route_table> routes, api_options options);
  ~api_server();

  api_server(const api_server&) = delete;
  api_server& operator=(const api_server&) = delete;

  /// Binds the listening socket; an error message (lower case) when that fails.
  std::optional<std::string> bind();

  /// The bound port (after `bind`).
  int port() const;

  /// Serves until `stop`, then returns once the requests in flight are answered. Handlers
  /// that stream (events) must be ended by their owner first, or `run` waits for them.
  void run();

  /// Stops accepting connections and makes `run` return once the requests in flight are
  /// answered; safe from any thread, also before `run` started.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sage::services::http
