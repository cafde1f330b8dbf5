// JSON Schema fragments of parameters and results, and reading arguments that were already
// checked against such a schema. Shared by every interface derived from the catalogue.
// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sage::core::catalogue {

using json = nlohmann::json;

// -- schema fragments ---------------------------------------------------------------------------

inline json string_prop(std::string description, size_t min_length = 0) {
  json p{{"type", "string"}, {"description", std::move(description)}};
  if (min_length > 0) p["minLength"] = min_length;
  return p;
}

/// A string of at most `max_bytes` bytes (JSON Schema counts characters; the checker and the
/// limits it states count bytes of UTF-8).
inline json text_prop(std::string description, size_t max_bytes, size_t min_length = 0) {
  auto p = string_prop(std::move(description), min_length);
  p["maxLength"] = max_bytes;
  return p;
}

inline json integer_prop(std::string description, int64_t minimum, int64_t maximum) {
  return {{"type", "integer"},
          {"description", std::move(description)},
          {"minimum", minimum},
          {"maximum", maximum}};
}

inline json boolean_prop(std::string description) {
  return {{"type", "boolean"}, {"description", std::move(description)}};
}

inline json strings_prop(std::string description, size_t max_items = 100) {
  return {{"type", "array"},
          {"description", std::move(description)},
          {"items", {{"type", "string"}}},
          {"maxItems", max_items}};
}

/// At most `max_items` strings of at most `max_item_bytes` bytes each.
inline json texts_prop(std::string description, size_t max_items, size_t max_item_bytes) {
  auto p = strings_prop(std::move(description), max_items);
  p["items"]["maxLength"] = max_item_bytes;
  return p;
}

inline json enum_prop(std::string description, std::vector<std::string> values) {
  return {{"type", "string"}, {"description", std::move(description)}, {"enum", values}};
}

/// An input schema: the properties, which are required, and no others.
inline json input_schema(json properties, std::vector<std::string> required = {}) {
  json s{
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

/// An output schema: the properties and which are always present.
inline json output_schema(json properties, std::vector<std::string> required) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", required}};
}

// -- arguments (already checked against the input schema) ---------------------------------------

inline std::string str(const json& args, const char* key, std::string fallback = {}) {
  return args.contains(key) ? args[key].get<std::string>() : fallback;
}

inline std::optional<std::string> opt_str(const json& args, const char* key) {
  if (!args.contains(key)) return std::nullopt;
  return args[key].get<std::string>();
}

inline int64_t integer(const json& args, const char* key, int64_t fallback) {
  if (!args.contains(key)) return fallback;
  return args[key].is_number_float() ? static_cast<int64_t>(args[key].get<double>())
                                     : args[key].get<int64_t>();
}

inline std::vector<std::string> strings(const json& args, const char* key) {
  if (!args.contains(key)) return {};
  return args[key].get<std::vector<std::string>>();
}

} // namespace sage::core::catalogue
