// Parsing and validation of single configuration values, and the messages when they are wrong.
// SPDX-License-Identifier: MIT
#include "core/config_schema.hpp"
#include "core/duration.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <filesystem>

namespace sage::core::config_detail {

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string last_part(const std::string& path) {
  auto dot = path.find_last_of('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

/// A key as the user of a source would write it: `SAGE_TIMEOUT__LAYER` for the environment.
std::string spelled(const origin& from, const std::string& key) {
  bool variable = from.kind == origin_kind::env || from.kind == origin_kind::dotenv;
  if (!variable || key.find('[') != std::string::npos) return "`" + key + "`";
  std::string name = "SAGE_";
  for (char c : key)
    name += c == '.' ? std::string{"__"} : std::string(1, c);
  return upper(name);
}

std::string hint_for(const value_site& site, const YAML::Node& node) {
  const auto& from = *site.from;
  std::string tail;
  if (!site.default_text.empty()) tail = " to use the default (" + site.default_text + ")";
  switch (from.kind) {
  case origin_kind::file: {
    std::string at;
    if (node.IsDefined() && node.Mark().line >= 0)
      at = " on line " + std::to_string(node.Mark().line + 1);
    return "fix the value" + at + " or remove the key" + tail;
  }
  case origin_kind::dotenv:
    return "fix the value or remove the line" + tail;
  case origin_kind::env:
    return "fix the value or unset " + from.name + tail;
  case origin_kind::flag:
    return "fix the value of " + from.name +
           (site.default_text.empty() ? "" : "; the default is " + site.default_text);
  case origin_kind::default_value:
    break;
  }
  return "this is a bug in the built-in defaults; please report it";
}

value_site sub_site(const value_site& site, std::string key) {
  value_site sub = site;
  sub.key = std::move(key);
  sub.default_text.clear();
  return sub;
}

bool escapes_root(const std::string& text) {
  std::filesystem::path p{text};
  if (p.is_absolute() || text.starts_with('/') || text.starts_with('\\')) return true;
  for (const auto& part : p)
    if (part == "..") return true;
  return false;
}

result<std::vector<std::string>> parse_string_list(const YAML::Node& node, const value_site& site,
                                                   std::string_view expected, bool kb_paths) {
  if (!node.IsSequence() || node.size() == 0)
    return invalid_value(site, node, expected, describe(node));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
    auto item_site = sub_site(site, site.key + "[" + std::to_string(i) + "]");
    if (!item.IsScalar() || item.Scalar().empty())
      return invalid_value(item_site, item, "a non-empty string", describe(item));
    if (kb_paths && escapes_root(item.Scalar()))
      return invalid_value(item_site, item, "a path relative to the knowledge base",
                           describe(item));
    out.push_back(item.Scalar());
  }
  return out;
}

/// Checks that a list item is a map with only `fields`, returning the unknown-key error if not.
std::optional<error> check_fields(const YAML::Node& item, const value_site& site,
                                  const std::vector<std::string>& fields,
                                  std::string_view expected) {
  if (!item.IsMap()) return invalid_value(site, item, expected, describe(item));
  std::vector<std::string> candidates;
  for (const auto& f : fields)
    candidates.push_back(site.key + "." + f);
  for (const auto& entry : item) {
    auto name = entry.first.as<std::string>("");
    if (std::find(fields.begin(), fields.end(), name) == fields.end())
      return unknown_key(*site.from, site.key + "." + name, candidates);
  }
  return std::nullopt;
}

} // namespace

void record(config& cfg, const value_site& site) {
  cfg.sources[site.key] = site.from->label;
  if (site.where_of != nullptr) (*site.where_of)[site.key] = site.from->where;
}

void forget(config& cfg, const value_site& site) {
  cfg.sources.erase(site.key);
  if (site.where_of != nullptr) site.where_of->erase(site.key);
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  auto text = node.Scalar();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return "\"" + text + "\"";
}

error invalid_value(const value_site& site, const YAML::Node& node, std::string_view expected,
                    std::string_view got) {
  return make_error(error_code::config,
                    "invalid value for " + site.key + " in " + site.from->where + ": expected " +
                        std::string{expected} + ", got " + std::string{got},
                    hint_for(site, node));
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  auto w = lower(std::string{word});
  std::optional<std::string> best;
  std::size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    auto lc = lower(c);
    auto d = edit_distance(w, lc);
    bool prefix = w.size() >= 3 && (lc.starts_with(w) || w.starts_with(lc));
    if (prefix) d = std::min<std::size_t>(d, 1);
    if (d < best_distance && d <= std::max<std::size_t>(1, w.size() / 3)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

error unknown_key(const origin& from, const std::string& key,
                  const std::vector<std::string>& candidates) {
  std::vector<std::string> names;
  for (const auto& c : candidates)
    names.push_back(last_part(c));
  std::string hint;
  if (auto guess = closest(last_part(key), names)) {
    auto it = std::find(names.begin(), names.end(), *guess);
    hint = "did you mean " + spelled(from, candidates[it - names.begin()]) + "?";
  } else if (!candidates.empty()) {
    hint = "remove it; valid keys here are";
    for (std::size_t i = 0; i < names.size(); ++i)
      hint += (i == 0 ? " " : ", ") + names[i];
  } else {
    hint = "remove it; run `sage config show` to list the valid keys";
  }
  return make_error(error_code::config, "unknown key " + key + " in " + from.where, hint);
}

result<int> parse_integer(const YAML::Node& node, const value_site& site, int min, int max) {
  std::string expected =
      max == INT_MAX ? "an integer of at least " + std::to_string(min)
                     : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!node.IsScalar()) return invalid_value(site, node, expected, describe(node));
  const auto& text = node.Scalar();
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return invalid_value(site, node, expected, describe(node));
  return static_cast<int>(value);
}

result<double> parse_number(const YAML::Node& node, const value_site& site, double min,
                            double max) {
  std::string expected = std::isinf(max)
                             ? "a number of at least " + format_number(min)
                             : "a number from " + format_number(min) + " to " + format_number(max);
  if (!node.IsScalar()) return invalid_value(site, node, expected, describe(node));
  const auto& text = node.Scalar();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) ||
      value < min || value > max)
    return invalid_value(site, node, expected, describe(node));
  return value;
}

