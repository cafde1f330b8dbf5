// The subset of JSON Schema that tool input and output schemas use, and a checker for it, so
// arguments are validated against exactly what `tools/list` advertises.
// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sage::core::catalogue {

/// Checks `value` against `schema`, supporting `type` (a name or a list of names), `enum`,
/// `minimum`, `maximum`, `minLength`, `maxLength`, `maxItems`, `items`, `properties`,
/// `required` and `additionalProperties: false`; other keywords are ignored. `where` names
/// the value in messages (an argument name, `tags[2]`); empty for the top level. Returns a
/// message for a model ("`limit` must be an integer, got a string"), or nothing when it fits.
/// Why a value does not fit its schema.
struct schema_problem {
  std::string message;
  /// A string over its `maxLength` or an array over its `maxItems`: the value is well formed
  /// but too large (HTTP answers 413, not 400).
  bool too_large = false;
};

/// `check_against_schema` with the kind of the first problem found.
std::optional<schema_problem> find_schema_problem(const nlohmann::json& schema,
                                                  const nlohmann::json& value,
                                                  const std::string& where = {});

std::optional<std::string> check_against_schema(const nlohmann::json& schema,
                                                const nlohmann::json& value,
                                                const std::string& where = {});

} // namespace sage::core::catalogue
