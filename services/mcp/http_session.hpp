// One client's session of the Streamable HTTP transport: its MCP session, the POSTed requests
// waiting for their answers, and the outbox of the GET stream.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/session.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sage::services::mcp {

/// Where a session's messages go over Streamable HTTP, which has one stream per POSTed request
/// and one optional GET stream per session; HTTP-free, so the routing can be tested alone.
///
/// - The answer to a request goes to the POST waiting for it (none waiting: dropped and logged).
/// - A notification related to a request (progress, a log message of its responder) goes to
///   that request's stream when its POST is answered as an SSE stream.
/// - Everything else goes to the outbox of the GET stream. The outbox is bounded: while no GET
///   stream is open it keeps the newest `outbox_limit` messages (the oldest are dropped and
///   logged), so that what happens between `initialize` and the client opening its stream is
///   not lost, and a client that never opens one costs little.
///
/// Safe from any thread; `handle` calls are serialised.
class http_session {
public:
  using clock_type = std::chrono::steady_clock;

  /// What a POST waiting for its answer gets when it wakes.
  struct request_output {
    /// Related notifications, oldest first (only for a request that streams).
    std::vector<nlohmann::json> notifications;
    /// The answer, when it came; the request is forgotten then.
    std::optional<nlohmann::json> answer;
    /// Why no answer will come (the request is forgotten then): "session ended", "server
    /// stopping" or "timed out".
    std::optional<std::string> gave_up;
  };

  /// What the GET stream gets when it wakes.
  struct stream_output {
    std::vector<nlohmann::json> notifications;
    /// The stream should end: the session ended or the server is stopping.
    bool over = false;
  };

  /// A session whose MCP session delivers through `deliver`; `options.sink` is not used.
  static std::shared_ptr<http_session> make(std::string id, std::shared_ptr<const server> srv,
                                            session_options options, std::size_t outbox_limit);

  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  const std::string& id() const { return id_; }

  /// Hands a client message to the MCP session (one at a time).
  std::optional<nlohmann::json> handle(const message& msg);
  /// The MCP session, for what it negotiated (not for `handle`).
  const session& mcp() const { return *mcp_; }

  /// Routes a message of the MCP session (its sink calls this).
  void deliver(nlohmann::json message, const std::string& related);

  // -- requests waiting for answers -----------------------------------------------------------

  /// Registers request `key` before it is handled. With `streams`, its related notifications
  /// are kept for its POST stream; without, they go to the GET stream. False when a request
  /// with this key is still waiting.
  bool expect(const std::string& key, bool streams);
  /// Forgets request `key` and returns the related notifications it got (a request answered
  /// directly, or one whose client went away).
  std::vector<nlohmann::json> forget(const std::string& key);
  /// Waits until request `key` got notifications or its answer, or gives up on it at
  /// `deadline` (earlier when the server stops: see `stop`) or when the session ends; returns
  /// empty-handed at `wake_at` (for checks of the connection).
  request_output wait_request(const std::string& key, clock_type::time_point deadline,
                              clock_type::time_point wake_at);

  // -- the GET stream -------------------------------------------------------------------------

  /// Takes the one GET stream; false when one is open already.
  bool open_stream();
  /// Frees it and puts back messages it took but could not write.
  void close_stream(std::vector<nlohmann::json> unsent = {});
  /// Waits until there are notifications for the GET stream, it should end, or `wake_at`.
  stream_output wait_stream(clock_type::time_point wake_at);

  // -- idleness -------------------------------------------------------------------------------

  /// When the client last did something here: a message, a stream opened or closed.
  clock_type::time_point last_active() const;
  /// Something is under way: a request waits for its answer, or the GET stream is open. A busy
  /// session is neither expired nor evicted.
  bool busy() const;

  // -- the end --------------------------------------------------------------------------------

  /// The session was deleted: waiting requests give up, the GET stream ends.
  void end();
  /// The server stops: the GET stream ends now, waiting requests get until `drain_until`.
  void stop(clock_type::time_point drain_until);

private:
  struct pending {
    bool streams = false;
    std::vector<nlohmann::json> notifications;
    std::optional<nlohmann::json> answer;
  };

  http_session(std::string id, std::size_t outbox_limit, session_log log);

  void log(std::string_view event, const nlohmann::json& fields) const;
  void to_outbox(nlohmann::json message);

  const std::string id_;
  const std::size_t outbox_limit_;
  session_log log_;

  std::mutex handle_mutex_;
  std::unique_ptr<session> mcp_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, pending> pending_;
  std::deque<nlohmann::json> outbox_;
  std::size_t dropped_ = 0; ///< outbox messages dropped since a stream last took it
  bool stream_open_ = false;
  bool ended_ = false;
  clock_type::time_point last_active_ = clock_type::now();
  std::optional<clock_type::time_point> drain_until_;
};

} // namespace sage::services::mcp
