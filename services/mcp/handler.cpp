// The responder (one answer per request, delivered through the session's sink, none once
// cancelled) and the session's notifier (notifications, log level, subscriptions, requests in
// flight).
// SPDX-License-Identifier: MIT
#include "services/mcp/handler.hpp"

#include <utility>

namespace sage::services::mcp {

// -- session_notifier ---------------------------------------------------------------------------

bool session_notifier::notify(std::string_view method, nlohmann::json params,
                              const std::string& related) const {
  if (!sink_) return false;
  nlohmann::json message{{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  try {
    sink_(std::move(message), related);
  } catch (...) { // the transport is gone; a notification is fire-and-forget
    return false;
  }
  return true;
}

void session_notifier::set_log_level(log_level level) {
  std::lock_guard lock{mutex_};
  level_ = level;
}

std::optional<log_level> session_notifier::level() const {
  std::lock_guard lock{mutex_};
  return level_;
}

bool session_notifier::log(log_level level, std::string_view logger, nlohmann::json data,
                           const std::string& related) const {
  auto threshold = this->level();
  if (!threshold || level < *threshold) return false;
  return notify("notifications/message",
                {{"level", to_string(level)}, {"logger", logger}, {"data", std::move(data)}},
                related);
}

bool session_notifier::subscribe(const std::string& uri) {
  std::lock_guard lock{mutex_};
  return subscriptions_.insert(uri).second;
}

bool session_notifier::unsubscribe(const std::string& uri) {
  std::lock_guard lock{mutex_};
  return subscriptions_.erase(uri) > 0;
}

bool session_notifier::subscribed(std::string_view uri) const {
  std::lock_guard lock{mutex_};
  return subscriptions_.find(uri) != subscriptions_.end();
}

bool session_notifier::cancel(const std::string& key) {
  std::shared_ptr<std::atomic<bool>> flag;
  {
    std::lock_guard lock{mutex_};
    auto it = in_flight_.find(key);
    if (it == in_flight_.end()) return false;
    flag = std::move(it->second);
    in_flight_.erase(it);
  }
  flag->store(true);
  return true;
}

size_t session_notifier::in_flight() const {
  std::lock_guard lock{mutex_};
  return in_flight_.size();
}

void session_notifier::track(const std::string& key, std::shared_ptr<std::atomic<bool>> flag) {
  std::lock_guard lock{mutex_};
  in_flight_[key] = std::move(flag);
}

void session_notifier::forget(const std::string& key,
                              const std::shared_ptr<std::atomic<bool>>& flag) {
  std::lock_guard lock{mutex_};
  auto it = in_flight_.find(key);
  if (it != in_flight_.end() && it->second == flag) in_flight_.erase(it); // not a reused id's
}

// -- responder ----------------------------------------------------------------------------------

struct responder::state {
  request_id id;
  message_sink sink;
  std::shared_ptr<session_notifier> notifier;
  nlohmann::json progress_token;
  std::string key; ///< `id` as the notifier knows it
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> done{false};
  std::mutex progress_mutex;
  std::optional<double> last_progress;

  state(request_id i, message_sink s, std::shared_ptr<session_notifier> n, nlohmann::json token)
      : id(std::move(i)), sink(std::move(s)), notifier(std::move(n)),
        progress_token(std::move(token)), key(to_json(id).dump()) {
    if (notifier) notifier->track(key, cancelled);
  }
  state(const state&) = delete;
  state& operator=(const state&) = delete;

  /// The last copy is gone without an answer: tell the client rather than leave it waiting
  /// (unless it cancelled the request and waits for nothing).
  ~state() {
    if (!finish() || cancelled->load() || !sink) return;
    try {
      sink(error_response(id, make_error(error_code::internal_error,
                                         "the server dropped the request without answering")),
           key);
    } catch (...) { // a destructor must not throw; the transport is gone
    }
  }

  /// Takes the one answer; false when it was taken already. No longer in flight afterwards.
  bool finish() {
    if (done.exchange(true)) return false;
    if (notifier) notifier->forget(key, cancelled);
    return true;
  }

  bool send(nlohmann::json message) {
    if (!sink || !finish() || cancelled->load()) return false;
    sink(std::move(message), key);
    return true;
  }
};

responder responder::make(request_id id, message_sink sink,
                          std::shared_ptr<session_notifier> notifier,
                          nlohmann::json progress_token) {
  return responder{std::make_shared<state>(std::move(id), std::move(sink), std::move(notifier),
                                           std::move(progress_token))};
}

bool responder::result(nlohmann::json result) const {
  if (!state_) return false;
  if (!result.is_object())
    return state_->send(error_response(
        state_->id, make_error(error_code::internal_error,
                               "the server produced an invalid result (not an object)")));
  return state_->send(result_response(state_->id, std::move(result)));
}

bool responder::error(rpc_error error) const {
  return state_ && state_->send(error_response(state_->id, error));
}

bool responder::answered() const {
  return !state_ || state_->done.load();
}

bool responder::claim() const {
  return state_ && state_->finish() && !state_->cancelled->load();
}

bool responder::can_defer() const {
  return state_ && static_cast<bool>(state_->sink);
}

bool responder::cancelled() const {
  return state_ && state_->cancelled->load();
}

std::shared_ptr<const std::atomic<bool>> responder::cancel_flag() const {
  if (state_) return state_->cancelled;
  return std::make_shared<const std::atomic<bool>>(false);
}

bool responder::wants_progress() const {
  return state_ && !state_->progress_token.is_null();
}

bool responder::progress(double progress, std::optional<double> total, std::string message) const {
  if (!wants_progress() || !state_->notifier) return false;
  std::lock_guard lock{state_->progress_mutex};
  if (state_->done.load() || state_->cancelled->load()) return false;
  if (state_->last_progress && progress <= *state_->last_progress) return false;
  nlohmann::json params{{"progressToken", state_->progress_token}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = std::move(message);
  if (!state_->notifier->notify("notifications/progress", std::move(params), state_->key))
    return false;
  state_->last_progress = progress;
  return true;
}

bool responder::notify(std::string_view method, nlohmann::json params) const {
  return state_ && state_->notifier &&
         state_->notifier->notify(method, std::move(params), state_->key);
}

bool responder::log(log_level level, std::string_view logger, nlohmann::json data) const {
  return state_ && state_->notifier &&
         state_->notifier->log(level, logger, std::move(data), state_->key);
}

std::shared_ptr<session_notifier> responder::notifier() const {
  return state_ ? state_->notifier : nullptr;
}

} // namespace sage::services::mcp
