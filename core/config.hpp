// Configuration: typed settings merged from layered sources (docs/configuration.md).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sage::core {

/// A top-level folder of the knowledge base with a priority (lower = more fundamental).
struct layer_config {
  std::string name;   ///< `core`, `guidelines`, ...
  std::string folder; ///< folder relative to the KB root; `INDEX.md` for the index layer
  int priority = 0;
  bool always = false; ///< loaded into every context (index, core)
};

/// Task keywords that pull documents or folders into a context.
struct trigger_config {
  std::string name;
  std::vector<std::string> keywords; ///< whole words, matched after normalisation and stemming
  std::vector<std::string> targets;  ///< KB-relative files or folders (a folder = its .md files)
  int priority = 50;                 ///< lower fires first
};

struct timeout_config {
  std::chrono::milliseconds cache{100};           ///< T1: a lookup in memory
  std::chrono::milliseconds file{500};            ///< T2: one file read or parse
  std::chrono::milliseconds layer{2000};          ///< T3: a layer load, a search
  std::chrono::milliseconds full{5000};           ///< T4: a full KB load, a context build
  std::chrono::milliseconds analysis{10000};      ///< T5: analysis and checks over many files
  int breaker_failures = 3;                       ///< consecutive failures that open a breaker
  std::chrono::milliseconds breaker_reset{30000}; ///< wait before one trial call
};

struct search_config {
  int default_limit = 10;
  int max_limit = 50;
  double k1 = 1.2;
  double b = 0.75;
  double weight_title = 3.0;
  double weight_headings = 2.0;
  double weight_body = 1.0;
  double weight_tags = 2.5;
  double proximity_bonus = 0.3; ///< share of score added for phrase/proximity matches
};

/// The actor engine (docs/architecture.md).
struct engine_config {
  int workers = 2; ///< query worker actors sharing the snapshot (one per core is right)
  std::chrono::milliseconds shutdown_grace{5000}; ///< per actor, before a hard stop
};

/// Levels of the token budget as shares of the available tokens (PRODUCT.md 3.4); validated
/// as 0 < caution < warning < critical < overflow <= 1.
struct budget_thresholds {
  double caution = 0.70;
  double warning = 0.80;
  double critical = 0.90; ///< summarising starts here, and pruning stops below it
  double overflow = 0.95; ///< pruning starts here
};

/// The per-session token budget (PRODUCT.md 3.4): available = max_tokens - reserved_tokens.
struct budget_config {
  int max_tokens = 128000;
  int reserved_tokens = 4000; ///< kept free for the answer; less than max_tokens
  budget_thresholds thresholds;
  std::chrono::milliseconds reservation_ttl{300000}; ///< a reservation not committed expires
};

/// How long entries of one memory type are kept (memory.retention.<type>); unset = no limit.
struct retention_rule {
  /// Entries created longer ago than this are deleted (memory.retention.<type>.max_age).
  std::optional<std::chrono::milliseconds> max_age;
  /// Only the newest this many entries of the type are kept in each session; entries without
  /// a session count as one more session (memory.retention.<type>.max_count, >= 1).
  std::optional<int64_t> max_count;

  /// Whether the rule deletes anything at all.
  bool limits() const { return max_age.has_value() || max_count.has_value(); }
  friend bool operator==(const retention_rule&, const retention_rule&) = default;
};

/// Retention of the working memory, one rule per memory type, applied by
/// `memory_db::apply_retention`. PERMANENT entries are never deleted and never counted.
/// Members are named after the types so that this header needs no memory header.
struct memory_retention {
  retention_rule conversation;
  retention_rule decision;
  retention_rule context;
  retention_rule summary;
  retention_rule checkpoint;
  retention_rule artifact;

  friend bool operator==(const memory_retention&, const memory_retention&) = default;
};

struct loading_config {
  int default_budget = 4000; ///< budget_tokens when the caller gives none
  double core_share = 0.25;  ///< share of the budget reserved for always-loaded layers
  int max_heading_level = 3; ///< sections are split at H1..H<n>
};

