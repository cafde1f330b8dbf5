// Listening sockets of the cpp-httplib servers (the API, the MCP endpoint, metrics), set up one
// way: a port in use is an error, port 0 picks a free one, answers are not delayed.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/net/guarded_server.hpp"

#include <httplib.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace sage::services::net {

/// TCP_NODELAY, so an answer goes out at once instead of waiting about 40 ms for the client's
/// delayed ACK; and SO_REUSEADDR without httplib's default SO_REUSEPORT, with which a second
/// process binds the same port and the kernel splits connections between the two.
inline void configure_listener(httplib::Server& http) {
  http.set_tcp_nodelay(true);
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

/// The life of one httplib server from bind to stop, which every server here goes through the
/// same way: the port it took, and a stop that may come before `run` has started (it would be
/// lost if `http.stop()` ran before the server was listening).
class http_listener {
public:
  /// Binds to `host`:`port` (0: any free port); a lower-case message when that fails.
  std::optional<std::string> bind(httplib::Server& http, const std::string& host, int port) {
    if (port == 0) {
      port_ = http.bind_to_any_port(host);
      if (port_ < 0) return "failed to bind to a free port on " + host;
      return std::nullopt;
    }
    if (!http.bind_to_port(host, port))
      return "failed to listen on " + host + ":" + std::to_string(port) +
             " (port in use or host not local)";
    port_ = port;
    return std::nullopt;
  }

  /// The bound port (after `bind`), else -1.
  int port() const { return port_; }

  /// Serves until stopped; returns at once when a stop came first.
  void run(httplib::Server& http) {
    if (!stopping_) http.listen_after_bind();
    run_done_ = true;
  }

  /// True once a stop was asked for.
  bool stopping() const { return stopping_; }

  /// Marks the server stopping: true for the first caller, who then calls `finish_stop`.
  bool begin_stop() { return !stopping_.exchange(true); }

  /// Stops `http`, waiting first until it runs or `run` has given up. Connections that are
  /// idle or still sending their request end at once; requests being answered finish.
  void finish_stop(guarded_server& http) {
    while (port_ >= 0 && !run_done_ && !http.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    http.stop_reading();
    http.stop();
  }

private:
  int port_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> run_done_{false};
};

} // namespace sage::services::net
