// The MCP session: lifecycle state machine, initialize and ping, dispatch with failure
// containment.
// SPDX-License-Identifier: MIT
#include "services/mcp/session.hpp"

#include <exception>
#include <utility>

namespace sage::services::mcp {

namespace {

using json = nlohmann::json;

/// Checks one member of the initialize params; the error names the member.
std::optional<rpc_error> check_member(const json& object, const char* key, json::value_t type,
                                      std::string_view path, std::string_view expected) {
  auto it = object.find(key);
  bool ok = it != object.end() && it->type() == type;
  if (ok) return std::nullopt;
  std::string what = it == object.end() ? "is missing" : "must be " + std::string{expected};
  return make_error(error_code::invalid_params,
                    "invalid initialize params: " + std::string{path} + " " + what,
                    json{{"field", path}});
}

std::optional<rpc_error> check_initialize_params(const json& params) {
  using t = json::value_t;
  if (auto e = check_member(params, "protocolVersion", t::string, "protocolVersion", "a string"))
    return e;
  if (auto e = check_member(params, "capabilities", t::object, "capabilities", "an object"))
    return e;
  if (auto e = check_member(params, "clientInfo", t::object, "clientInfo", "an object")) return e;
  const auto& info = params.at("clientInfo");
  if (auto e = check_member(info, "name", t::string, "clientInfo.name", "a string")) return e;
  if (auto e = check_member(info, "version", t::string, "clientInfo.version", "a string")) return e;
  return std::nullopt;
}

} // namespace

const char* to_string(session_state state) {
  switch (state) {
  case session_state::awaiting_initialize:
    return "awaiting_initialize";
  case session_state::initializing:
    return "initializing";
  case session_state::ready:
    return "ready";
  }
  return "unknown";
}

session::session(std::shared_ptr<const server> srv, session_options options)
    : server_(std::move(srv)), options_(std::move(options)),
      notifier_(std::make_shared<session_notifier>(options_.sink)) {}

std::optional<nlohmann::json> session::handle(std::string_view text) {
  return handle(parse_message(text, options_.bounds));
}

std::optional<nlohmann::json> session::handle(const message& msg) {
  if (const auto* r = std::get_if<request>(&msg)) return on_request(*r);
  if (const auto* n = std::get_if<notification>(&msg)) {
    on_notification(*n);
    return std::nullopt;
  }
  if (const auto* r = std::get_if<response>(&msg)) {
    // The server sends no requests yet (sampling, elicitation and roots come later).
    log("ignored response from the client",
        json{{"id", r->id ? to_json(*r->id) : json(nullptr)},
             {"reason", "no request of the server is waiting for it"}});
    return std::nullopt;
  }
  const auto& invalid = std::get<invalid_message>(msg);
  return error_response(invalid.id, invalid.error);
}

std::optional<nlohmann::json> session::on_request(const request& r) {
  if (r.method == "ping") return result_response(r.id, json::object());
  if (r.method == "initialize") {
    if (state_ != session_state::awaiting_initialize)
      return error_response(r.id, make_error(error_code::invalid_request,
                                             "the session is already initialized; send "
                                             "initialize once per session"));
    return on_initialize(r);
  }
  if (state_ == session_state::awaiting_initialize)
    return error_response(r.id, make_error(error_code::invalid_request,
                                           "the session is not initialized; send initialize "
                                           "first",
                                           json{{"method", r.method}}));
  const auto* handler = server_->find_method(r.method);
  if (handler == nullptr)
    return error_response(r.id,
                          make_error(error_code::method_not_found, "method not found: " + r.method,
                                     json{{"method", r.method}}));
  return dispatch(r, *handler);
}

nlohmann::json session::on_initialize(const request& r) {
  if (auto e = check_initialize_params(r.params)) return error_response(r.id, *e);
  const auto& requested = r.params.at("protocolVersion").get_ref<const std::string&>();
  auto agreed = negotiate_protocol_version(requested);
  if (agreed != requested)
    log("client asked for an unsupported protocol revision",
        json{{"requested", requested}, {"answered", agreed}});
  protocol_version_ = std::string{agreed};
  client_info_ = r.params.at("clientInfo");
  client_capabilities_ = r.params.at("capabilities");
  state_ = session_state::initializing;

  const auto& id = server_->identity();
  json info{{"name", id.name}, {"version", id.version}};
  if (!id.title.empty()) info["title"] = id.title;
  json result{{"protocolVersion", *protocol_version_},
              {"capabilities", server_->capabilities()},
              {"serverInfo", std::move(info)}};
  if (!id.instructions.empty()) result["instructions"] = id.instructions;
  return result_response(r.id, std::move(result));
}

std::optional<nlohmann::json> session::dispatch(const request& r, const method_handler& handler) {
  json progress_token;
  if (auto meta = r.params.find("_meta"); meta != r.params.end() && meta->is_object())
    if (auto token = meta->find("progressToken");
        token != meta->end() && (token->is_string() || token->is_number_integer()))
      progress_token = *token;
  auto reply = responder::make(r.id, options_.sink, notifier_, std::move(progress_token));
  request_context ctx{r.id, r.method, protocol_version_ ? *protocol_version_ : std::string_view{},
                      client_capabilities_, reply};
  auto internal_error = [&](std::string_view reason) -> std::optional<json> {
    json fields{{"method", r.method}, {"id", to_json(r.id)}, {"reason", reason}};
    log("failed to handle request", fields);
    fields["event"] = "failed to handle request";
    notifier_->log(log_level::error, "sage.mcp", std::move(fields));
    if (!reply.claim()) return std::nullopt; // it answered through the responder before failing
    return error_response(
        r.id, make_error(error_code::internal_error,
                         "internal error while handling " + r.method + "; the server goes on",
                         json{{"method", r.method}}));
  };

  handler_result outcome;
  try {
    outcome = handler(r.params, ctx);
  } catch (const std::exception& e) {
    return internal_error(std::string{"exception: "} + e.what());
  } catch (...) {
    return internal_error("exception of unknown type");
  }

  if (auto* result = std::get_if<json>(&outcome)) {
    if (!result->is_object())
      return internal_error("the handler returned a result that is not an object");
    if (!reply.claim()) return std::nullopt;
    return result_response(r.id, std::move(*result));
  }
  if (auto* error = std::get_if<rpc_error>(&outcome)) {
    if (!reply.claim()) return std::nullopt;
    return error_response(r.id, *error);
  }
  if (!reply.can_defer())
    return internal_error("the handler deferred its answer but the transport cannot deliver "
                          "late answers");
  return std::nullopt; // the handler answers through ctx.reply
}

void session::on_notification(const notification& n) {
  if (n.method == "notifications/initialized") {
    if (state_ == session_state::initializing) {
      state_ = session_state::ready;
      announce();
    } else if (state_ == session_state::awaiting_initialize)
      log("ignored notification", json{{"method", n.method}, {"reason", "before initialize"}});
    return;
  }
  if (state_ == session_state::awaiting_initialize) {
    log("ignored notification", json{{"method", n.method}, {"reason", "before initialize"}});
    return;
  }
  if (n.method == "notifications/cancelled") on_cancelled(n.params);
  const auto* handler = server_->find_notification(n.method);
  if (handler == nullptr) {
    if (n.method != "notifications/cancelled")
      log("ignored notification", json{{"method", n.method}, {"reason", "not handled"}});
    return;
  }
  try {
    (*handler)(n.params, notification_context{n.method, *protocol_version_, notifier_});
  } catch (const std::exception& e) {
    log("failed to handle notification",
        json{{"method", n.method}, {"reason", std::string{"exception: "} + e.what()}});
  } catch (...) {
    log("failed to handle notification",
        json{{"method", n.method}, {"reason", "exception of unknown type"}});
  }
}

void session::on_cancelled(const nlohmann::json& params) {
  auto id = params.is_object() ? params.find("requestId") : params.end();
  if (!params.is_object() || id == params.end() || !(id->is_string() || id->is_number_integer())) {
    log("ignored cancellation",
        json{{"reason", "requestId is missing or not a string or integer"}});
    return;
  }
  json fields{{"id", *id}};
  if (auto reason = params.find("reason"); reason != params.end() && reason->is_string())
    fields["reason"] = *reason;
  // initialize is answered before the next message is read: it is never in flight
  if (!notifier_->cancel(id->dump())) {
    fields["ignored"] = "no request with this id is in flight";
    log("ignored cancellation", fields);
    return;
  }
  log("request cancelled", fields);
  fields["event"] = "request cancelled";
  notifier_->log(log_level::info, "sage.mcp", std::move(fields));
}

void session::announce() const {
  for (const auto& observer : server_->session_observers()) {
    try {
      observer(notifier_);
    } catch (const std::exception& e) { // the session works without notifications
      log("failed to announce the session",
          json{{"reason", std::string{"exception: "} + e.what()}});
    } catch (...) {
      log("failed to announce the session", json{{"reason", "exception of unknown type"}});
    }
  }
}

void session::log(std::string_view event, const nlohmann::json& fields) const {
  if (!options_.log) return;
  try {
    options_.log(event, fields);
  } catch (...) { // logging must not break the protocol
  }
}

} // namespace sage::services::mcp