/// What the HTTP API lets in (server.*, docs/http-api.md); the key itself is `config::api_key`.
struct api_config {
  double rate_per_second = 50; ///< server.rate_limit.requests_per_second per client; 0 = off
  int rate_burst = 100;        ///< server.rate_limit.burst: requests a client may send at once
  /// server.cors.allowed_origins: browser origins (`https://dash.example.com`) or `*`; empty =
  /// no cross-origin calls.
  std::vector<std::string> cors_origins;
  std::chrono::milliseconds cors_max_age{600000}; ///< server.cors.max_age of preflight answers
  int max_body_bytes = 2097152; ///< server.limits.max_body_bytes: larger bodies get 413
  int max_header_bytes = 8192;  ///< server.limits.max_header_bytes: larger header blocks get 431
  int threads = 64;             ///< server.threads: connections served at once
  int max_event_streams = 4;    ///< server.max_event_streams: open /v1/events streams at once
  bool metrics_on_api = true;   ///< server.metrics_on_api: /metrics on the API port too
  bool metrics_require_key = false; ///< server.metrics_require_key: /metrics needs the API key
  /// server.allowed_hosts: Host names served besides loopback ones while no API key is set.
  std::vector<std::string> allowed_hosts;
  std::chrono::milliseconds header_timeout{5000}; ///< server.header_timeout: a request's head
  std::chrono::milliseconds body_timeout{10000};  ///< server.body_timeout: a request's body
  /// server.max_connections_per_address: 0 = three quarters of a listener's threads.
  int max_connections_per_address = 0;
};

/// The MCP Streamable HTTP endpoint's sessions.
struct mcp_config {
  /// mcp.session_idle_timeout: a session without requests or an open stream for this long ends.
  std::chrono::milliseconds session_idle_timeout{1800000};
  int max_sessions = 256; ///< mcp.max_sessions: sessions at once; the least recently used idle
                          ///< one is ended for a new one beyond it
};

/// The effective configuration. Every field has the built-in default documented in
/// `config/sage.yaml`.
struct config {
  std::string kb_path;  ///< knowledge.path; empty = the bundled knowledge base
  bool kb_watch = true; ///< knowledge.watch: rebuild on file changes
  std::chrono::milliseconds kb_watch_debounce{100}; ///< knowledge.watch_debounce
  std::vector<layer_config> layers;
  std::map<std::string, std::string> layer_aliases;     ///< numeric aliases `0`->`core`, ...
  std::map<std::string, std::string> guideline_aliases; ///< guidelines.sections
  std::map<std::string, std::string> framework_aliases; ///< frameworks.sections
  std::map<std::string, std::string> template_aliases;  ///< templates.sections
  std::vector<trigger_config> triggers;
  loading_config loading;
  search_config search;
  std::string token_encoding =
      "cl100k_base"; ///< tokens.encoding: cl100k_base | o200k_base | estimate
  timeout_config timeout;
  engine_config engine;
  std::string cache_dir;     ///< cache.dir (SAGE_CACHE_DIR), default ~/.sage/cache
  bool cache_enabled = true; ///< cache.enabled
  std::string data_dir;      ///< memory.data_dir (SAGE_DATA_DIR), default $XDG_DATA_HOME/sage
  int memory_max_content_bytes = 1048576; ///< memory.max_content_bytes: larger entries are refused
  /// memory.import_max_line_bytes: `sage memory import` refuses a longer line as soon as it
  /// reads that far, so a file without newlines cannot fill the memory.
  int memory_import_max_line_bytes = 8388608;
  /// memory.retention.<type>.*, default no limits. The type is qualified because the member
  /// takes its name.
  core::memory_retention memory_retention;
  budget_config budget;
  std::string log_level = "INFO";     ///< logging.level (SAGE_LOG_LEVEL)
  std::string log_format = "console"; ///< logging.format: console | json (JSON lines)
  bool debug = false;                 ///< logging.debug (SAGE_DEBUG)
  int api_port = 8000;                ///< server.api_port (SAGE_API_PORT)
  int mcp_port = 8001;                ///< server.mcp_port (SAGE_MCP_PORT)
  int metrics_port = 9000;            ///< server.metrics_port (SAGE_METRICS_PORT)
  std::string api_key;                ///< server.api_key (SAGE_API_KEY)
  api_config api;                     ///< server.rate_limit, server.cors, server.limits, ...
  mcp_config mcp;                     ///< mcp.*: sessions of the MCP HTTP endpoint