result<bool> parse_boolean(const YAML::Node& node, const value_site& site) {
  static constexpr std::string_view expected = "true or false (also yes/no, on/off, 1/0)";
  if (!node.IsScalar()) return invalid_value(site, node, expected, describe(node));
  auto text = lower(node.Scalar());
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  return invalid_value(site, node, expected, describe(node));
}

result<std::string> parse_text(const YAML::Node& node, const value_site& site, bool allow_empty) {
  std::string_view expected = allow_empty ? "a string" : "a non-empty string";
  if (node.IsNull() && allow_empty) return std::string{};
  if (!node.IsScalar() || (!allow_empty && node.Scalar().empty()))
    return invalid_value(site, node, expected, describe(node));
  return node.Scalar();
}

result<std::string> parse_path(const YAML::Node& node, const value_site& site, bool allow_empty) {
  std::string_view expected = allow_empty ? "a path" : "a non-empty path";
  if (node.IsNull() && allow_empty) return std::string{};
  if (!node.IsScalar() || (!allow_empty && node.Scalar().empty()))
    return invalid_value(site, node, expected, describe(node));
  auto text = expand_home(node.Scalar(), site.home);
  if (text.empty() || site.from->base_dir.empty() || std::filesystem::path{text}.is_absolute())
    return text;
  return (std::filesystem::path{site.from->base_dir} / text).lexically_normal().string();
}

