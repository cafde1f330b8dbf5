// The routing of one Streamable HTTP session's messages to its POST streams and GET stream.
// SPDX-License-Identifier: MIT
#include "services/mcp/http_session.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace sage::services::mcp {

using nlohmann::json;

http_session::http_session(std::string id, std::size_t outbox_limit, session_log log)
    : id_(std::move(id)), outbox_limit_(std::max<std::size_t>(outbox_limit, 1)),
      log_(std::move(log)) {}

std::shared_ptr<http_session> http_session::make(std::string id, std::shared_ptr<const server> srv,
                                                 session_options options,
                                                 std::size_t outbox_limit) {
  std::shared_ptr<http_session> s(new http_session(std::move(id), outbox_limit, options.log));
  // Responders may outlive the session: they reach it through a weak pointer.
  std::weak_ptr<http_session> weak = s;
  options.sink = [weak](json message, const std::string& related) {
    if (auto target = weak.lock()) target->deliver(std::move(message), related);
  };
  s->mcp_ = std::make_unique<session>(std::move(srv), std::move(options));
  return s;
}

std::optional<json> http_session::handle(const message& msg) {
  {
    std::lock_guard lock(mutex_);
    last_active_ = clock_type::now();
  }
  std::lock_guard lock(handle_mutex_);
  return mcp_->handle(msg);
}

void http_session::log(std::string_view event, const json& fields) const {
  if (!log_) return;
  try {
    log_(event, fields);
  } catch (...) { // logging must not break the transport
  }
}

// -- routing ------------------------------------------------------------------------------------

void http_session::deliver(json message, const std::string& related) {
  bool is_answer = message.contains("id") && !message.contains("method");
  std::string late_answer; // the key of an answer nobody waits for
  bool first_drop = false;
  {
    std::lock_guard lock(mutex_);
    if (is_answer) {
      auto key = message["id"].dump();
      if (auto it = pending_.find(key); it != pending_.end())
        it->second.answer = std::move(message);
      else
        late_answer = std::move(key);
    } else if (auto it = related.empty() ? pending_.end() : pending_.find(related);
               it != pending_.end() && it->second.streams) {
      it->second.notifications.push_back(std::move(message));
    } else if (!ended_) {
      outbox_.push_back(std::move(message));
      if (outbox_.size() > outbox_limit_) {
        outbox_.pop_front();
        first_drop = ++dropped_ == 1;
      }
    }
    changed_.notify_all();
  }
  if (!late_answer.empty()) log("dropped late answer", {{"session", id_}, {"id", late_answer}});
  if (first_drop)
    log("dropping oldest notifications",
        {{"session", id_}, {"limit", outbox_limit_}, {"reason", "no GET stream takes them"}});
}

// -- requests waiting for answers ---------------------------------------------------------------

bool http_session::expect(const std::string& key, bool streams) {
  std::lock_guard lock(mutex_);
  last_active_ = clock_type::now();
  return pending_.try_emplace(key, pending{streams, {}, std::nullopt}).second;
}

std::vector<json> http_session::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  last_active_ = clock_type::now();
  auto it = pending_.find(key);
  if (it == pending_.end()) return {};
  auto notifications = std::move(it->second.notifications);
  pending_.erase(it);
  return notifications;
}

http_session::request_output http_session::wait_request(const std::string& key,
                                                        clock_type::time_point deadline,
                                                        clock_type::time_point wake_at) {
  request_output out;
  std::unique_lock lock(mutex_);
  while (true) {
    auto it = pending_.find(key);
    if (it == pending_.end()) { // not expected, or given up already
      out.gave_up = "forgotten";
      return out;
    }
    auto& p = it->second;
    if (!p.notifications.empty() || p.answer) {
      out.notifications = std::exchange(p.notifications, {});
      if (p.answer) {
        out.answer = std::move(p.answer);
        pending_.erase(it);
      }
      return out;
    }
    auto limit = drain_until_ ? std::min(deadline, *drain_until_) : deadline;
    auto now = clock_type::now();
    if (ended_ || now >= limit) {
      out.gave_up = ended_ ? "session ended" : drain_until_ ? "server stopping" : "timed out";
      pending_.erase(it);
      return out;
    }
    if (now >= wake_at) return out;
    changed_.wait_until(lock, std::min(limit, wake_at));
  }
}

// -- idleness -----------------------------------------------------------------------------------

http_session::clock_type::time_point http_session::last_active() const {
  std::lock_guard lock(mutex_);
  return last_active_;
}

bool http_session::busy() const {
  std::lock_guard lock(mutex_);
  return stream_open_ || !pending_.empty();
}

// -- the GET stream -----------------------------------------------------------------------------

bool http_session::open_stream() {
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    if (stream_open_) return false;
    stream_open_ = true;
    last_active_ = clock_type::now();
    dropped = std::exchange(dropped_, 0);
  }
  if (dropped > 0)
    log("dropped notifications while no GET stream was open",
        {{"session", id_}, {"count", dropped}});
  return true;
}

void http_session::close_stream(std::vector<json> unsent) {
  std::lock_guard lock(mutex_);
  stream_open_ = false;
  last_active_ = clock_type::now();
  if (ended_) return;
  // They were the oldest: they go first, and are the first to go when there are too many.
  outbox_.insert(outbox_.begin(), std::make_move_iterator(unsent.begin()),
                 std::make_move_iterator(unsent.end()));
  while (outbox_.size() > outbox_limit_) {
    outbox_.pop_front();
    ++dropped_;
  }
}

http_session::stream_output http_session::wait_stream(clock_type::time_point wake_at) {
  stream_output out;
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, wake_at,
                      [&] { return !outbox_.empty() || ended_ || drain_until_.has_value(); });
  out.notifications.assign(std::make_move_iterator(outbox_.begin()),
                           std::make_move_iterator(outbox_.end()));
  outbox_.clear();
  out.over = ended_ || drain_until_.has_value();
  return out;
}

// -- the end ------------------------------------------------------------------------------------

void http_session::end() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  outbox_.clear();
  changed_.notify_all();
}

void http_session::stop(clock_type::time_point drain_until) {
  std::lock_guard lock(mutex_);
  drain_until_ = drain_until;
  changed_.notify_all();
}

} // namespace sage::services::mcp
