// cpp-httplib's server with the defences every listener here needs and httplib 0.11 lacks:
// deadlines for a request's head and body, a cap on connections per client address, idle
// keep-alive connections given up when others wait, request framing checked (no smuggling),
// header values as sent, and a stop that does not wait for slow clients.
// SPDX-License-Identifier: MIT
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace sage::services::net {

struct guard_options {
  /// server.header_timeout: from a request's first byte to the end of its headers. A client
  /// that sends a header line a second (slowloris) is cut off here, not when it likes.
  std::chrono::milliseconds header_timeout{5000};
  /// server.body_timeout: from the end of the headers to the end of the body.
  std::chrono::milliseconds body_timeout{10000};
  /// How long an idle keep-alive connection is kept for its next request; cut short as soon
  /// as another connection waits for a thread.
  std::chrono::milliseconds idle_timeout{5000};
  /// Connections served at once (the thread pool).
  std::size_t threads = 16;
  /// server.max_connections_per_address: connections one client address may hold at once;
  /// 0 = three quarters of `threads` for remote addresses (so that one never takes every
  /// thread) and none for loopback ones, which every local client shares.
  std::size_t max_per_address = 0;
  /// A request line and headers longer than this are refused (httplib limits each line only).
  std::size_t max_head_bytes = 64 * 1024;
  /// The answer to a connection over the per-address cap (the owner's error format).
  std::string over_cap_body;
  std::string over_cap_type = "application/json";
  /// Writes the owner's error answer for a request refused before routing (bad framing).
  std::function<void(httplib::Response&, int status, const std::string& message)> refuse;
  /// Trouble worth a log line (a connection refused or cut off); may be empty.
  std::function<void(const std::string& message, const std::string& detail)> log;
};

/// A `httplib::Server` whose connections are read by a stream of its own (a deadline per
/// phase, woken at stop), with the checks above before any handler runs. Handlers run as
/// with httplib; `set_pre_routing_handler` here installs the owner's handler behind the
/// framing check. Thread-safe as httplib is.
///
/// Header values reach handlers exactly as sent: httplib 0.11 percent-decodes them and cuts
/// them at a NUL, so `key%00junk` would compare equal to `key`. A header holding a control
/// character is refused instead, as are a second Content-Length or Host, Transfer-Encoding
/// together with Content-Length, and transfer codings other than chunked. A request that may
/// carry a body but declares none has none (RFC 9112 6.3), instead of waiting for the read
/// timeout.
class guarded_server : public httplib::Server {
public:
  explicit guarded_server(guard_options options);
  ~guarded_server() override;

  guarded_server(const guarded_server&) = delete;
  guarded_server& operator=(const guarded_server&) = delete;

  /// The owner's pre-routing handler, run after the framing check (hides httplib's).
  guarded_server& set_pre_routing_handler(HandlerWithResponse handler);

  /// Wakes every connection that is reading: idle ones and those sending their request end
  /// now, requests being answered finish. Call before `stop`; new reads fail from then on.
  void stop_reading();

  /// Connections being served now (for tests and metrics).
  std::size_t open_connections() const;

  /// The effective per-address cap.
  std::size_t max_per_address() const { return max_per_address_; }

  struct connection;

private:
  bool process_and_close_socket(socket_t sock) override;

  bool admit(const std::string& peer);
  void release(const std::string& peer);
  bool wait_for_request(connection& c);
  void on_head(connection& c, httplib::Request& req);
  void log(const std::string& message, const std::string& detail) const;

  guard_options options_;
  std::size_t max_per_address_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> waiting_{0};
  HandlerWithResponse owner_pre_routing_;

  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> per_address_;
  std::size_t open_ = 0;

  friend class guarded_stream;
};

} // namespace sage::services::net
