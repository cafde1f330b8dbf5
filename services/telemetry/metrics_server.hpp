// The metrics listener of `sage serve`: GET /metrics in the Prometheus text format on a port
// of its own (server.metrics_port), so scraping never competes with API clients.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/net/http_listener.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace sage::services::telemetry {

struct metrics_server_options {
  std::string host = "127.0.0.1";
  int port = 9000; ///< 0 picks a free port; `port()` tells which
  /// The exposition text; called on a server thread for every scrape.
  std::function<std::string()> text;
};

/// Serves `GET /metrics` (`text/plain; version=0.0.4`); every other path is 404 and every
/// other method on /metrics 405. Four threads: a scraper or two at a time is all it expects.
class metrics_server {
public:
  explicit metrics_server(metrics_server_options options);
  /// Stops and joins the server thread.
  ~metrics_server();

  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  /// Binds the socket; an error message (lower case) when that fails.
  std::optional<std::string> bind();

  /// The bound port (after `bind`).
  int port() const { return listener_.port(); }

  /// Serves on a thread of its own until `stop` or destruction.
  void start();

  void stop();

private:
  metrics_server_options options_;
  std::unique_ptr<net::guarded_server> http_;
  std::thread thread_;
  net::http_listener listener_;
};

} // namespace sage::services::telemetry
