// The operation entry's lookups.
// SPDX-License-Identifier: MIT
#include "core/catalogue/operation.hpp"

#include <algorithm>

namespace sage::core::catalogue {

const char* to_string(interface_kind i) {
  switch (i) {
  case interface_kind::cli:
    return "cli";
  case interface_kind::mcp:
    return "mcp";
  case interface_kind::http:
    return "http";
  }
  return "unknown";
}

const char* to_string(value_type t) {
  switch (t) {
  case value_type::string:
    return "string";
  case value_type::integer:
    return "integer";
  case value_type::boolean:
    return "boolean";
  case value_type::strings:
    return "strings";
  case value_type::object:
    return "object";
  case value_type::priority:
    return "priority";
  }
  return "unknown";
}

std::string to_string(timeout_level level) {
  return "T" + std::to_string(static_cast<int>(level));
}

bool parameter::offered_on(interface_kind i) const {
  return std::find(left_out.begin(), left_out.end(), i) == left_out.end();
}

bool operation::offered_on(interface_kind i) const {
  switch (i) {
  case interface_kind::cli:
    return !cli_command.empty();
  case interface_kind::mcp:
    return mcp;
  case interface_kind::http:
    return http.has_value();
  }
  return false;
}

const std::string& operation::left_out_reason(interface_kind i) const {
  static const std::string none;
  if (offered_on(i)) return none;
  switch (i) {
  case interface_kind::cli:
    return cli_left_out;
  case interface_kind::mcp:
    return mcp_left_out;
  case interface_kind::http:
    return http_left_out;
  }
  return none;
}

const parameter* operation::find(std::string_view parameter_name) const {
  for (const auto& p : parameters)
    if (p.name == parameter_name) return &p;
  return nullptr;
}

std::vector<const parameter*> operation::parameters_on(interface_kind i) const {
  std::vector<const parameter*> out;
  for (const auto& p : parameters)
    if (p.offered_on(i)) out.push_back(&p);
  return out;
}

} // namespace sage::core::catalogue
