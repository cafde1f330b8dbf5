// The responder: one answer per request, delivered through the session's sink.
// SPDX-License-Identifier: MIT
#include "services/mcp/handler.hpp"

#include <atomic>
#include <utility>

namespace sage::services::mcp {

struct responder::state {
  request_id id;
  message_sink sink;
  std::atomic<bool> done{false};

  state(request_id i, message_sink s) : id(std::move(i)), sink(std::move(s)) {}
  state(const state&) = delete;
  state& operator=(const state&) = delete;

  /// The last copy is gone without an answer: tell the client rather than leave it waiting.
  ~state() {
    if (done.exchange(true) || !sink) return;
    try {
      sink(error_response(id, make_error(error_code::internal_error,
                                         "the server dropped the request without answering")));
    } catch (...) { // a destructor must not throw; the transport is gone
    }
  }

  bool send(nlohmann::json message) {
    if (!sink || done.exchange(true)) return false;
    sink(std::move(message));
    return true;
  }
};

responder responder::make(request_id id, message_sink sink) {
  return responder{std::make_shared<state>(std::move(id), std::move(sink))};
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
  return state_ && !state_->done.exchange(true);
}

bool responder::can_defer() const {
  return state_ && static_cast<bool>(state_->sink);
}

} // namespace sage::services::mcp
