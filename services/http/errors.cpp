// Errors of the HTTP API.
// SPDX-License-Identifier: MIT
#include "services/http/errors.hpp"

#include <httplib.h>

namespace sage::services::http {

int status_for(core::error_code code) {
  switch (code) {
  case core::error_code::invalid_argument:
  case core::error_code::ambiguous: // the hint lists the candidates to choose from
    return 400;
  case core::error_code::forbidden:
    return 403;
  case core::error_code::not_found:
    return 404;
  case core::error_code::timed_out:
    return 504;
  case core::error_code::config:
  case core::error_code::io:
  case core::error_code::parse:
  case core::error_code::internal:
    return 500;
  }
  return 500;
}

std::string code_for_status(int status) {
  switch (status) {
  case 400:
    return "bad_request";
  case 401:
    return "unauthorized";
  case 403:
    return "forbidden";
  case 404:
    return "not_found";
  case 405:
    return "method_not_allowed";
  case 413:
    return "payload_too_large";
  case 414:
    return "uri_too_long";
  case 415:
    return "unsupported_media_type";
  case 429:
    return "rate_limited";
  case 431:
    return "headers_too_large";
  case 500:
    return "internal";
  case 503:
    return "unavailable";
  case 504:
    return "timed_out";
  default:
    return "error";
  }
}

nlohmann::json error_body(const std::string& code, const std::string& message,
                          nlohmann::json details) {
  if (!details.is_object()) details = nlohmann::json::object();
  return {{"error", {{"code", code}, {"message", message}, {"details", std::move(details)}}}};
}

namespace {

void send_body(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // Messages may quote what the client sent; never fail on bytes that are not UTF-8.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

} // namespace

void send_error(httplib::Response& res, const std::string& request_id, int status,
                const std::string& message, nlohmann::json details) {
  if (!details.is_object()) details = nlohmann::json::object();
  details["request_id"] = request_id;
  send_body(res, status, error_body(code_for_status(status), message, std::move(details)));
}

void send_error(httplib::Response& res, const std::string& request_id, const core::error& err) {
  auto details = nlohmann::json::object();
  if (!err.hint.empty()) details["hint"] = err.hint;
  details["request_id"] = request_id;
  send_body(res, status_for(err.code),
            error_body(core::to_string(err.code), err.message, std::move(details)));
}

} // namespace sage::services::http
