// One operation of the engine as data: its name, parameters with their bounds, result, deadline
// level, behaviour flags, and the interfaces that offer it. The CLI, the MCP tools and the HTTP
// routes are derived from these entries (docs/architecture.md, "The operation catalogue"), so a
// parameter has one name, one default and one set of bounds everywhere.
// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sage::core::catalogue {

using json = nlohmann::json;

/// The interfaces an operation may be offered on.
enum class interface_kind : uint8_t { cli, mcp, http };

inline constexpr interface_kind all_interfaces[] = {interface_kind::cli, interface_kind::mcp,
                                                    interface_kind::http};

/// `cli`, `mcp`, `http`.
const char* to_string(interface_kind i);

/// The kind of a parameter's value. `priority` is a level name (`HIGH`) or a number 0..100;
/// `strings` is a list (repeated on the CLI and in an HTTP query); `object` is any JSON object.
enum class value_type : uint8_t { string, integer, boolean, strings, object, priority };

const char* to_string(value_type t);

/// The deadline levels of docs/architecture.md: T1 a lookup in memory, T2 one file or one
/// database statement, T3 a layer or a search, T4 a context build or the whole KB, T5 analysis
/// and checks over many files.
enum class timeout_level : uint8_t { t1 = 1, t2, t3, t4, t5 };

/// `T1` … `T5`.
std::string to_string(timeout_level level);

struct parameter {
  std::string name = {};
  value_type type = value_type::string;
  std::string description = {};
  bool required = false;
  /// The value used when the caller gives none; null when there is none (the description says
  /// what happens then, e.g. "no limit").
  json default_value = nullptr;
  /// MCP's own default where a tool result's size limit asks for one (a knowledge budget when
  /// none is given: the whole target would not fit); `mcp_default_reason` says so.
  json mcp_default = nullptr;
  std::string mcp_default_reason = {};
  /// The configuration key the default (or the maximum) comes from, e.g. `search.default_limit`.
  std::string configured_by = {};
  std::optional<int64_t> minimum = {}; ///< integers
  std::optional<int64_t> maximum = {}; ///< integers
  size_t min_length = 0; ///< strings (and each of `strings`): at least this many bytes
  size_t max_length = 0; ///< strings (and each of `strings`): at most, 0 = no limit
  size_t max_items = 0;  ///< `strings`: at most this many, 0 = no limit
  std::vector<std::string> values = {}; ///< the only strings allowed, when not empty
  /// Older names still accepted for compatibility: HTTP query names (`q`) and CLI long options
  /// (`session`). They are documented as deprecated where the interface can say so.
  std::vector<std::string> aliases = {};
  std::string cli_short = {};  ///< a one-letter CLI option (`b` for `-b`), when there is one
  bool cli_positional = false; ///< given on the CLI without an option name
  /// Interfaces that do not take this parameter; `left_out_reason` says why.
  std::vector<interface_kind> left_out = {};
  std::string left_out_reason = {};

  bool offered_on(interface_kind i) const;
};

/// How the HTTP API offers an operation: its method and URL (URL shape is the one thing of
/// HTTP a catalogue entry says); parameters named in `{…}` of the pattern are path parameters,
/// the others are query parameters for GET and DELETE and body members otherwise.
struct http_binding {
  std::string method = {};  ///< GET, POST, PATCH, DELETE
  std::string pattern = {}; ///< `/v1/memory/{id}`
  int status = 200;         ///< of a successful answer
  bool body_required = true;
  bool open = false; ///< answered without an API key
};

/// An operation of the engine.
struct operation {
  std::string name = {};    ///< the MCP tool name and the OpenAPI operationId (`search_knowledge`)
  std::string area = {};    ///< `knowledge`, `memory`, `sessions`, `budget`, `events`, `system`
  std::string title = {};   ///< a few words, for tool titles
  std::string summary = {}; ///< one line: CLI help, OpenAPI summary, `sage operations`
  std::string description = {}; ///< for models (MCP) and the OpenAPI document; the summary if empty
  std::vector<parameter> parameters = {};
  json result = json::object(); ///< the JSON Schema of a successful answer
  timeout_level timeout = timeout_level::t2;
  bool read_only = false;
  bool idempotent = false;
  bool destructive = false;

  /// The CLI command path (`memory add`); empty when the CLI leaves it out.
  std::string cli_command = {};
  /// Offered as an MCP tool under `name`.
  bool mcp = false;
  std::optional<http_binding> http = {};
  /// When set, the MCP tool's structured content holds the result under this member
  /// (`{"session": …}`); the HTTP answer is the result itself.
  std::string mcp_result_member = {};
  /// Why each interface that leaves the operation out does so.
  std::string cli_left_out = {};
  std::string mcp_left_out = {};
  std::string http_left_out = {};

  bool offered_on(interface_kind i) const;
  /// The reason `i` leaves the operation out (empty when offered).
  const std::string& left_out_reason(interface_kind i) const;
  const parameter* find(std::string_view parameter_name) const;
  /// The parameters `i` takes, in declaration order.
  std::vector<const parameter*> parameters_on(interface_kind i) const;
};

} // namespace sage::core::catalogue
