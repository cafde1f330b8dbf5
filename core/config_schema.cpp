// The configuration keys of docs/configuration.md: their defaults, parsers and JSON views.
// SPDX-License-Identifier: MIT
#include "core/config_schema.hpp"

#include "core/duration.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <filesystem>
#include <limits>

namespace sage::core {

namespace config_detail {
extern const char* const bundled_config_yaml;
}

std::vector<layer_config> default_layers() {
  return {
      {"index", "INDEX.md", 0, true},         {"core", "core", 1, true},
      {"guidelines", "guidelines", 2, false}, {"frameworks", "frameworks", 3, false},
      {"practices", "practices", 4, false},   {"scenarios", "scenarios", 5, false},
      {"references", "references", 6, false}, {"templates", "templates", 7, false},
  };
}

namespace config_detail {

namespace {

using json = nlohmann::ordered_json;

constexpr double unbounded = std::numeric_limits<double>::infinity();

json view(int v) {
  return v;
}
json view(int64_t v) {
  return v;
}
json view(bool v) {
  return v;
}
json view(double v) {
  return v;
}
json view(const std::string& v) {
  return v;
}
json view(std::chrono::milliseconds v) {
  return format_duration(v);
}
/// An unset limit shows as null (`~` in YAML), which reads back as unset.
template <class T> json view(const std::optional<T>& v) {
  return v ? view(*v) : json(nullptr);
}

json view(const std::vector<std::string>& items) {
  return items;
}

json view(const std::vector<layer_config>& layers) {
  auto out = json::array();
  for (const auto& l : layers)
    out.push_back(json{
        {"name", l.name}, {"folder", l.folder}, {"priority", l.priority}, {"always", l.always}});
  return out;
}

json view(const std::vector<trigger_config>& triggers) {
  auto out = json::array();
  for (const auto& t : triggers)
    out.push_back(json{{"name", t.name},
                       {"keywords", t.keywords},
                       {"targets", t.targets},
                       {"priority", t.priority}});
  return out;
}

json view(const std::map<std::string, std::string>& entries) {
  auto out = json::object();
  for (const auto& [name, value] : entries)
    out[name] = value;
  return out;
}

/// A key whose value one parser produces and one accessor stores. `Access` is a generic lambda
/// (`[](auto& c) -> auto& { return c.api_port; }`) so it serves both setting and showing.
template <class Access, class Parse>
key_spec make_key(std::string key, value_kind kind, Access access, Parse parse) {
  key_spec spec;
  spec.key = std::move(key);
  spec.kind = kind;
  spec.set = [=](config& c, const YAML::Node& node,
                 const value_site& site) -> std::optional<error> {
    auto value = parse(node, site);
    if (!value) return value.err();
    access(c) = std::move(*value);
    record(c, site);
    return std::nullopt;
  };
  spec.get = [=](const config& c) { return view(access(c)); };
  return spec;
}

template <class Access>
key_spec integer_key(std::string key, Access access, int min, int max = INT_MAX) {
  return make_key(
      std::move(key), value_kind::scalar, access,
      [=](const YAML::Node& n, const value_site& s) { return parse_integer(n, s, min, max); });
}

template <class Access>
key_spec number_key(std::string key, Access access, double min, double max = unbounded) {
  return make_key(
      std::move(key), value_kind::scalar, access,
      [=](const YAML::Node& n, const value_site& s) { return parse_number(n, s, min, max); });
}

/// Deadlines, delays and lifetimes: at most `max_delay` (7 days) unless the key says otherwise.
template <class Access>
key_spec duration_key(std::string key, Access access, std::chrono::milliseconds max = max_delay) {
  return make_key(
      std::move(key), value_kind::scalar, access,
      [=](const YAML::Node& n, const value_site& s) { return parse_positive_duration(n, s, max); });
}

template <class Access> key_spec boolean_key(std::string key, Access access) {
  return make_key(std::move(key), value_kind::scalar, access, parse_boolean);
}

template <class Access> key_spec text_key(std::string key, Access access, bool allow_empty) {
  return make_key(
      std::move(key), value_kind::scalar, access,
      [=](const YAML::Node& n, const value_site& s) { return parse_text(n, s, allow_empty); });
}

template <class Access> key_spec path_key(std::string key, Access access, bool allow_empty) {
  return make_key(
      std::move(key), value_kind::scalar, access,
      [=](const YAML::Node& n, const value_site& s) { return parse_path(n, s, allow_empty); });
}

template <class Access>
key_spec choice_key(std::string key, Access access, std::vector<std::string> choices,
                    bool upper_case) {
  return make_key(
      std::move(key), value_kind::scalar, access,
      [choices = std::move(choices), upper_case](const YAML::Node& n, const value_site& s) {
        return parse_choice(n, s, choices, upper_case);
      });
}

/// A map of names to text (aliases): set entry by entry so that every layer of configuration
/// can add to the defaults; an empty value removes an entry.
template <class Access> key_spec map_key(std::string key, Access access) {
  key_spec spec;
  spec.key = std::move(key);
  spec.kind = value_kind::map;
  auto set_entry = [=](config& c, const std::string& entry, const YAML::Node& node,
                       const value_site& site) -> std::optional<error> {
    std::string name = entry;
    for (auto& ch : name)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    value_site entry_site = site;
    entry_site.key = site.key + "." + name;
    entry_site.default_text.clear();
    if (name.empty() || name.find('.') != std::string::npos)
      return invalid_value(site, node, "names without dots", "\"" + entry + "\"");
    if (node.IsNull() || (node.IsScalar() && node.Scalar().empty())) {
      access(c).erase(name);
      forget(c, entry_site);
      return std::nullopt;
    }
    if (!node.IsScalar()) return invalid_value(entry_site, node, "a name", describe(node));
    access(c)[name] = node.Scalar();
    record(c, entry_site);
    return std::nullopt;
  };
  spec.set_entry = set_entry;
  spec.set = [=](config& c, const YAML::Node& node,
                 const value_site& site) -> std::optional<error> {
    if (node.IsNull()) return std::nullopt;
    if (!node.IsMap())
      return invalid_value(site, node, "a map of names such as {py: PYTHON}", describe(node));
    for (const auto& entry : node) {
      if (!entry.first.IsScalar())
        return invalid_value(site, node, "a map of names such as {py: PYTHON}",
                             "a key that is " + describe(entry.first));
      if (auto bad = set_entry(c, entry.first.Scalar(), entry.second, site)) return bad;
    }
    return std::nullopt;
  };
  spec.get = [=](const config& c) { return view(access(c)); };
  return spec;
}

// -- memory retention ---------------------------------------------------------------

/// A limit that may be absent: null (`~`, nothing) or an empty value means no limit, so that a
/// later source (an empty environment variable) can lift a limit an earlier file set.
bool no_limit(const YAML::Node& node) {
  return node.IsNull() || (node.IsScalar() && node.Scalar().empty());
}

/// The default of every retention key, for the hint of a bad value.
value_site with_no_limit_default(const value_site& site) {
  auto shown = site;
  shown.default_text = "no limit";
  return shown;
}

result<std::optional<int64_t>> parse_max_count(const YAML::Node& node, const value_site& site) {
  if (no_limit(node)) return std::optional<int64_t>{};
  auto value = parse_integer(node, with_no_limit_default(site), 1, INT_MAX);
  if (!value) return value.err();
  return std::optional<int64_t>{*value};
}

result<std::optional<std::chrono::milliseconds>> parse_max_age(const YAML::Node& node,
                                                               const value_site& site) {
  if (no_limit(node)) return std::optional<std::chrono::milliseconds>{};
  auto value = parse_positive_duration(node, with_no_limit_default(site), max_duration);
  if (!value) return value.err();
  return std::optional<std::chrono::milliseconds>{*value};
}

/// `memory.retention.<type>.max_count` and `.max_age` for every memory type. The names are the
/// memory type names (`to_string(memory_type)`); a name not listed here is an unknown key.
std::vector<key_spec> retention_keys() {
  using rule_of = retention_rule memory_retention::*;
  const std::pair<const char*, rule_of> types[] = {
      {"conversation", &memory_retention::conversation}, {"decision", &memory_retention::decision},
      {"context", &memory_retention::context},           {"summary", &memory_retention::summary},
      {"checkpoint", &memory_retention::checkpoint},     {"artifact", &memory_retention::artifact},
  };
  std::vector<key_spec> keys;
  for (auto [name, rule] : types) {
    auto prefix = std::string{"memory.retention."} + name;
    keys.push_back(make_key(
        prefix + ".max_count", value_kind::scalar,
        [rule](auto& c) -> auto& { return (c.memory_retention.*rule).max_count; },
        parse_max_count));
    keys.push_back(make_key(
        prefix + ".max_age",
        value_kind::scalar, [rule](auto& c) -> auto& { return (c.memory_retention.*rule).max_age; },
        parse_max_age));
  }
  return keys;
}

// -- the table ----------------------------------------------------------------------

std::vector<key_spec> build_schema() {
  // clang-format off
  std::vector<key_spec> keys{
    path_key("knowledge.path", [](auto& c) -> auto& { return c.kb_path; }, true),
    make_key("knowledge.layers", value_kind::list, [](auto& c) -> auto& { return c.layers; },
             parse_layers),
    map_key("knowledge.layer_aliases", [](auto& c) -> auto& { return c.layer_aliases; }),
    boolean_key("knowledge.watch", [](auto& c) -> auto& { return c.kb_watch; }),
    duration_key("knowledge.watch_debounce", [](auto& c) -> auto& { return c.kb_watch_debounce; }),
    integer_key("loading.default_budget", [](auto& c) -> auto& { return c.loading.default_budget; }, 1),
    number_key("loading.core_share", [](auto& c) -> auto& { return c.loading.core_share; }, 0.0, 1.0),
    integer_key("loading.max_heading_level", [](auto& c) -> auto& { return c.loading.max_heading_level; }, 1, 6),
    integer_key("search.default_limit", [](auto& c) -> auto& { return c.search.default_limit; }, 1),
    integer_key("search.max_limit", [](auto& c) -> auto& { return c.search.max_limit; }, 1),
    number_key("search.bm25.k1", [](auto& c) -> auto& { return c.search.k1; }, 0.0),
    number_key("search.bm25.b", [](auto& c) -> auto& { return c.search.b; }, 0.0, 1.0),
    number_key("search.field_weights.title", [](auto& c) -> auto& { return c.search.weight_title; }, 0.0),
    number_key("search.field_weights.headings", [](auto& c) -> auto& { return c.search.weight_headings; }, 0.0),
    number_key("search.field_weights.body", [](auto& c) -> auto& { return c.search.weight_body; }, 0.0),
    number_key("search.field_weights.tags", [](auto& c) -> auto& { return c.search.weight_tags; }, 0.0),
    number_key("search.proximity_bonus", [](auto& c) -> auto& { return c.search.proximity_bonus; }, 0.0),
    choice_key("tokens.encoding", [](auto& c) -> auto& { return c.token_encoding; },
               {"cl100k_base", "o200k_base", "estimate"}, false),
    duration_key("timeout.cache", [](auto& c) -> auto& { return c.timeout.cache; }),
    duration_key("timeout.file", [](auto& c) -> auto& { return c.timeout.file; }),
    duration_key("timeout.layer", [](auto& c) -> auto& { return c.timeout.layer; }),
    duration_key("timeout.full", [](auto& c) -> auto& { return c.timeout.full; }),
    duration_key("timeout.analysis", [](auto& c) -> auto& { return c.timeout.analysis; }),
    integer_key("timeout.breaker.failures", [](auto& c) -> auto& { return c.timeout.breaker_failures; }, 1),
    duration_key("timeout.breaker.reset", [](auto& c) -> auto& { return c.timeout.breaker_reset; }),
    integer_key("engine.workers", [](auto& c) -> auto& { return c.engine.workers; }, 1, 64),
    duration_key("engine.shutdown_grace", [](auto& c) -> auto& { return c.engine.shutdown_grace; }),
    map_key("guidelines.sections", [](auto& c) -> auto& { return c.guideline_aliases; }),
    map_key("frameworks.sections", [](auto& c) -> auto& { return c.framework_aliases; }),
    map_key("templates.sections", [](auto& c) -> auto& { return c.template_aliases; }),
    make_key("triggers", value_kind::list, [](auto& c) -> auto& { return c.triggers; },
             parse_triggers),
    path_key("cache.dir", [](auto& c) -> auto& { return c.cache_dir; }, false),
    boolean_key("cache.enabled", [](auto& c) -> auto& { return c.cache_enabled; }),
    path_key("memory.data_dir", [](auto& c) -> auto& { return c.data_dir; }, false),
    integer_key("memory.max_content_bytes", [](auto& c) -> auto& { return c.memory_max_content_bytes; }, 1),
    integer_key("memory.import_max_line_bytes", [](auto& c) -> auto& { return c.memory_import_max_line_bytes; }, 1024, 1073741824),
    integer_key("budget.max_tokens", [](auto& c) -> auto& { return c.budget.max_tokens; }, 1),
    integer_key("budget.reserved_tokens", [](auto& c) -> auto& { return c.budget.reserved_tokens; }, 0),
    number_key("budget.thresholds.caution", [](auto& c) -> auto& { return c.budget.thresholds.caution; }, 0.0, 1.0),
    number_key("budget.thresholds.warning", [](auto& c) -> auto& { return c.budget.thresholds.warning; }, 0.0, 1.0),
    number_key("budget.thresholds.critical", [](auto& c) -> auto& { return c.budget.thresholds.critical; }, 0.0, 1.0),
    number_key("budget.thresholds.overflow", [](auto& c) -> auto& { return c.budget.thresholds.overflow; }, 0.0, 1.0),
    duration_key("budget.reservation_ttl", [](auto& c) -> auto& { return c.budget.reservation_ttl; }),
    choice_key("logging.level", [](auto& c) -> auto& { return c.log_level; },
               {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, true),
    choice_key("logging.format", [](auto& c) -> auto& { return c.log_format; },
               {"console", "json"}, false),
    boolean_key("logging.debug", [](auto& c) -> auto& { return c.debug; }),
    integer_key("server.api_port", [](auto& c) -> auto& { return c.api_port; }, 1, 65535),
    integer_key("server.mcp_port", [](auto& c) -> auto& { return c.mcp_port; }, 1, 65535),
    integer_key("server.metrics_port", [](auto& c) -> auto& { return c.metrics_port; }, 1, 65535),
    text_key("server.api_key", [](auto& c) -> auto& { return c.api_key; }, true),
    number_key("server.rate_limit.requests_per_second", [](auto& c) -> auto& { return c.api.rate_per_second; }, 0.0),
    integer_key("server.rate_limit.burst", [](auto& c) -> auto& { return c.api.rate_burst; }, 1, 1000000),
    make_key("server.cors.allowed_origins", value_kind::list, [](auto& c) -> auto& { return c.api.cors_origins; },
             parse_origins),
    duration_key("server.cors.max_age", [](auto& c) -> auto& { return c.api.cors_max_age; }),
    integer_key("server.limits.max_body_bytes", [](auto& c) -> auto& { return c.api.max_body_bytes; }, 1024, 1073741824),
    integer_key("server.limits.max_header_bytes", [](auto& c) -> auto& { return c.api.max_header_bytes; }, 1024, 1048576),
    integer_key("server.threads", [](auto& c) -> auto& { return c.api.threads; }, 2, 256),
    integer_key("server.max_event_streams", [](auto& c) -> auto& { return c.api.max_event_streams; }, 1, 255),
    boolean_key("server.metrics_on_api", [](auto& c) -> auto& { return c.api.metrics_on_api; }),
    boolean_key("server.metrics_require_key", [](auto& c) -> auto& { return c.api.metrics_require_key; }),
    make_key("server.allowed_hosts", value_kind::list, [](auto& c) -> auto& { return c.api.allowed_hosts; },
             parse_host_names),
    duration_key("server.header_timeout", [](auto& c) -> auto& { return c.api.header_timeout; }),
    duration_key("server.body_timeout", [](auto& c) -> auto& { return c.api.body_timeout; }),
    integer_key("server.max_connections_per_address", [](auto& c) -> auto& { return c.api.max_connections_per_address; }, 0, 256),
    duration_key("mcp.session_idle_timeout", [](auto& c) -> auto& { return c.mcp.session_idle_timeout; }),
    integer_key("mcp.max_sessions", [](auto& c) -> auto& { return c.mcp.max_sessions; }, 1, 100000),
  };
  // clang-format on
  auto retention = retention_keys();
  auto after = std::find_if(keys.begin(), keys.end(), [](const key_spec& k) {
    return k.key == "memory.import_max_line_bytes";
  });
  keys.insert(after + 1, retention.begin(), retention.end());
  return keys;
}

} // namespace

const std::vector<key_spec>& schema() {
  static const std::vector<key_spec> keys = build_schema();
  return keys;
}

const key_spec* find_key(std::string_view key) {
  for (const auto& spec : schema())
    if (spec.key == key) return &spec;
  return nullptr;
}

bool is_section(std::string_view path) {
  for (const auto& spec : schema())
    if (spec.key.size() > path.size() && spec.key.starts_with(path) && spec.key[path.size()] == '.')
      return true;
  return false;
}

std::vector<std::string> children_of(std::string_view section) {
  std::string prefix = section.empty() ? std::string{} : std::string{section} + ".";
  std::vector<std::string> out;
  for (const auto& spec : schema()) {
    if (!spec.key.starts_with(prefix)) continue;
    auto rest = spec.key.substr(prefix.size());
    auto name = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::vector<std::string> all_paths() {
  std::vector<std::string> out;
  for (const auto& spec : schema()) {
    for (auto dot = spec.key.find('.'); dot != std::string::npos; dot = spec.key.find('.', dot + 1))
      if (std::find(out.begin(), out.end(), spec.key.substr(0, dot)) == out.end())
        out.push_back(spec.key.substr(0, dot));
    out.push_back(spec.key);
  }
  return out;
}

namespace {

/// Sets guidelines/frameworks/templates.sections and triggers from the compiled-in sage.yaml.
/// The text is part of the binary and checked by the tests, so a failure here is a build bug.
void apply_bundled_sections(config& cfg, const std::string& home) {
  const auto root = YAML::Load(bundled_config_yaml);
  const origin from{origin_kind::default_value, "default", "the built-in defaults", {}, {}};
  for (const char* key :
       {"guidelines.sections", "frameworks.sections", "templates.sections", "triggers"}) {
    const auto* spec = find_key(key);
    std::string_view k{key};
    auto dot = k.find('.');
    auto node = dot == std::string_view::npos
                    ? root[std::string(k)]
                    : root[std::string(k.substr(0, dot))][std::string(k.substr(dot + 1))];
    value_site site{key, &from, home, {}, nullptr};
    if (spec == nullptr || !node)
      throw std::logic_error(std::string("bundled config lacks ") + key);
    if (spec->kind == value_kind::map) {
      for (const auto& entry : node) {
        value_site entry_site{
            std::string(key) + "." + entry.first.as<std::string>(), &from, home, {}, nullptr};
        if (auto bad =
                spec->set_entry(cfg, entry.first.as<std::string>(), entry.second, entry_site))
          throw std::logic_error("bundled config: " + bad->message);
      }
    } else if (auto bad = spec->set(cfg, node, site)) {
      throw std::logic_error("bundled config: " + bad->message);
    }
  }
}

} // namespace

config built_in_values(const std::map<std::string, std::string>& env) {
  auto lookup = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string{} : it->second;
  };
  auto home = lookup("HOME");
  config cfg;
  cfg.layers = default_layers();
  cfg.layer_aliases = {{"0", "core"}, {"1", "guidelines"}, {"2", "frameworks"}, {"3", "practices"}};
  // The alias and trigger sections are long lists written for the bundled knowledge base:
  // they are read from config/sage.yaml as compiled in, the one place they are written.
  apply_bundled_sections(cfg, home);
  cfg.cache_dir = expand_home("~/.sage/cache", home);
  auto xdg = lookup("XDG_DATA_HOME");
  if (!xdg.empty() && std::filesystem::path{xdg}.is_absolute())
    cfg.data_dir = (std::filesystem::path{xdg} / "sage").string();
  else
    cfg.data_dir = expand_home("~/.local/share/sage", home);
  return cfg;
}

} // namespace config_detail

} // namespace sage::core
