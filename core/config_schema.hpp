// Internal: the table of configuration keys, how each is parsed, validated and shown.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/duration.hpp"
#include "core/error.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core::config_detail {

// -- where values come from ---------------------------------------------------

enum class origin_kind { default_value, file, dotenv, env, flag };

/// One source of values, described once so that every message about it reads the same.
struct origin {
  origin_kind kind = origin_kind::default_value;
  std::string label;    ///< the value stored in `config::sources`
  std::string where;    ///< in messages: a path, `environment variable SAGE_X`, `flag --kb`
  std::string name;     ///< the variable or flag behind the value (`SAGE_X`, `--kb`), if any
  std::string base_dir; ///< relative paths resolve against it (files only)
};

/// Everything a parser needs to set one key and to explain a bad value.
struct value_site {
  std::string key;                              ///< dotted key, `timeout.layer`
  const origin* from = nullptr;                 ///< where the value came from
  std::string home;                             ///< expands `~` in paths
  std::string default_text;                     ///< shown in hints; empty for lists and maps
  std::map<std::string, std::string>* where_of; ///< key -> `origin::where` of its final value
};

/// Records that `site.key` now holds a value from `site.from`.
void record(config& cfg, const value_site& site);
/// Forgets the source of a removed map entry.
void forget(config& cfg, const value_site& site);

// -- errors ---------------------------------------------------------------------

/// `invalid value for KEY in WHERE: expected EXPECTED, got GOT` with a hint that fits the source.
error invalid_value(const value_site& site, const YAML::Node& node, std::string_view expected,
                    std::string_view got);
/// `unknown key KEY in WHERE` with a "did you mean" hint or the valid keys.
error unknown_key(const origin& from, const std::string& key,
                  const std::vector<std::string>& candidates);
/// How a value reads in a message: `"abc"`, `a list`, `a map`, `nothing`.
std::string describe(const YAML::Node& node);
/// The closest candidate by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// -- values -----------------------------------------------------------------------

result<int> parse_integer(const YAML::Node& node, const value_site& site, int min, int max);
result<double> parse_number(const YAML::Node& node, const value_site& site, double min, double max);
result<bool> parse_boolean(const YAML::Node& node, const value_site& site);
result<std::string> parse_text(const YAML::Node& node, const value_site& site, bool allow_empty);
result<std::string> parse_path(const YAML::Node& node, const value_site& site, bool allow_empty);
result<std::string> parse_choice(const YAML::Node& node, const value_site& site,
                                 const std::vector<std::string>& choices, bool upper_case);
/// A duration greater than zero and at most `max` (see core/duration.hpp): a longer one is an
/// error naming the key, the value and the maximum.
result<std::chrono::milliseconds> parse_positive_duration(const YAML::Node& node,
                                                          const value_site& site,
                                                          std::chrono::milliseconds max);
result<std::vector<layer_config>> parse_layers(const YAML::Node& node, const value_site& site);
result<std::vector<trigger_config>> parse_triggers(const YAML::Node& node, const value_site& site);
/// A list of browser origins (`https://host[:port]`, `http://...`) or `*`; null or `[]` = none.
result<std::vector<std::string>> parse_origins(const YAML::Node& node, const value_site& site);
/// A list of host names (`dash.internal`, `10.0.0.5`): letters, digits, `-`, `.`, `_`, no port;
/// lower-cased. Null or `[]` = none.
result<std::vector<std::string>> parse_host_names(const YAML::Node& node, const value_site& site);

/// `~` and `~/x` become paths under `home` (unchanged when `home` is empty).
std::string expand_home(const std::string& path, const std::string& home);
/// Shortest text that reads back as the same double (`0.3`, not `0.29999999999999999`).
std::string format_number(double value);

// -- the schema -------------------------------------------------------------------

enum class value_kind {
  scalar, ///< one value
  list,   ///< a list, replaced as a whole
  map,    ///< a map of names to text, merged entry by entry
};

/// One configuration key: how to set it from YAML and how to show it.
struct key_spec {
  std::string key;
  value_kind kind = value_kind::scalar;
  std::function<std::optional<error>(config&, const YAML::Node&, const value_site&)> set;
  std::function<nlohmann::ordered_json(const config&)> get;
  /// For maps: sets (or, given an empty value, removes) the entry `site.key`'s last part.
  std::function<std::optional<error>(config&, const std::string&, const YAML::Node&,
                                     const value_site&)>
      set_entry;
};

/// Every key in documentation order.
const std::vector<key_spec>& schema();
/// The key spec for a dotted key, or null.
const key_spec* find_key(std::string_view key);
/// Whether `path` is a section (`timeout`, `search.bm25`) rather than a key.
bool is_section(std::string_view path);
/// Names directly under a section (`""` for the top level), in documentation order.
std::vector<std::string> children_of(std::string_view section);
/// Every key and section path, for suggestions.
std::vector<std::string> all_paths();

/// The built-in defaults without sources; `default_config` adds them.
config built_in_values(const std::map<std::string, std::string>& env);

} // namespace sage::core::config_detail
