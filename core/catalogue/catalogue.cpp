// The catalogue: the declarations gathered, checked, and written as JSON Schema and JSON.
// SPDX-License-Identifier: MIT
#include "core/catalogue/catalogue.hpp"

#include "core/catalogue/declare.hpp"
#include "core/config.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace sage::core::catalogue {
namespace {

/// Declarations are code: a duplicate name or an alias that shadows another parameter is a
/// programming error, found by the first test that builds a catalogue.
void check(const std::vector<operation>& ops) {
  std::set<std::string> names;
  for (const auto& op : ops) {
    if (!names.insert(op.name).second)
      throw std::logic_error("operation declared twice: " + op.name);
    std::set<std::string> params;
    for (const auto& p : op.parameters) {
      if (!params.insert(p.name).second)
        throw std::logic_error("parameter declared twice: " + op.name + "." + p.name);
      for (const auto& a : p.aliases)
        if (!params.insert(a).second)
          throw std::logic_error("alias shadows a parameter: " + op.name + "." + a);
    }
    for (auto i : all_interfaces)
      if (!op.offered_on(i) && op.left_out_reason(i).empty())
        throw std::logic_error(std::string("operation left out of ") + to_string(i) +
                               " without a reason: " + op.name);
  }
}

} // namespace

catalogue::catalogue(const config& cfg) {
  declare_knowledge(operations_, cfg);
  declare_memory(operations_, cfg);
  declare_sessions(operations_, cfg);
  declare_budget(operations_, cfg);
  declare_system(operations_, cfg);
  for (auto& op : operations_)
    if (op.description.empty()) op.description = op.summary;
  check(operations_);
}

const operation* catalogue::find(std::string_view name) const {
  for (const auto& op : operations_)
    if (op.name == name) return &op;
  return nullptr;
}

const operation& catalogue::at(std::string_view name) const {
  if (const auto* op = find(name)) return *op;
  throw std::out_of_range("no operation named " + std::string(name) + " in the catalogue");
}

json value_schema(const parameter& p) {
  json s;
  switch (p.type) {
  case value_type::string:
    s["type"] = "string";
    if (p.min_length > 0) s["minLength"] = p.min_length;
    if (p.max_length > 0) s["maxLength"] = p.max_length;
    if (!p.values.empty()) s["enum"] = p.values;
    break;
  case value_type::integer:
    s["type"] = "integer";
    if (p.minimum) s["minimum"] = *p.minimum;
    if (p.maximum) s["maximum"] = *p.maximum;
    break;
  case value_type::boolean:
    s["type"] = "boolean";
    break;
  case value_type::strings: {
    json item{{"type", "string"}};
    if (p.min_length > 0) item["minLength"] = p.min_length;
    if (p.max_length > 0) item["maxLength"] = p.max_length;
    s["type"] = "array";
    s["items"] = std::move(item);
    if (p.max_items > 0) s["maxItems"] = p.max_items;
    break;
  }
  case value_type::object:
    s["type"] = "object";
    break;
  case value_type::priority:
    s["type"] = {"string", "integer"};
    break;
  }
  s["description"] = p.description;
  if (!p.default_value.is_null()) s["default"] = p.default_value;
  return s;
}

json input_schema(const operation& op, interface_kind i,
                  const std::vector<std::string>& leave_out) {
  auto properties = json::object();
  std::vector<std::string> required;
  for (const auto* p : op.parameters_on(i)) {
    if (std::find(leave_out.begin(), leave_out.end(), p->name) != leave_out.end()) continue;
    properties[p->name] = value_schema(*p);
    if (i == interface_kind::mcp && !p->mcp_default.is_null())
      properties[p->name]["default"] = p->mcp_default;
    if (p->required) required.push_back(p->name);
  }
  json s{
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

json to_json(const operation& op) {
  auto params = json::array();
  for (const auto& p : op.parameters) {
    json j{{"name", p.name},
           {"type", to_string(p.type)},
           {"required", p.required},
           {"description", p.description},
           {"schema", value_schema(p)}};
    if (!p.default_value.is_null()) j["default"] = p.default_value;
    if (!p.configured_by.empty()) j["configured_by"] = p.configured_by;
    if (!p.mcp_default.is_null())
      j["mcp_default"] = {{"value", p.mcp_default}, {"reason", p.mcp_default_reason}};
    if (!p.aliases.empty()) j["aliases"] = p.aliases;
    if (!p.left_out.empty()) {
      auto out = json::array();
      for (auto i : p.left_out)
        out.push_back(to_string(i));
      j["left_out"] = {{"interfaces", std::move(out)}, {"reason", p.left_out_reason}};
    }
    params.push_back(std::move(j));
  }
  auto interfaces = json::object();
  for (auto i : all_interfaces) {
    json binding{{"offered", op.offered_on(i)}};
    if (!op.offered_on(i)) binding["reason"] = op.left_out_reason(i);
    interfaces[to_string(i)] = std::move(binding);
  }
  if (op.offered_on(interface_kind::cli)) interfaces["cli"]["command"] = "sage " + op.cli_command;
  if (op.mcp) interfaces["mcp"]["tool"] = op.name;
  if (op.http) {
    interfaces["http"]["method"] = op.http->method;
    interfaces["http"]["path"] = op.http->pattern;
  }
  return {{"name", op.name},
          {"area", op.area},
          {"summary", op.summary},
          {"parameters", std::move(params)},
          {"timeout", to_string(op.timeout)},
          {"read_only", op.read_only},
          {"idempotent", op.idempotent},
          {"destructive", op.destructive},
          {"interfaces", std::move(interfaces)},
          {"result", op.result}};
}

json to_json(const catalogue& c) {
  auto ops = json::array();
  for (const auto& op : c.operations())
    ops.push_back(to_json(op));
  return {{"operations", std::move(ops)}, {"count", c.operations().size()}};
}

} // namespace sage::core::catalogue
