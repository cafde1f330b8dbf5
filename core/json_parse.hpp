// Parsing JSON that comes from outside: bounded in size and nesting before any DOM is built.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sage::core {

/// Deepest nesting of objects and arrays accepted in any JSON that enters the program (request
/// bodies, MCP messages, import lines, stored metadata, manifests); the outermost value is level
/// 1. nlohmann's parser and several walks over a DOM recurse once per level, so without a bound
/// a 150 KB text of `[` overflows the stack.
inline constexpr std::size_t max_json_depth = 64;

/// Bounds applied to a JSON text before it is turned into a DOM.
struct json_limits {
  /// Longest accepted text in bytes.
  std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
  /// Deepest accepted nesting of objects and arrays.
  std::size_t max_depth = max_json_depth;
};

/// Why a text was refused, so that callers can answer in their own protocol (HTTP 400/413,
/// JSON-RPC -32700/-32600).
enum class json_problem {
  too_large, ///< longer than `max_bytes` (nothing was read)
  too_deep,  ///< nests deeper than `max_depth`
  syntax,    ///< not JSON (a NUL byte anywhere included: JSON text never holds one)
};

/// A refused text: what is wrong, a lower-case sentence for people and the offending offset.
struct json_error {
  json_problem problem = json_problem::syntax;
  /// E.g. "the request body nests objects and arrays deeper than 64 levels", "failed to parse
  /// message as JSON at line 1, column 5: syntax error …" (parser details shortened).
  std::string message;
  /// Byte offset of the bad byte (a syntax error, a NUL); 0 for the other problems.
  std::size_t offset = 0;
};

/// A parsed document or the reason it was refused.
class json_result {
public:
  json_result(nlohmann::json value) : data_(std::move(value)) {}
  json_result(json_error err) : data_(std::move(err)) {}

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  nlohmann::json& value() & { return std::get<0>(data_); }
  nlohmann::json&& value() && { return std::get<0>(std::move(data_)); }
  nlohmann::json& operator*() & { return value(); }
  nlohmann::json&& operator*() && { return std::get<0>(std::move(data_)); }
  nlohmann::json* operator->() { return &value(); }
  const json_error& err() const { return std::get<1>(data_); }

private:
  std::variant<nlohmann::json, json_error> data_;
};

/// Parses `text` as one JSON value. Checks, in this order and before a DOM exists: the size,
/// NUL bytes (nlohmann's lexer takes one for the end of the input, so `{}\0garbage` would
/// otherwise pass), then syntax and depth in one SAX pass that builds nothing. `what` names the
/// text in messages ("message", "request body", "metadata of entry 1234"). Never throws.
json_result parse_json(std::string_view text, std::string_view what,
                       const json_limits& limits = {});

/// `parse_json` for callers that speak core errors: a refusal becomes a `parse` error with
/// `hint` as its recovery hint.
result<nlohmann::json> parse_json_as(std::string_view text, std::string_view what, std::string hint,
                                     const json_limits& limits = {});

/// A JSON column read back from the database, bounded like any input: a database written by an
/// older version or by hand may hold text nested deep enough to overflow the parser. A refused
/// text reads as a `discarded` value, which callers' type checks report as a corrupt row.
/// `max_depth` exceeds `max_json_depth` only for columns that wrap checked documents (a
/// checkpoint's array of entries).
nlohmann::json parse_stored_json(std::string_view text, std::size_t max_depth = max_json_depth);

} // namespace sage::core
