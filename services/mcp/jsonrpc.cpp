// JSON-RPC 2.0 message reading and writing for MCP: bounds, UTF-8, batches, ids, members.
// SPDX-License-Identifier: MIT
#include "services/mcp/jsonrpc.hpp"

#include "core/json_parse.hpp"

#include <limits>
#include <utility>

namespace sage::services::mcp {

namespace {

using json = nlohmann::json;

/// Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
/// no surrogates, nothing above U+10FFFF), or npos.
std::size_t first_invalid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // bounds of the second byte
    unsigned char high = 0xBF; // (narrower after E0, ED, F0, F4)
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0)
        low = 0xA0;
      else if (c == 0xED)
        high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0)
        low = 0x90;
      else if (c == 0xF4)
        high = 0x8F;
    } else {
      return i;
    }
    if (n - i < length || p[i + 1] < low || p[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += length;
  }
  return std::string_view::npos;
}

invalid_message invalid(std::optional<request_id> id, error_code code, std::string text,
                        std::optional<json> data = std::nullopt) {
  return invalid_message{std::move(id), make_error(code, std::move(text), std::move(data))};
}

/// Reads an id, or says why it is not one MCP accepts.
std::variant<request_id, std::string> read_id(const json& value) {
  constexpr std::string_view expected = "id must be a string or an integer";
  switch (value.type()) {
  case json::value_t::string:
    return request_id{value.get<std::string>()};
  case json::value_t::number_integer:
    return request_id{value.get<std::int64_t>()};
  case json::value_t::number_unsigned: {
    auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::string{"id is too large: integer ids must fit in a signed 64-bit integer"};
    return request_id{static_cast<std::int64_t>(u)};
  }
  case json::value_t::number_float:
    return std::string{expected} + ", not a number with a fraction or exponent";
  case json::value_t::null:
    return std::string{expected} + ", not null";
  case json::value_t::boolean:
    return std::string{expected} + ", not a boolean";
  case json::value_t::object:
    return std::string{expected} + ", not an object";
  case json::value_t::array:
    return std::string{expected} + ", not an array";
  default:
    return std::string{expected};
  }
}

/// Reads the `error` member of a client's error response.
std::optional<rpc_error> read_error_object(const json& value) {
  if (!value.is_object()) return std::nullopt;
  auto code = value.find("code");
  auto text = value.find("message");
  if (code == value.end() || !code->is_number_integer() || text == value.end() ||
      !text->is_string())
    return std::nullopt;
  rpc_error e;
  if (code->is_number_unsigned() &&
      code->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    return std::nullopt;
  auto wide = code->get<std::int64_t>();
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
    return std::nullopt;
  e.code = static_cast<int>(wide);
  e.message = text->get<std::string>();
  if (auto data = value.find("data"); data != value.end()) e.data = *data;
  return e;
}

message read_response(const json& object, bool has_result, bool has_error) {
  // Never echo a response's id: the client would take the error for the answer to its own
  // request with that id.
  if (has_result && has_error)
    return invalid(std::nullopt, error_code::invalid_request,
                   "a response must carry either result or error, not both");
  response r;
  auto id = object.find("id");
  if (id == object.end() || (id->is_null() && !has_error))
    return invalid(std::nullopt, error_code::invalid_request,
                   "a response must carry the id of the request it answers");
  if (!id->is_null()) {
    auto read = read_id(*id);
    if (auto* problem = std::get_if<std::string>(&read))
      return invalid(std::nullopt, error_code::invalid_request, "invalid response: " + *problem);
    r.id = std::get<request_id>(std::move(read));
  }
  if (has_result) {
    const auto& result = object.at("result");
    if (!result.is_object())
      return invalid(std::nullopt, error_code::invalid_request,
                     "a response's result must be an object");
    r.outcome = result;
  } else {
    auto e = read_error_object(object.at("error"));
    if (!e)
      return invalid(std::nullopt, error_code::invalid_request,
                     "a response's error must be an object with an integer code and a string "
                     "message");
    r.outcome = std::move(*e);
  }
  return r;
}

message read_object(const json& object) {
  const bool has_method = object.contains("method");
  const bool has_result = object.contains("result");
  const bool has_error = object.contains("error");
  const bool is_response = !has_method && (has_result || has_error);

  // The id to echo in errors: only a request's, and only a valid one.
  std::optional<request_id> id;
  std::optional<std::string> id_problem;
  auto id_member = object.find("id");
  const bool has_id = id_member != object.end();
  if (has_id && !is_response) {
    auto read = read_id(*id_member);
    if (auto* problem = std::get_if<std::string>(&read))
      id_problem = std::move(*problem);
    else
      id = std::get<request_id>(std::move(read));
  }

  auto version = object.find("jsonrpc");
  if (version == object.end())
    return invalid(id, error_code::invalid_request, R"(the message lacks "jsonrpc": "2.0")");
  if (!version->is_string() || version->get_ref<const std::string&>() != "2.0")
    return invalid(id, error_code::invalid_request,
                   R"(unsupported JSON-RPC version: "jsonrpc" must be "2.0")");

  if (is_response) return read_response(object, has_result, has_error);
  if (!has_method)
    return invalid(id, error_code::invalid_request,
                   "the message has no method (a request or notification) and no result or "
                   "error (a response)");
  if (has_result || has_error)
    return invalid(id, error_code::invalid_request,
                   "a message cannot carry a method together with result or error");
  if (id_problem) return invalid(std::nullopt, error_code::invalid_request, *id_problem);

  const auto& method = object.at("method");
  if (!method.is_string())
    return invalid(id, error_code::invalid_request, "method must be a string");

  json params = json::object();
  if (auto p = object.find("params"); p != object.end()) {
    if (p->is_array())
      // Valid JSON-RPC (parameters by position), but every MCP method takes them by name.
      return invalid(id, error_code::invalid_params,
                     "params must be an object: MCP passes parameters by name, not as an array",
                     json{{"method", method}});
    if (!p->is_object())
      return invalid(id, error_code::invalid_request,
                     "params must be an object when present (JSON-RPC allows no other value)");
    params = *p;
  }

  if (has_id) return request{std::move(*id), method.get<std::string>(), std::move(params)};
  return notification{method.get<std::string>(), std::move(params)};
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

rpc_error make_error(error_code code, std::string message, std::optional<nlohmann::json> data) {
  return rpc_error{static_cast<int>(code), std::move(message), std::move(data)};
}

nlohmann::json to_json(const request_id& id) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, id);
}

