// Routes derived from catalogue operations.
// SPDX-License-Identifier: MIT
#include "services/http/route.hpp"

#include "core/catalogue/catalogue.hpp"

#include <stdexcept>

namespace sage::services::http {
namespace {

using core::catalogue::interface_kind;
using core::catalogue::value_type;

/// The names in `{…}` of a pattern.
std::vector<std::string> path_names(const std::string& pattern) {
  std::vector<std::string> out;
  for (size_t open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1)) {
    auto close = pattern.find('}', open);
    out.push_back(pattern.substr(open + 1, close - open - 1));
  }
  return out;
}

/// The schema of a parameter read from text (path or query): a priority arrives as text and
/// the handler reads the level name or the number in it.
json text_value_schema(const core::catalogue::parameter& p) {
  auto s = core::catalogue::value_schema(p);
  s.erase("description");
  if (p.type == value_type::priority) s = {{"type", "string"}, {"minLength", 1}};
  return s;
}

} // namespace

route route_of(const core::catalogue::operation& op, handler handle) {
  if (!op.http) throw std::logic_error("the catalogue leaves " + op.name + " out of HTTP");
  const auto& b = *op.http;
  route r{.method = b.method,
          .pattern = b.pattern,
          .operation_id = op.name,
          .summary = op.summary,
          .tag = op.area,
          .body_required = b.body_required,
          .status = b.status,
          .answer = op.result,
          .open = b.open,
          .handle = std::move(handle)};
  auto in_path = path_names(b.pattern);
  for (const auto& name : in_path) {
    const auto* p = op.find(name);
    if (p == nullptr)
      throw std::logic_error("the pattern of " + op.name + " names an unknown parameter: " + name);
    r.parameters.push_back({p->name, true, text_value_schema(*p), p->description, true});
  }
  bool query = b.method == "GET" || b.method == "DELETE";
  if (query) {
    for (const auto* p : op.parameters_on(interface_kind::http)) {
      if (std::find(in_path.begin(), in_path.end(), p->name) != in_path.end()) continue;
      auto description = p->description;
      if (!p->default_value.is_null()) description += " (default " + p->default_value.dump() + ")";
      r.parameters.push_back(
          {p->name, false, text_value_schema(*p), std::move(description), p->required, p->aliases});
    }
  } else {
    auto body = core::catalogue::input_schema(op, interface_kind::http, in_path);
    if (!body["properties"].empty() || body.contains("required")) r.body = std::move(body);
  }
  return r;
}

} // namespace sage::services::http
