// Errors of the HTTP API: `{"error":{"code","message","details"}}` with the right status, and the
// one place where the engine's error codes become HTTP statuses.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace httplib {
struct Response;
} // namespace httplib

namespace sage::services::http {

/// The HTTP status of an engine error: 400 bad input or an ambiguous name, 403 a path leaving
/// the knowledge base, 404 not found, 504 a deadline that expired, 500 anything else.
int status_for(core::error_code code);

/// The `code` of an error body for an HTTP status the HTTP layer itself answers (401
/// `unauthorized`, 429 `rate_limited`, ...); `error` for a status without a name of its own.
std::string code_for_status(int status);

/// `{"error":{"code","message","details"}}`; `details` is an object (empty when there is
/// nothing more to say).
nlohmann::json error_body(const std::string& code, const std::string& message,
                          nlohmann::json details = nlohmann::json::object());

/// Answers `res` with an error of the HTTP layer; `details.request_id` is set to `request_id`
/// so that a report can be matched to the log.
void send_error(httplib::Response& res, const std::string& request_id, int status,
                const std::string& message, nlohmann::json details = nlohmann::json::object());

/// Answers `res` with an engine error: its status, its code's name, its message and its hint
/// (in `details.hint`), and the request id.
void send_error(httplib::Response& res, const std::string& request_id, const core::error& err);

} // namespace sage::services::http