  /// Where each leaf key (`timeout.layer`) got its value: `default`, a file path, `env
  /// SAGE_TIMEOUT__LAYER`, `flag --kb`.
  std::map<std::string, std::string> sources;
};

/// Where configuration comes from. Tests fill this in instead of touching the real process
/// environment and home directory.
struct config_inputs {
  std::vector<std::string> files; ///< YAML files in order, later wins; missing ones are skipped
  std::map<std::string, std::string> env;   ///< environment variables (only SAGE_* are read)
  std::optional<std::string> dotenv_file;   ///< `.env` in the working directory, if it exists
  std::optional<std::string> explicit_file; ///< --config FILE: must exist
  std::map<std::string, std::string> flags; ///< command-line overrides by key (`knowledge.path`)
  /// How the CLI spells the flag behind a key in `flags`, for sources and messages
  /// (`server.api_port` -> `--port`). Unlisted keys show as `--kb` for `knowledge.path`,
  /// else `--<key>`.
  std::map<std::string, std::string> flag_names;
};

/// The standard inputs of docs/configuration.md for this process: /etc/sage/sage.yaml,
/// ~/.sage/config.yaml, ./sage.yaml (absolute, from the working directory), ./.env and the
/// whole environment. The file named by `SAGE_CONFIG_PATH` is not put into `files`:
/// `load_config` reads it from `env` (or `.env`) so tests can exercise it like a user would.
/// The caller adds `explicit_file` and `flags` from its command line.
config_inputs standard_config_inputs();

/// Merges the sources in order and validates every value. An invalid file or value is an error
/// of code `config` naming the source, the key and what was expected.
///
/// Order, later wins: defaults, `files`, the file named by `SAGE_CONFIG_PATH` (environment,
/// else `.env`; must exist), `explicit_file` (must exist), `.env` (entries also set
/// in `env` are ignored), `env`, `flags`. Maps (`guidelines.sections`, `knowledge.layer_aliases`)
/// merge entry by entry (an empty value removes an entry); lists (`knowledge.layers`,
/// `triggers`) replace the previous list. Relative paths in a file are relative to that file.
result<config> load_config(const config_inputs& inputs);

/// The built-in defaults (equal to `config/sage.yaml`), with `~` and `$XDG_DATA_HOME` taken
/// from `env` rather than the process, and every key's source set to `default`.
config default_config(const std::map<std::string, std::string>& env = {});

/// The default layers of PRODUCT.md section 2.1, for code and tests that need layers without
/// loading a configuration.
std::vector<layer_config> default_layers();

/// Parses `250ms`, `2s`, `1m`, `12h`, `30d` (a day is 24 hours) or plain milliseconds (`1500`),
/// at most `max_duration` (3650d; see core/duration.hpp): a longer one is an error saying so.
result<std::chrono::milliseconds> parse_duration(const std::string& text);

/// The effective configuration as YAML text (for `sage config show`), with each key's source
/// as a trailing comment when `with_sources` is set. A set `server.api_key` shows as
/// `<redacted>`; otherwise the text reads back to the same configuration (except that alias
/// entries removed from the defaults come back, since maps merge with the defaults).
std::string to_yaml(const config& cfg, bool with_sources);

/// The effective configuration as JSON (for `sage config show --json`): nested like the YAML,
/// durations as text (`2s`), `server.api_key` redacted, plus a `sources` object
/// (key -> source) when `with_sources` is set.
nlohmann::json to_json(const config& cfg, bool with_sources);

} // namespace sage::core
