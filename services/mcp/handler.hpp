// What a method handler receives and may return: params, a context, a result, an error, or a
// promise to answer later through a responder.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/jsonrpc.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace sage::services::mcp {

/// Where a session puts messages that are not the direct answer to `session::handle`: late
/// answers of deferred requests and notifications to the client. The transport
/// provides it; it may be called from any thread, also while `handle` runs, so it must be
/// thread-safe. Responders keep a copy, so it may be called after its session is gone: it must
/// own, or outlive, whatever it writes to.
///
/// Each message comes with `related`: the key (`to_json(id).dump()`) of the client request it
/// belongs to (its answer, or a notification sent through its responder such as progress), or
/// empty for messages of the session as a whole. Streamable HTTP sends related messages on the
/// request's own stream; a transport with one stream takes a function of the message alone.
class message_sink {
public:
  using function = std::function<void(nlohmann::json message, const std::string& related)>;

  message_sink() = default;
  message_sink(std::nullptr_t) {}

  template <class F>
  requires std::is_invocable_v<F&, nlohmann::json, const std::string&> message_sink(F f)
      : send_(std::move(f)) {}

  template <class F>
  requires(std::is_invocable_v<F&, nlohmann::json> &&
           !std::is_invocable_v<F&, nlohmann::json, const std::string&>) message_sink(F f) {
    if constexpr (std::is_constructible_v<bool, F&>)
      if (!static_cast<bool>(f)) return; // an empty std::function stays an empty sink
    send_ = [f = std::move(f)](nlohmann::json message, const std::string&) mutable {
      f(std::move(message));
    };
  }

  void operator()(nlohmann::json message, const std::string& related = {}) const {
    send_(std::move(message), related);
  }

  explicit operator bool() const { return static_cast<bool>(send_); }

private:
  function send_;
};

/// The syslog severities of RFC 5424 that MCP uses, least severe first.
enum class log_level { debug, info, notice, warning, error, critical, alert, emergency };

std::string_view to_string(log_level level);
std::optional<log_level> parse_log_level(std::string_view text);

/// A session's way to its client besides the answers: notifications, the log level the client
/// chose, its resource subscriptions and the requests in flight (for cancellation). Owned by
/// the session and shared with its responders, so it may outlive the session. Safe from any
/// thread; without a sink every notification is a no-op.
class session_notifier {
public:
  explicit session_notifier(message_sink sink) : sink_(std::move(sink)) {}

  session_notifier(const session_notifier&) = delete;
  session_notifier& operator=(const session_notifier&) = delete;

  /// Sends `{"jsonrpc": "2.0", "method": method, "params": params}` through the sink, as part
  /// of the request with key `related` when not empty (see `message_sink`); false without a
  /// sink (or when the sink threw).
  bool notify(std::string_view method, nlohmann::json params = nlohmann::json::object(),
              const std::string& related = {}) const;

  /// Whether notifications reach the client.
  bool can_notify() const { return static_cast<bool>(sink_); }

  // -- logging (`logging/setLevel`, `notifications/message`) ----------------------------------

  void set_log_level(log_level level);
  /// Nothing until the client set a level: then it gets no log messages.
  std::optional<log_level> level() const;
  /// Sends `notifications/message {level, logger, data}` when the client set a level and
  /// `level` is at or above it (as part of request `related` when not empty); false otherwise.
  bool log(log_level level, std::string_view logger, nlohmann::json data,
           const std::string& related = {}) const;

  // -- resource subscriptions -----------------------------------------------------------------

  /// Adds `uri`; false when it was subscribed already.
  bool subscribe(const std::string& uri);
  /// Removes `uri`; false when it was not subscribed.
  bool unsubscribe(const std::string& uri);
  bool subscribed(std::string_view uri) const;

  // -- requests in flight ---------------------------------------------------------------------

  /// Marks the request with this id (`to_json(id).dump()`) cancelled; false when no such
  /// request is in flight (unknown, answered already, or never cancellable like initialize).
  bool cancel(const std::string& key);
  /// Requests in flight (registered and not yet answered).
  size_t in_flight() const;

private:
  friend class responder;
  void track(const std::string& key, std::shared_ptr<std::atomic<bool>> flag);
  void forget(const std::string& key, const std::shared_ptr<std::atomic<bool>>& flag);

  message_sink sink_;
  mutable std::mutex mutex_;
  std::optional<log_level> level_;
  std::set<std::string, std::less<>> subscriptions_;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight_;
};

/// Answers one request exactly once, possibly later and from another thread. Copies share the
/// answer: the first `result` or `error` wins, later calls do nothing and return false. When
/// the last copy of an unanswered deferred request goes away, the client gets an internal
/// error instead of waiting forever.
class responder {
public:
  /// A responder that answers nothing (for requests that are not deferrable).
  responder() = default;