result<std::string> parse_choice(const YAML::Node& node, const value_site& site,
                                 const std::vector<std::string>& choices, bool upper_case) {
  std::string expected = "one of";
  for (std::size_t i = 0; i < choices.size(); ++i)
    expected += (i == 0 ? " " : ", ") + choices[i];
  if (!node.IsScalar()) return invalid_value(site, node, expected, describe(node));
  auto text = upper_case ? upper(node.Scalar()) : lower(node.Scalar());
  if (std::find(choices.begin(), choices.end(), text) == choices.end())
    return invalid_value(site, node, expected, describe(node));
  return text;
}

result<std::chrono::milliseconds> parse_positive_duration(const YAML::Node& node,
                                                          const value_site& site,
                                                          std::chrono::milliseconds max) {
  static constexpr std::string_view expected = "a duration like 250ms or 2s";
  const std::string at_most = "a duration of at most " + format_duration(max);
  if (!node.IsScalar()) return invalid_value(site, node, expected, describe(node));
  auto value = parse_duration(node.Scalar());
  if (!value)
    return invalid_value(site, node, is_too_long(value.err()) ? at_most : expected, describe(node));
  if (value->count() == 0)
    return invalid_value(site, node, "a duration greater than zero", describe(node));
  if (*value > max) return invalid_value(site, node, at_most, describe(node));
  return *value;
}

result<std::vector<layer_config>> parse_layers(const YAML::Node& node, const value_site& site) {
  static constexpr std::string_view expected_item = "a map with name, folder, priority and always";
  if (!node.IsSequence() || node.size() == 0)
    return invalid_value(site, node, "a non-empty list of layers (maps with name and folder)",
                         describe(node));
  std::vector<layer_config> layers;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
    auto item_site = sub_site(site, site.key + "[" + std::to_string(i) + "]");
    if (auto bad =
            check_fields(item, item_site, {"name", "folder", "priority", "always"}, expected_item))
      return *bad;
    if (!item["name"] || !item["folder"])
      return invalid_value(item_site, item, "a layer with a name and a folder",
                           std::string{"a map without "} + (item["name"] ? "folder" : "name"));
    layer_config layer;
    auto name = parse_text(item["name"], sub_site(item_site, item_site.key + ".name"), false);
    if (!name) return name.err();
    layer.name = *name;
    auto folder_site = sub_site(item_site, item_site.key + ".folder");
    auto folder = parse_text(item["folder"], folder_site, false);
    if (!folder) return folder.err();
    if (escapes_root(*folder))
      return invalid_value(folder_site, item["folder"], "a folder relative to the knowledge base",
                           describe(item["folder"]));
    layer.folder = *folder;
    layer.priority = static_cast<int>(i);
    if (item["priority"]) {
      auto priority = parse_integer(item["priority"],
                                    sub_site(item_site, item_site.key + ".priority"), 0, INT_MAX);
      if (!priority) return priority.err();
      layer.priority = *priority;
    }
    if (item["always"]) {
      auto always = parse_boolean(item["always"], sub_site(item_site, item_site.key + ".always"));
      if (!always) return always.err();
      layer.always = *always;
    }
    for (const auto& other : layers)
      if (lower(other.name) == lower(layer.name))
        return invalid_value(sub_site(item_site, item_site.key + ".name"), item["name"],
                             "a layer name used only once", describe(item["name"]));
    layers.push_back(std::move(layer));
  }
  return layers;
}

