// One route of the HTTP API as data: method, path pattern, parameters, body schema, answer
// and handler. The server dispatches from a table of these and the OpenAPI document is written
// from the same table, so the two cannot drift apart.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace httplib {
struct Response;
} // namespace httplib

namespace sage::core::catalogue {
struct operation;
} // namespace sage::core::catalogue

namespace sage::services::http {

using json = nlohmann::json;

/// A path parameter (`{id}` in the pattern) or a query parameter.
struct parameter {
  std::string name;
  bool in_path = false;
  /// JSON Schema of the value after conversion from text: `integer`, `number`, `boolean`,
  /// `string`, or an `array` of strings for a parameter that may repeat (`layer=a&layer=b`).
  json schema;
  std::string description;
  bool required = false;
  /// Older names of a query parameter, still accepted (`q` for `query`); giving it under two
  /// names is an error.
  std::vector<std::string> aliases = {};
  /// Whether `name` is this parameter's name or one of its aliases.
  bool named(const std::string& n) const {
    return n == name || std::find(aliases.begin(), aliases.end(), n) != aliases.end();
  }
};

/// What a handler gets: parameters converted and checked against their schemas, and the body
/// parsed and checked against the route's body schema (null when there is none).
struct call {
  json params = json::object(); ///< path and query parameters by name; absent when not given
  json body;
  std::string request_id;
  std::string client; ///< the peer's address
};

/// A handler's answer: a status and a JSON body, or text of another media type, or a stream
/// that takes over the response (server-sent events).
struct reply {
  int status = 200;
  json body = json::object();
  std::optional<std::string> text; ///< sent instead of `body` when set
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  /// Set for a stream: installs a content provider on the response. Runs on the request's
  /// thread after the security headers are set.
  std::function<void(httplib::Response&)> stream;
};

using handler = std::function<core::result<reply>(const call&)>;

/// A route. `pattern` is canonical (`/v1/memory/{id}`); every `/v1/...` route is also served
/// under `/api/v1/...`.
struct route {
  std::string method = {}; ///< GET, POST, PATCH, DELETE
  std::string pattern = {};
  std::string operation_id = {}; ///< unique, for the OpenAPI document (`getMemoryEntry`)
  std::string summary = {};
  std::string tag = {}; ///< `knowledge`, `memory`, `sessions`, `budget`, `events`, `system`
  std::vector<parameter> parameters = {};
  std::optional<json> body = {}; ///< JSON Schema of the request body; unset = no body
  bool body_required = true;
  int status = 200;             ///< the status of a successful answer
  json answer = json::object(); ///< JSON Schema of a successful answer
  std::string answer_type = "application/json";
  std::string answer_description = "the result";
  bool open = false; ///< answered without an API key (`/health`)
  handler handle = {};
};

/// The route of a catalogue operation: method and URL from its HTTP binding, `operationId` its
/// name, parameters in the path (named in the pattern), the query (GET, DELETE) or the body,
/// with the catalogue's bounds, defaults and aliases, and its result as the answer.
route route_of(const core::catalogue::operation& op, handler handle);

/// Every route of the server, in the order they are documented.
class route_table {
public:
  void add(route r) { routes_.push_back(std::move(r)); }
  const std::vector<route>& routes() const { return routes_; }

private:
  std::vector<route> routes_;
};

// -- building blocks of route definitions -------------------------------------------------------

inline parameter path_param(std::string name, std::string description) {
  return {
      std::move(name), true, {{"type", "string"}, {"minLength", 1}}, std::move(description), true};
}

inline parameter query_param(std::string name, json schema, std::string description,
                             bool required = false) {
  return {std::move(name), false, std::move(schema), std::move(description), required};
}

/// Schemas of query parameters (their descriptions are on the parameter).
inline json text_schema() {
  return {{"type", "string"}, {"minLength", 1}};
}
inline json integer_schema(int64_t minimum, int64_t maximum) {
  return {{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum}};
}
inline json boolean_schema() {
  return {{"type", "boolean"}};
}
inline json enum_schema(std::vector<std::string> values) {
  return {{"type", "string"}, {"enum", std::move(values)}};
}
/// A parameter that may be repeated (`layer=a&layer=b`).
inline json texts_schema(size_t max_items) {
  return {{"type", "array"}, {"items", text_schema()}, {"maxItems", max_items}};
}

/// A JSON answer with `status` (200 unless told).
inline reply json_reply(json body, int status = 200) {
  reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

/// An `invalid_argument` error: the caller sent something wrong (400).
inline core::error bad_request(std::string message, std::string hint = {}) {
  return core::make_error(core::error_code::invalid_argument, std::move(message), std::move(hint));
}

} // namespace sage::services::http
