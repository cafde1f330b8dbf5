// The operation catalogue: every operation of the engine, declared once (docs/architecture.md,
// "The operation catalogue"), with bounds and defaults taken from the configuration where the
// configuration sets them. The CLI, the MCP tools and the HTTP routes are derived from it.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/catalogue/operation.hpp"

#include <string_view>
#include <vector>

namespace sage::core {
struct config;
} // namespace sage::core

namespace sage::core::catalogue {

class catalogue {
public:
  /// Every operation, with the bounds `cfg` sets (search limits, the default budget, the
  /// largest memory entry).
  explicit catalogue(const config& cfg);

  const std::vector<operation>& operations() const { return operations_; }
  const operation* find(std::string_view name) const;
  /// The operation named `name`; throws std::out_of_range for a name not declared (a
  /// programming error: front ends name operations in code).
  const operation& at(std::string_view name) const;

private:
  std::vector<operation> operations_;
};

/// The JSON Schema of one parameter's value (type, bounds, allowed values, default,
/// description).
json value_schema(const parameter& p);

/// The input schema of an operation on interface `i`: an object of the parameters `i` takes,
/// those that are required, and no others. `leave_out` names parameters taken elsewhere (HTTP
/// path parameters).
json input_schema(const operation& op, interface_kind i,
                  const std::vector<std::string>& leave_out = {});

/// The catalogue as `sage operations --json` prints it.
json to_json(const catalogue& c);
json to_json(const operation& op);

} // namespace sage::core::catalogue
