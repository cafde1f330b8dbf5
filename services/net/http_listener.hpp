// Listening sockets of the cpp-httplib servers (the API, the MCP endpoint, metrics), set up one
// way: a port in use is an error, port 0 picks a free one, answers are not delayed.
// SPDX-License-Identifier: MIT
#pragma once

#include <httplib.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <variant>

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

/// Binds `http` to `host`:`port` (0: any free port): the bound port, or a lower-case message.
inline std::variant<int, std::string> bind_listener(httplib::Server& http, const std::string& host,
                                                    int port) {
  if (port == 0) {
    int bound = http.bind_to_any_port(host);
    if (bound < 0) return "failed to bind to a free port on " + host;
    return bound;
  }
  if (!http.bind_to_port(host, port))
    return "failed to listen on " + host + ":" + std::to_string(port) +
           " (port in use or host not local)";
  return port;
}

/// Stops `http`, also when its `listen_after_bind` has not started running yet (a stop before
/// that would be lost): waits until it runs or `run_done` says it never will.
inline void stop_listener(httplib::Server& http, bool bound, const std::atomic<bool>& run_done) {
  while (bound && !run_done && !http.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  http.stop();
}

} // namespace sage::services::net
