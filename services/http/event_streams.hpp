// `GET /v1/events`: the engine's events as server-sent events, one listener on the event
// router per open stream, filtered by the stream's glob pattern.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/http/route.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sage::actors {
class engine;
struct event;
} // namespace sage::actors

namespace sage::core::catalogue {
class catalogue;
} // namespace sage::core::catalogue

namespace sage::services::http {

struct event_stream_options {
  /// server.max_event_streams: streams open at once; one more is refused with 503. Each holds
  /// one of the API's threads for as long as it is open.
  size_t max_streams = 4;
  /// An idle stream gets a comment line this often. It keeps proxies from closing a quiet
  /// stream, and a write that fails ends the stream, so a client that went away gives its place
  /// back within a probe or two.
  std::chrono::milliseconds probe_interval{1'000};
  /// Events waiting for a slow client; beyond it the oldest are dropped and the client is told
  /// how many with an `events.dropped` event.
  size_t queue_limit = 1000;
};

/// A glob over event types as the router matches them: 1 to 128 characters of letters,
/// digits, `.`, `_`, `-`, `*` and `?`. Anything else is a 400 with a hint.
std::optional<core::error> check_event_pattern(const std::string& pattern);

/// The open event streams of one API server. Open streams end when `close_all` is called (the
/// server's owner calls it before stopping the server, whose `run` waits for its handlers), when
/// their client goes away, or when the engine stops.
class event_streams {
public:
  event_streams(actors::engine& engine, event_stream_options options = {});
  ~event_streams();

  event_streams(const event_streams&) = delete;
  event_streams& operator=(const event_streams&) = delete;

  /// A reply that streams the events whose type matches `pattern`, or a 503 reply when
  /// `max_streams` are open or the server is stopping; an error when the engine does not take
  /// the subscription. Events published once this returns reach the stream.
  core::result<reply> open(const std::string& pattern, const std::string& request_id);

  /// Ends every open stream and refuses new ones. Safe from any thread.
  void close_all();

  struct stream; ///< one client's queue and listener

private:
  actors::engine& engine_;
  event_stream_options options_;
  std::atomic<size_t> open_{0};
  std::mutex mutex_;
  bool closing_ = false;
  std::vector<std::weak_ptr<stream>> streams_;
};

/// `GET /v1/events?pattern=GLOB` (default `*`) over `streams`, which must outlive the server.
void add_event_routes(route_table& table, event_streams& streams,
                      const core::catalogue::catalogue& catalogue);

} // namespace sage::services::http
