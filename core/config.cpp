// Loading the configuration: merging sources in order, checking them, showing the result.
// SPDX-License-Identifier: MIT
#include "core/config.hpp"

#include "core/config_schema.hpp"
#include "core/config_sources.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace sage::core {

namespace {

using namespace config_detail;
using ordered_json = nlohmann::ordered_json;

constexpr const char* redacted = "<redacted>";

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string parent_of(const std::string& key) {
  auto dot = key.find_last_of('.');
  return dot == std::string::npos ? std::string{} : key.substr(0, dot);
}

std::string last_of(const std::string& key) {
  auto dot = key.find_last_of('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

/// Applies the sources of one `config_inputs` in order to a configuration.
class loader {
public:
  explicit loader(const config_inputs& in) : in_(in), defaults_(default_config(in.env)) {
    cfg_ = defaults_;
    if (auto it = in.env.find("HOME"); it != in.env.end()) home_ = it->second;
    for (const auto& [key, source] : cfg_.sources)
      where_of_[key] = "the built-in defaults";
  }

  result<config> run() {
    for (const auto& file : in_.files)
      if (auto bad = apply_file(file, {})) return *bad;
    std::vector<dotenv_entry> dotenv;
    if (in_.dotenv_file) {
      auto entries = read_dotenv_file(*in_.dotenv_file);
      if (!entries) return entries.err();
      if (*entries) dotenv = std::move(**entries);
    }
    if (auto path = config_path(dotenv))
      if (auto bad = apply_file(*path, "SAGE_CONFIG_PATH")) return *bad;
    if (in_.explicit_file)
      if (auto bad = apply_file(*in_.explicit_file, "--config")) return *bad;
    // The real environment overrides `.env`: its entries for variables that are set are unused.
    std::erase_if(dotenv, [&](const dotenv_entry& e) { return in_.env.contains(e.name); });
    std::vector<dotenv_entry> env;
    for (const auto& [name, value] : in_.env)
      env.push_back({name, value, 0});
    if (auto bad = apply_variables(dotenv, origin_kind::dotenv)) return *bad;
    if (auto bad = apply_variables(env, origin_kind::env)) return *bad;
    for (const auto& [key, value] : in_.flags)
      if (auto bad = apply_setting(key, value, flag_origin(key))) return *bad;
    if (auto bad = cross_check()) return *bad;
    return std::move(cfg_);
  }

private:
  std::optional<std::string> config_path(const std::vector<dotenv_entry>& dotenv) const {
    if (auto it = in_.env.find("SAGE_CONFIG_PATH"); it != in_.env.end())
      return it->second.empty() ? std::nullopt : std::optional{it->second};
    for (auto it = dotenv.rbegin(); it != dotenv.rend(); ++it)
      if (it->name == "SAGE_CONFIG_PATH" && !it->value.empty()) return it->value;
    return std::nullopt;
  }

  origin flag_origin(const std::string& key) const {
    std::string name = key == "knowledge.path" ? "--kb" : "--" + key;
    if (auto it = in_.flag_names.find(key); it != in_.flag_names.end()) name = it->second;
    return {origin_kind::flag, "flag " + name, "flag " + name, name, {}};
  }

  value_site site_for(const std::string& key, const origin& from) {
    value_site site{key, &from, home_, {}, &where_of_};
    const auto* spec = find_key(key);
    if (spec == nullptr || spec->kind != value_kind::scalar) return site;
    auto value = spec->get(defaults_);
    if (value.is_string())
      site.default_text = value.get<std::string>().empty() ? "\"\"" : value.get<std::string>();
    else if (value.is_number_float())
      site.default_text = format_number(value.get<double>());
    else
      site.default_text = value.dump();
    return site;
  }

  /// Applies a YAML file. A file named explicitly (`named_by` is `--config` or
  /// `SAGE_CONFIG_PATH`) must exist; the standard locations are optional.
  std::optional<error> apply_file(const std::string& path, const std::string& named_by) {
    auto node = read_yaml_file(path);
    if (!node) return node.err();
    if (!*node) {
      if (named_by.empty()) return std::nullopt;
      return make_error(error_code::config,
                        "config file " + path + " given by " + named_by + " does not exist",
                        "check the path given by " + named_by);
    }
    auto base = std::filesystem::path{path}.parent_path().string();
    origin from{origin_kind::file, path, path, {}, base};
    const auto& root = **node;
    if (!root.IsNull() && !root.IsMap())
      return make_error(
          error_code::config,
          "failed to load config file " + path +
              ": expected a map of sections such as `timeout:` at the top level, got " +
              describe(root),
          "see config/sage.yaml for the layout of the file");
    return apply_tree(root, "", from);
  }

  std::optional<error> apply_tree(const YAML::Node& node, const std::string& prefix,
                                  const origin& from) {
    if (node.IsNull()) return std::nullopt;
    if (!node.IsMap()) {
      std::string keys;
      for (const auto& child : children_of(prefix))
        keys += (keys.empty() ? "" : ", ") + child;
      return invalid_value(site_for(prefix, from), node, "a map with the keys " + keys,
                           describe(node));
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
      auto name = entry.first.as<std::string>("");
      auto path = prefix.empty() ? name : prefix + "." + name;
      if (!seen.insert(name).second)
        return make_error(error_code::config, "duplicate key " + path + " in " + from.where,
                          "keep one of them; only one value can apply");
      if (const auto* spec = find_key(path)) {
        if (auto bad = spec->set(cfg_, entry.second, site_for(path, from))) return bad;
      } else if (is_section(path)) {
        if (auto bad = apply_tree(entry.second, path, from)) return bad;
      } else {
        return unknown(from, path);
      }
    }
    return std::nullopt;
  }

  /// The unknown-key error for `path`, suggesting a sibling or, failing that, a key of the same
  /// name elsewhere (`search.layer` -> `timeout.layer`).
  static error unknown(const origin& from, const std::string& path) {
    auto section = parent_of(path);
    while (!section.empty() && !is_section(section))
      section = parent_of(section);
    std::vector<std::string> siblings;
    std::vector<std::string> names;
    for (const auto& child : children_of(section)) {
      siblings.push_back(section.empty() ? child : section + "." + child);
      names.push_back(child);
    }
    if (!closest(last_of(path), names)) {
      for (const auto& other : all_paths()) {
        if (find_key(other) != nullptr && lower(last_of(other)) == lower(last_of(path)))
          return unknown_key(from, path, {other});
      }
    }
    return unknown_key(from, path, siblings);
  }

  std::optional<error> apply_setting(const std::string& key, const std::string& value,
                                     const origin& from) {
    if (const auto* spec = find_key(key)) {
      auto site = site_for(key, from);
      if (spec->kind == value_kind::scalar) return spec->set(cfg_, YAML::Node(value), site);
      std::string_view expected = spec->kind == value_kind::list
                                      ? "a YAML list such as [{name: x, ...}]"
                                      : "a YAML map such as {py: PYTHON}";
      YAML::Node node;
      try {
        node = YAML::Load(value);
      } catch (const YAML::Exception&) {
        return invalid_value(site, YAML::Node(value), expected, describe(YAML::Node(value)));
      }
      return spec->set(cfg_, node, site);
    }
    auto parent = parent_of(key);
    if (const auto* spec = find_key(parent); spec != nullptr && spec->kind == value_kind::map)
      return spec->set_entry(cfg_, last_of(key), YAML::Node(value), site_for(parent, from));
    if (is_section(key)) {
      std::string keys;
      for (const auto& child : children_of(key))
        keys += (keys.empty() ? "" : ", ") + key + "." + child;
      return make_error(error_code::config,
                        "invalid key " + key + " in " + from.where + ": it is a section, not a key",
                        "set one of its keys instead: " + keys);
    }
    return unknown(from, key);
  }

  std::optional<error> apply_variables(const std::vector<dotenv_entry>& entries, origin_kind kind) {
    // Named variables (`SAGE_KB_PATH`) first, so the generic spelling of the same key wins.
    for (bool generic : {false, true}) {
      for (const auto& e : entries) {
        auto key = key_for_variable(e.name);
        if (!key || (e.name.find("__") != std::string::npos) != generic) continue;
        origin from =
            kind == origin_kind::env
                ? origin{kind, "env " + e.name, "environment variable " + e.name, e.name, {}}
                : origin{kind,
                         ".env",
                         *in_.dotenv_file + " line " + std::to_string(e.line),
                         e.name,
                         {}};
        if (auto bad = apply_setting(*key, e.value, from)) return bad;
      }
    }
    return std::nullopt;
  }

  std::optional<error> cross_check() {
    if (cfg_.search.default_limit > cfg_.search.max_limit) {
      bool blame_max = cfg_.sources["search.default_limit"] == "default";
      auto key = blame_max ? "search.max_limit" : "search.default_limit";
      auto expected =
          blame_max
              ? "at least search.default_limit (" + std::to_string(cfg_.search.default_limit) + ")"
              : "at most search.max_limit (" + std::to_string(cfg_.search.max_limit) + ")";
      auto got = blame_max ? cfg_.search.max_limit : cfg_.search.default_limit;
      return make_error(error_code::config,
                        std::string{"invalid value for "} + key + " in " + where_of_[key] +
                            ": expected " + expected + ", got \"" + std::to_string(got) + "\"",
                        "make search.default_limit at most search.max_limit");
    }
    if (auto bad = check_budget()) return bad;
    if (auto bad = check_server()) return bad;
    std::string layer_names;
    for (const auto& layer : cfg_.layers)
      layer_names += (layer_names.empty() ? "" : ", ") + layer.name;
    for (auto it = cfg_.layer_aliases.begin(); it != cfg_.layer_aliases.end();) {
      auto target = lower(it->second);
      bool known = std::any_of(cfg_.layers.begin(), cfg_.layers.end(),
                               [&](const layer_config& l) { return lower(l.name) == target; });
      auto key = "knowledge.layer_aliases." + it->first;
      if (known) {
        ++it;
      } else if (cfg_.sources[key] == "default") {
        // A default alias whose layer the user's own layer list dropped: not the user's mistake.
        cfg_.sources.erase(key);
        it = cfg_.layer_aliases.erase(it);
      } else {
        return make_error(error_code::config,
                          "invalid value for " + key + " in " + where_of_[key] +
                              ": expected the name of a layer (" + layer_names + "), got \"" +
                              it->second + "\"",
                          "name a layer of knowledge.layers, or remove the alias");
      }
    }
    return std::nullopt;
  }

  /// `invalid value for KEY in WHERE: expected EXPECTED, got "GOT"` for a value that is fine
  /// alone but not beside another key.
  error conflict(const std::string& key, const std::string& expected, const std::string& got,
                 const std::string& hint) {
    return make_error(error_code::config,
                      "invalid value for " + key + " in " + where_of_[key] + ": expected " +
                          expected + ", got \"" + got + "\"",
                      hint);
  }

  /// Of two keys that disagree, the one the user set (the later one when both were set).
  std::string blame(const std::string& first, const std::string& second) {
    return cfg_.sources[second] == "default" ? first : second;
  }

  std::optional<error> check_budget() {
    const auto& b = cfg_.budget;
    if (b.reserved_tokens >= b.max_tokens) {
      auto key = blame("budget.max_tokens", "budget.reserved_tokens");
      bool max_blamed = key == "budget.max_tokens";
      return conflict(key,
                      max_blamed
                          ? "more than budget.reserved_tokens (" +
                                std::to_string(b.reserved_tokens) + ")"
                          : "less than budget.max_tokens (" + std::to_string(b.max_tokens) + ")",
                      std::to_string(max_blamed ? b.max_tokens : b.reserved_tokens),
                      "make budget.reserved_tokens less than budget.max_tokens");
    }
    const std::string hint =
        "budget thresholds must rise: 0 < caution < warning < critical < overflow <= 1";
    if (b.thresholds.caution <= 0.0)
      return conflict("budget.thresholds.caution", "a number greater than 0",
                      format_number(b.thresholds.caution), hint);
    const std::pair<const char*, double> levels[] = {{"caution", b.thresholds.caution},
                                                     {"warning", b.thresholds.warning},
                                                     {"critical", b.thresholds.critical},
                                                     {"overflow", b.thresholds.overflow}};
    for (std::size_t i = 0; i + 1 < std::size(levels); ++i) {
      const auto& [low_name, low] = levels[i];
      const auto& [high_name, high] = levels[i + 1];
      if (low < high) continue;
      auto low_key = std::string{"budget.thresholds."} + low_name;
      auto high_key = std::string{"budget.thresholds."} + high_name;
      auto key = blame(low_key, high_key);
      bool high_blamed = key == high_key;
      return conflict(key,
                      high_blamed ? "more than " + low_key + " (" + format_number(low) + ")"
                                  : "less than " + high_key + " (" + format_number(high) + ")",
                      format_number(high_blamed ? high : low), hint);
    }
    return std::nullopt;
  }

  /// Event streams each hold a connection: at least one must be left for other requests.
  std::optional<error> check_server() {
    const auto& a = cfg_.api;
    if (a.max_event_streams < a.threads) return std::nullopt;
    auto key = blame("server.threads", "server.max_event_streams");
    bool threads_blamed = key == "server.threads";
    return conflict(key,
                    threads_blamed ? "more than server.max_event_streams (" +
                                         std::to_string(a.max_event_streams) + ")"
                                   : "less than server.threads (" + std::to_string(a.threads) + ")",
                    std::to_string(threads_blamed ? a.threads : a.max_event_streams),
                    "event streams each hold one of server.threads connections; leave some "
                    "for other requests");
  }

  const config_inputs& in_;
  config defaults_;
  config cfg_;
  std::string home_;
  std::map<std::string, std::string> where_of_;
};

ordered_json tree_of(const config& cfg) {
  auto root = ordered_json::object();
  for (const auto& spec : schema()) {
    std::string pointer = "/" + spec.key;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    root[ordered_json::json_pointer{pointer}] = spec.get(cfg);
  }
  // Shown configuration ends up on screens, in logs and in bug reports: never the secret itself.
  if (!cfg.api_key.empty()) root["server"]["api_key"] = redacted;
  return root;
}

bool all_scalars(const ordered_json& value) {
  return std::all_of(value.begin(), value.end(),
                     [](const ordered_json& v) { return v.is_primitive(); });
}

void emit_value(YAML::Emitter& out, const ordered_json& value) {
  if (value.is_string()) {
    out << value.get<std::string>();
  } else if (value.is_boolean()) {
    out << value.get<bool>();
  } else if (value.is_number_integer()) {
    out << value.get<long long>();
  } else if (value.is_number_float()) {
    auto text = format_number(value.get<double>());
    if (text.find_first_of(".eEni") == std::string::npos)
      text += ".0"; // keep it visibly a number with a fraction, as in config/sage.yaml
    out << text;
  } else if (value.is_array()) {
    if (all_scalars(value)) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const auto& item : value)
      emit_value(out, item);
    out << YAML::EndSeq;
  } else if (value.is_object()) {
    if (value.empty() || all_scalars(value)) out << YAML::Flow;
    out << YAML::BeginMap;
    for (const auto& [k, v] : value.items()) {
      out << YAML::Key << k << YAML::Value;
      emit_value(out, v);
    }
    out << YAML::EndMap;
  } else {
    out << YAML::Null;
  }
}

void emit_section(YAML::Emitter& out, const ordered_json& section, const std::string& prefix,
                  const config& cfg, bool with_sources) {
  out << YAML::BeginMap;
  for (const auto& [name, value] : section.items()) {
    auto path = prefix.empty() ? name : prefix + "." + name;
    out << YAML::Key << name << YAML::Value;
    const auto* spec = find_key(path);
    bool nested = value.is_object() && (spec == nullptr || spec->kind == value_kind::map);
    if (nested && !value.empty()) {
      emit_section(out, value, path, cfg, with_sources);
      continue;
    }
    auto source = cfg.sources.find(path);
    bool comment = with_sources && source != cfg.sources.end();
    bool block_list = value.is_array() && !value.empty();
    if (comment && block_list) out << YAML::Comment(source->second);
    emit_value(out, value);
    if (comment && !block_list) out << YAML::Comment(source->second);
  }
  out << YAML::EndMap;
}

} // namespace

config default_config(const std::map<std::string, std::string>& env) {
  auto cfg = built_in_values(env);
  for (const auto& spec : schema()) {
    if (spec.kind != value_kind::map) {
      cfg.sources[spec.key] = "default";
      continue;
    }
    auto entries = spec.get(cfg);
    for (const auto& [name, value] : entries.items())
      cfg.sources[spec.key + "." + name] = "default";
  }
  return cfg;
}

result<config> load_config(const config_inputs& inputs) {
  return loader{inputs}.run();
}

std::string to_yaml(const config& cfg, bool with_sources) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit_section(out, tree_of(cfg), "", cfg, with_sources);
  return std::string{out.c_str()} + "\n";
}

nlohmann::json to_json(const config& cfg, bool with_sources) {
  auto out = nlohmann::json::parse(tree_of(cfg).dump());
  if (with_sources) out["sources"] = cfg.sources;
  return out;
}

} // namespace sage::core
