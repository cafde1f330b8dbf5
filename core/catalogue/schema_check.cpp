// Checks JSON values against the JSON Schema subset of the tool schemas.
// SPDX-License-Identifier: MIT
#include "core/catalogue/schema_check.hpp"

#include <cmath>

namespace sage::core::catalogue {
namespace {

using json = nlohmann::json;

bool is_integer(const json& v) {
  if (v.is_number_integer()) return true;
  return v.is_number_float() && std::isfinite(v.get<double>()) &&
         v.get<double>() == std::floor(v.get<double>());
}

bool has_type(const json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return is_integer(v);
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  return true;
}

std::string with_article(const std::string& type) {
  if (type == "array" || type == "object" || type == "integer") return "an " + type;
  if (type == "null") return "null";
  return "a " + type;
}

/// "a string (\"ten\")", "an array", "a number (2.5)": what was given, briefly.
std::string describe(const json& v) {
  std::string type = v.is_number_integer() ? "integer" : v.type_name();
  std::string out = with_article(type);
  if (v.is_primitive() && !v.is_null()) {
    auto text = v.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    out += " (" + text + ")";
  }
  return out;
}

std::string name_of(const std::string& where) {
  return where.empty() ? "the arguments" : "`" + where + "`";
}

std::string child(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

std::optional<std::string> check_type(const json& schema, const json& value,
                                      const std::string& where) {
  if (!schema.contains("type")) return std::nullopt;
  const auto& t = schema["type"];
  std::vector<std::string> types;
  if (t.is_string()) types.push_back(t.get<std::string>());
  if (t.is_array())
    for (const auto& x : t)
      if (x.is_string()) types.push_back(x.get<std::string>());
  for (const auto& type : types)
    if (has_type(value, type)) return std::nullopt;
  std::string expected;
  for (size_t i = 0; i < types.size(); ++i)
    expected += (i == 0 ? "" : (i + 1 == types.size() ? " or " : ", ")) + with_article(types[i]);
  return name_of(where) + " must be " + expected + ", got " + describe(value);
}

std::optional<schema_problem> check_object(const json& schema, const json& value,
                                           const std::string& where) {
  const auto props = schema.value("properties", json::object());
  for (const auto& r : schema.value("required", json::array())) {
    if (!r.is_string() || value.contains(r.get<std::string>())) continue;
    auto key = r.get<std::string>();
    std::string msg = "missing required argument `" + child(where, key) + "`";
    if (props.contains(key) && props[key].contains("description"))
      msg += " (" + props[key]["description"].get<std::string>() + ")";
    return schema_problem{msg};
  }
  for (const auto& [key, v] : value.items()) {
    if (props.contains(key)) {
      if (auto err = find_schema_problem(props[key], v, child(where, key))) return err;
    } else if (schema.contains("additionalProperties") && schema["additionalProperties"] == false) {
      std::string known;
      for (const auto& [k, _] : props.items())
        known += (known.empty() ? "`" : ", `") + k + "`";
      return schema_problem{"unknown argument `" + child(where, key) + "`; " +
                            (known.empty() ? std::string("this takes no arguments")
                                           : "the accepted arguments are " + known)};
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<schema_problem> find_schema_problem(const json& schema, const json& value,
                                                  const std::string& where) {
  if (!schema.is_object()) return std::nullopt;
  if (auto err = check_type(schema, value, where)) return schema_problem{*err};
  if (schema.contains("enum")) {
    bool found = false;
    std::string names;
    for (const auto& e : schema["enum"]) {
      found = found || e == value;
      names += (names.empty() ? "" : ", ") + e.dump();
    }
    if (!found)
      return schema_problem{name_of(where) + " must be one of " + names + ", got " +
                            describe(value)};
  }
  if (value.is_number()) {
    double x = value.get<double>();
    auto range = [&]() {
      std::string r;
      if (schema.contains("minimum")) r += " at least " + schema["minimum"].dump();
      if (schema.contains("maximum"))
        r += std::string(r.empty() ? "" : " and") + " at most " + schema["maximum"].dump();
      return schema_problem{name_of(where) + " must be" + r + ", got " + value.dump()};
    };
    if (schema.contains("minimum") && x < schema["minimum"].get<double>()) return range();
    if (schema.contains("maximum") && x > schema["maximum"].get<double>()) return range();
  }
  if (value.is_string()) {
    auto size = value.get_ref<const std::string&>().size();
    if (schema.contains("minLength") && size < schema["minLength"].get<size_t>())
      return schema_problem{
          name_of(where) +
          (schema["minLength"] == 1
               ? " must not be empty"
               : " must have at least " + schema["minLength"].dump() + " characters")};
    if (schema.contains("maxLength") && size > schema["maxLength"].get<size_t>())
      return schema_problem{name_of(where) + " is too long: " + std::to_string(size) +
                                " bytes, at most " + schema["maxLength"].dump(),
                            true};
  }
  if (value.is_array()) {
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>())
      return schema_problem{name_of(where) + " has " + std::to_string(value.size()) +
                                " items, at most " + schema["maxItems"].dump() + " are accepted",
                            true};
    if (schema.contains("items"))
      for (size_t i = 0; i < value.size(); ++i)
        if (auto err = find_schema_problem(schema["items"], value[i],
                                           where + "[" + std::to_string(i) + "]"))
          return err;
  }
  if (value.is_object()) return check_object(schema, value, where);
  return std::nullopt;
}

std::optional<std::string> check_against_schema(const json& schema, const json& value,
                                                const std::string& where) {
  auto problem = find_schema_problem(schema, value, where);
  if (!problem) return std::nullopt;
  return std::move(problem->message);
}

} // namespace sage::core::catalogue