  /// Sends `{"result": result}`; `result` must be an object (MCP results are objects).
  bool result(nlohmann::json result) const;

  /// Sends the error.
  bool error(rpc_error error) const;

  /// Whether an answer was sent or is no longer possible.
  bool answered() const;

  // -- beyond the answer ----------------------------------------------------------------------

  /// Whether the client cancelled the request (`notifications/cancelled`). A cancelled request
  /// gets no answer: `result` and `error` then send nothing and return false, and dropping the
  /// last copy sends no internal error. Work in progress may check it and stop early.
  bool cancelled() const;
  /// The flag behind `cancelled`, for work that outlives this responder (never null).
  std::shared_ptr<const std::atomic<bool>> cancel_flag() const;

  /// Sends `notifications/progress {progressToken, progress, total?, message?}` when the
  /// request carried `_meta.progressToken`, is not answered or cancelled yet, and `progress`
  /// is larger than the last value sent (the spec wants it to increase); false otherwise.
  bool progress(double progress, std::optional<double> total = std::nullopt,
                std::string message = {}) const;
  /// Whether the request carried a progress token.
  bool wants_progress() const;

  /// Sends a notification on the request's session as part of this request (see
  /// `session_notifier::notify`); progress is sent the same way.
  bool notify(std::string_view method, nlohmann::json params = nlohmann::json::object()) const;
  /// A log message to the client of the session, as part of this request (see
  /// `session_notifier::log`).
  bool log(log_level level, std::string_view logger, nlohmann::json data) const;
  /// The session's notifier; null for a default-constructed responder.
  std::shared_ptr<session_notifier> notifier() const;

private:
  friend class session;
  struct state;

  /// A responder for request `id` whose answers go to `sink` (none: cannot defer), tracked as
  /// in flight by `notifier` (may be null) and sending progress for `progress_token` (null:
  /// none).
  static responder make(request_id id, message_sink sink,
                        std::shared_ptr<session_notifier> notifier = nullptr,
                        nlohmann::json progress_token = nullptr);
  /// Claims the answer for the session's direct reply; false when it was already given.
  bool claim() const;
  /// Whether late answers can be delivered.
  bool can_defer() const;

  explicit responder(std::shared_ptr<state> s) : state_(std::move(s)) {}
  std::shared_ptr<state> state_;
};

/// Return value of a handler that answers through `request_context::reply` later.
struct deferred {};

/// A handler's outcome: the result object, a JSON-RPC error, or `deferred`.
using handler_result = std::variant<nlohmann::json, rpc_error, deferred>;

/// What a request handler knows besides its params. Valid only during the handler call; a
/// handler that defers copies what it needs (the responder is cheap to copy).
struct request_context {
  const request_id& id;
  std::string_view method;
  /// The negotiated protocol revision, e.g. "2025-11-25".
  std::string_view protocol_version;
  /// The `capabilities` the client declared in `initialize`.
  const nlohmann::json& client_capabilities;
  /// For deferred answers; works only when the session has a `message_sink`. Also the
  /// request's way to progress, cancellation and notifications, for handlers that defer.
  responder reply;

  /// Sends a notification to the client on this request's session; safe from any thread, a
  /// no-op (false) when the session has no sink.
  bool notify(std::string_view method, nlohmann::json params = nlohmann::json::object()) const {
    return reply.notify(method, std::move(params));
  }
  /// Whether the client cancelled this request.
  bool cancelled() const { return reply.cancelled(); }
  /// See `responder::progress`.
  bool progress(double done, std::optional<double> total = std::nullopt,
                std::string message = {}) const {
    return reply.progress(done, total, std::move(message));
  }
  /// A `notifications/message` at or above the session's log level.
  bool log(log_level level, std::string_view logger, nlohmann::json data) const {
    return reply.log(level, logger, std::move(data));
  }
  /// The session's notifier (log level, subscriptions); null only outside a session.
  std::shared_ptr<session_notifier> notifier() const { return reply.notifier(); }
};

/// Handles one request. Runs on the thread that called `session::handle`; to work
/// concurrently it hands the work elsewhere, keeps `ctx.reply` and returns `deferred{}`.
/// Exceptions are caught by the session and answered with -32603 (the session goes on).
/// Bad params are answered with `make_error(error_code::invalid_params, …)`.
using method_handler =
    std::function<handler_result(const nlohmann::json& params, request_context& ctx)>;

/// What a notification handler knows besides its params.
struct notification_context {
  std::string_view method;
  std::string_view protocol_version;
  /// The session's notifier, to answer with notifications of its own.
  std::shared_ptr<session_notifier> notifier = nullptr;
};

/// Handles one notification; never answers. Exceptions are logged and dropped.
using notification_handler =
    std::function<void(const nlohmann::json& params, const notification_context& ctx)>;

} // namespace sage::services::mcp
