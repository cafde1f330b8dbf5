// Matching requests to routes and reading their parameters.
// SPDX-License-Identifier: MIT
#include "services/http/router.hpp"

#include "core/catalogue/schema_check.hpp"

#include "core/utf8_repair.hpp"

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

namespace sage::services::http {
namespace {

/// The path of a target without its query, with `/api/v1` read as `/v1`.
std::string_view canonical_path(std::string_view target) {
  auto path = target.substr(0, target.find('?'));
  if (path.starts_with("/api/v1/") || path == "/api/v1") path.remove_prefix(4);
  return path;
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

/// Whether `pattern` matches the raw `segments`; fills `values` with the decoded `{name}`s.
bool matches(std::string_view pattern, const std::vector<std::string_view>& segments,
             std::map<std::string, std::string>& values) {
  auto parts = split(pattern);
  if (parts.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].starts_with('{') && parts[i].ends_with('}')) {
      if (segments[i].empty()) return false;
      auto name = parts[i].substr(1, parts[i].size() - 2);
      found[std::string(name)] = httplib::detail::decode_url(std::string(segments[i]), false);
    } else if (parts[i] != segments[i]) {
      return false;
    }
  }
  values = std::move(found);
  return true;
}

core::error param_error(const std::string& name, const std::string& problem, const parameter& p) {
  auto hint = p.description.empty() ? std::string{} : "`" + name + "`: " + p.description;
  return bad_request("invalid parameter `" + name + "`: " + problem, hint);
}

/// One text value as the scalar type its schema names.
core::result<json> convert(const parameter& p, const std::string& text) {
  if (!core::is_valid_utf8(text)) return param_error(p.name, "not valid utf-8 text", p);
  auto type = p.schema.value("type", std::string("string"));
  if (type == "array") type = p.schema["items"].value("type", std::string("string"));
  if (type == "integer") {
    errno = 0;
    char* end = nullptr;
    auto v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE)
      return param_error(p.name, "expected an integer, got \"" + text + "\"", p);
    return json(static_cast<int64_t>(v));
  }
  if (type == "number") {
    char* end = nullptr;
    auto v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0')
      return param_error(p.name, "expected a number, got \"" + text + "\"", p);
    return json(v);
  }
  if (type == "boolean") {
    if (text == "true" || text == "1") return json(true);
    if (text == "false" || text == "0") return json(false);
    return param_error(p.name, "expected true or false, got \"" + text + "\"", p);
  }
  return json(text);
}

} // namespace

route_match router::find(std::string_view method, std::string_view target) const {
  route_match out;
  if (method == "HEAD") method = "GET";
  auto segments = split(canonical_path(target));
  std::set<std::string> allowed;
  for (const auto& r : table_.routes()) {
    std::map<std::string, std::string> values;
    if (!matches(r.pattern, segments, values)) continue;
    if (r.method == method) {
      out.found = &r;
      out.path_values = std::move(values);
      return out;
    }
    allowed.insert(r.method);
  }
  out.allowed.assign(allowed.begin(), allowed.end());
  return out;
}

std::vector<std::string> router::methods_at(std::string_view target) const {
  auto segments = split(canonical_path(target));
  std::set<std::string> methods;
  for (const auto& r : table_.routes()) {
    std::map<std::string, std::string> values;
    if (matches(r.pattern, segments, values)) methods.insert(r.method);
  }
  return {methods.begin(), methods.end()};
}

core::result<json> read_parameters(const route& r, const std::map<std::string, std::string>& path,
                                   const std::multimap<std::string, std::string>& query) {
  auto out = json::object();
  for (const auto& [name, value] : query) {
    auto known = std::any_of(r.parameters.begin(), r.parameters.end(),
                             [&](const parameter& p) { return !p.in_path && p.named(name); });
    if (known) continue;
    std::string names;
    for (const auto& p : r.parameters)
      if (!p.in_path) names += (names.empty() ? "" : ", ") + p.name;
    auto shown = core::is_valid_utf8(name) ? name : std::string("(not valid utf-8)");
    return bad_request("unknown query parameter `" + shown + "` for " + r.method + " " + r.pattern,
                       names.empty() ? "this route takes no query parameters"
                                     : "known parameters: " + names);
  }
  for (const auto& p : r.parameters) {
    json value;
    if (p.in_path) {
      auto it = path.find(p.name);
      if (it == path.end()) continue;
      auto v = convert(p, it->second);
      if (!v) return v.err();
      value = std::move(*v);
    } else {
      // the values given under the parameter's name or under one of its older names
      std::vector<std::string> given;
      std::set<std::string> names_used;
      for (const auto& [name, text] : query)
        if (p.named(name)) {
          given.push_back(text);
          names_used.insert(name);
        }
      std::string one_of;
      if (!p.aliases.empty()) {
        one_of = "pass exactly one of `" + p.name + "`";
        for (const auto& a : p.aliases)
          one_of += ", `" + a + "`";
      }
      if (given.empty()) {
        if (p.required)
          return param_error(p.name, one_of.empty() ? "missing" : "missing; " + one_of, p);
        continue;
      }
      if (names_used.size() > 1) return param_error(p.name, one_of, p);
      bool repeats = p.schema.value("type", std::string()) == "array";
      if (!repeats && given.size() > 1) return param_error(p.name, "given more than once", p);
      if (repeats) value = json::array();
      for (const auto& text : given) {
        auto v = convert(p, text);
        if (!v) return v.err();
        if (repeats)
          value.push_back(std::move(*v));
        else
          value = std::move(*v);
      }
    }
    if (auto problem = core::catalogue::check_against_schema(p.schema, value, p.name))
      return bad_request("invalid parameter: " + *problem,
                         p.description.empty() ? std::string{}
                                               : "`" + p.name + "`: " + p.description);
    out[p.name] = std::move(value);
  }
  return out;
}

} // namespace sage::services::http