std::string to_string(const request_id& id) {
  return serialize(to_json(id));
}

message parse_message(std::string_view text, const limits& bounds) {
  if (text.size() > bounds.max_bytes)
    return invalid(std::nullopt, error_code::invalid_request,
                   "the message is too large: " + std::to_string(text.size()) +
                       " bytes, the limit is " + std::to_string(bounds.max_bytes),
                   json{{"size", text.size()}, {"max_bytes", bounds.max_bytes}});
  if (auto bad = first_invalid_utf8(text); bad != std::string_view::npos)
    return invalid(std::nullopt, error_code::parse_error,
                   "failed to parse message: it is not valid UTF-8 (first bad byte at offset " +
                       std::to_string(bad) + ")",
                   json{{"offset", bad}});
  if (is_blank(text))
    return invalid(std::nullopt, error_code::parse_error, "failed to parse message: it is empty");

  auto parsed = core::parse_json(text, "message", {bounds.max_bytes, bounds.max_depth});
  if (!parsed) {
    const auto& e = parsed.err();
    if (e.problem == core::json_problem::too_deep)
      return invalid(std::nullopt, error_code::invalid_request, e.message,
                     json{{"max_depth", bounds.max_depth}});
    return invalid(std::nullopt, error_code::parse_error, e.message, json{{"offset", e.offset}});
  }
  auto document = std::move(parsed).value();
  if (document.is_array())
    return invalid(std::nullopt, error_code::invalid_request,
                   "batches are not supported: send one JSON-RPC message at a time (MCP "
                   "removed JSON-RPC batching in revision 2025-06-18)");
  if (!document.is_object())
    return invalid(std::nullopt, error_code::invalid_request,
                   "the message must be a JSON object, not " + std::string{document.type_name()});
  return read_object(document);
}

nlohmann::json result_response(const request_id& id, nlohmann::json result) {
  return json{{"jsonrpc", "2.0"}, {"id", to_json(id)}, {"result", std::move(result)}};
}

nlohmann::json error_response(const std::optional<request_id>& id, const rpc_error& error) {
  json e{{"code", error.code}, {"message", error.message}};
  if (error.data) e["data"] = *error.data;
  return json{{"jsonrpc", "2.0"}, {"id", id ? to_json(*id) : json(nullptr)}, {"error", e}};
}

std::string serialize(const nlohmann::json& message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace sage::services::mcp