result<std::vector<trigger_config>> parse_triggers(const YAML::Node& node, const value_site& site) {
  static constexpr std::string_view expected_item =
      "a map with name, keywords, targets and priority";
  if (node.IsNull()) return std::vector<trigger_config>{};
  if (!node.IsSequence())
    return invalid_value(site, node, "a list of triggers (maps with name, keywords, targets)",
                         describe(node));
  std::vector<trigger_config> triggers;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
    auto item_site = sub_site(site, site.key + "[" + std::to_string(i) + "]");
    if (auto bad = check_fields(item, item_site, {"name", "keywords", "targets", "priority"},
                                expected_item))
      return *bad;
    for (const char* required : {"name", "keywords", "targets"})
      if (!item[required])
        return invalid_value(item_site, item, "a trigger with a name, keywords and targets",
                             std::string{"a map without "} + required);
    trigger_config trigger;
    auto name_site = sub_site(item_site, item_site.key + ".name");
    auto name = parse_text(item["name"], name_site, false);
    if (!name) return name.err();
    for (const auto& other : triggers)
      if (other.name == *name)
        return invalid_value(name_site, item["name"], "a trigger name used only once",
                             describe(item["name"]));
    trigger.name = *name;
    auto keywords =
        parse_string_list(item["keywords"], sub_site(item_site, item_site.key + ".keywords"),
                          "a non-empty list of keywords", false);
    if (!keywords) return keywords.err();
    trigger.keywords = std::move(*keywords);
    auto targets =
        parse_string_list(item["targets"], sub_site(item_site, item_site.key + ".targets"),
                          "a non-empty list of files or folders in the knowledge base", true);
    if (!targets) return targets.err();
    trigger.targets = std::move(*targets);
    if (item["priority"]) {
      auto priority = parse_integer(item["priority"],
                                    sub_site(item_site, item_site.key + ".priority"), 0, INT_MAX);
      if (!priority) return priority.err();
      trigger.priority = *priority;
    }
    triggers.push_back(std::move(trigger));
  }
  return triggers;
}

result<std::vector<std::string>> parse_host_names(const YAML::Node& node, const value_site& site) {
  static constexpr std::string_view expected = "a list of host names such as [\"sage.internal\"]";
  if (node.IsNull() || (node.IsScalar() && node.Scalar().empty()))
    return std::vector<std::string>{};
  if (!node.IsSequence()) return invalid_value(site, node, expected, describe(node));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
    auto item_site = sub_site(site, site.key + "[" + std::to_string(i) + "]");
    static constexpr std::string_view name =
        "a host name or address without port: letters, digits, `-`, `.` and `_`";
    if (!item.IsScalar()) return invalid_value(item_site, item, name, describe(item));
    auto text = lower(item.Scalar());
    bool ok = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
    if (!ok) return invalid_value(item_site, item, name, describe(item));
    out.push_back(text);
  }
  return out;
}

result<std::vector<std::string>> parse_origins(const YAML::Node& node, const value_site& site) {
  static constexpr std::string_view expected =
      "a list of origins such as [\"https://dash.example.com\"], or [\"*\"]";
  if (node.IsNull() || (node.IsScalar() && node.Scalar().empty()))
    return std::vector<std::string>{};
  if (!node.IsSequence()) return invalid_value(site, node, expected, describe(node));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& item = node[i];
    auto item_site = sub_site(site, site.key + "[" + std::to_string(i) + "]");
    static constexpr std::string_view origin =
        "`*` or an origin: http:// or https://, a host and an optional port, no path";
    if (!item.IsScalar()) return invalid_value(item_site, item, origin, describe(item));
    const auto& text = item.Scalar();
    if (text != "*") {
      auto scheme = text.find("://");
      auto name = scheme == std::string::npos ? std::string{} : lower(text.substr(0, scheme));
      auto authority = scheme == std::string::npos ? std::string{} : text.substr(scheme + 3);
      bool ok = (name == "http" || name == "https") && !authority.empty() &&
                authority.find_first_of("/?#@ \t") == std::string::npos;
      if (!ok) return invalid_value(item_site, item, origin, describe(item));
    }
    out.push_back(text);
  }
  return out;
}

std::string expand_home(const std::string& path, const std::string& home) {
  if (home.empty() || path.empty() || path[0] != '~') return path;
  if (path.size() == 1) return home;
  if (path[1] != '/') return path; // `~user` is not expanded
  auto base = home;
  while (base.size() > 1 && base.back() == '/')
    base.pop_back();
  return base + path.substr(1);
}

std::string format_number(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc{} ? end : buffer);
}

} // namespace sage::core::config_detail
