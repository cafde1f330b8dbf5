// The CLI's commands: each takes the parsed options, runs one operation and prints it.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/cli/output.hpp"
#include "services/cli/runtime.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sage::services::cli {

/// What the chosen subcommand runs once the arguments are parsed.
using command_action = std::function<int(const output&)>;

struct knowledge_args {
  std::string target; ///< get: layer, path or URI; named: the name
  std::string task;   ///< context
  std::string query;  ///< search
  int budget = -1;    ///< -1 = not given
  int limit = 0;
  std::vector<std::string> layers;
  std::vector<std::string> tags;
  bool include_retired = false;
};

int run_get(session& s, const output& out, const knowledge_args& a);
int run_context(session& s, const output& out, const knowledge_args& a);
int run_search(session& s, const output& out, const knowledge_args& a);
int run_named(session& s, const output& out, core::named_kind kind, const knowledge_args& a);
int run_layers(session& s, const output& out);
int run_info(session& s, const output& out);
int run_validate(session& s, const output& out);
int run_config_show(session& s, const output& out, bool sources);
/// `sage operations [--json]`: every operation of the catalogue under the effective
/// configuration: parameters with bounds and defaults, deadline level, interfaces.
int run_operations(session& s, const output& out);
int run_version(const output& out);
int run_node(session& s, const output& out);
/// `sage mcp`: serves MCP over stdin/stdout until end of input or SIGINT/SIGTERM (exit 0).
int run_mcp(session& s, const output& out);

/// Arguments of `sage serve`; unset optionals fall back to the configuration.
struct serve_args {
  std::string host = "127.0.0.1";  ///< where to listen
  std::optional<int> api_port;     ///< HTTP API port (default server.api_port); 0 = any free port
  std::optional<int> mcp_port;     ///< MCP port (default server.mcp_port); 0 = any free port
  std::optional<int> metrics_port; ///< default server.metrics_port; 0 = any free port
  bool allow_remote = false;       ///< permit a host that is not loopback without an API key
};

/// `sage serve`: serves the HTTP API (`/v1`, `/health`) and MCP over Streamable HTTP (`/mcp`)
/// until SIGINT/SIGTERM, then lets the requests in flight finish and exits 0.
int run_serve(session& s, const output& out, const serve_args& a);

// -- working memory, sessions and the token budget (docs/cli.md) --

/// Arguments of `sage memory …`; optionals are unset when the flag was not given.
struct memory_args {
  std::string id;                          ///< get, update, delete
  std::string content;                     ///< add: the text, `-` = standard input
  std::string text;                        ///< search: the words
  std::optional<std::string> type;         ///< add (default context), update, filter
  std::optional<std::string> priority;     ///< add (default NORMAL), update
  std::optional<std::string> new_content;  ///< update --content (`-` = standard input)
  std::string session_id;                  ///< add, filter, prune, export
  std::string task_id;                     ///< add
  std::vector<std::string> tags;           ///< add; update: the new tags; filter: any of them
  bool all_tags = false;                   ///< filter: every one of the tags
  std::vector<std::string> tags_all;       ///< filter: entries with every one of these
  bool clear_tags = false;                 ///< update: remove every tag
  std::optional<std::string> metadata;     ///< add: a JSON object; update: a merge patch
  std::optional<std::string> min_priority; ///< filter
  std::optional<std::string> max_priority; ///< filter, prune
  std::string order = "created";
  bool ascending = false;
  int limit = 50;
  std::string cursor;
  bool include_summarized = false;
  std::optional<std::string> older_than; ///< prune: a duration
  bool retention = false;                ///< prune: apply memory.retention instead
  std::string file;                      ///< export -o, import (`-` = standard input)
};

int run_memory_add(session& s, const output& out, const memory_args& a);
int run_memory_get(session& s, const output& out, const memory_args& a);
/// `list` and `search` (with `a.text`): one page of entries.
int run_memory_list(session& s, const output& out, const memory_args& a, bool search);
int run_memory_update(session& s, const output& out, const memory_args& a);
int run_memory_delete(session& s, const output& out, const memory_args& a);
int run_memory_prune(session& s, const output& out, const memory_args& a);
int run_memory_export(session& s, const output& out, const memory_args& a);
int run_memory_import(session& s, const output& out, const memory_args& a);

/// Arguments of `sage session …` and `sage budget`.
struct session_args {
  std::string id; ///< the session; resume: the checkpoint
  std::string objective;
  std::vector<std::string> steps; ///< start --step, update --add-step
  std::string task_id;
  std::string label;
  std::optional<std::string> complete_step; ///< index from 0, or the exact text
  std::optional<std::string> action, result, decision, context;
  int64_t max_tokens = 2000;
  std::string status;           ///< status list filter: "", active, ended
  std::string session_id;       ///< budget --session
  std::optional<int64_t> check; ///< budget --check
};

int run_session_start(session& s, const output& out, const session_args& a);
int run_session_resume(session& s, const output& out, const session_args& a);
int run_session_update(session& s, const output& out, const session_args& a);
int run_session_checkpoint(session& s, const output& out, const session_args& a);
int run_session_handoff(session& s, const output& out, const session_args& a);
int run_session_end(session& s, const output& out, const session_args& a);
int run_session_status(session& s, const output& out, const session_args& a);
int run_budget(session& s, const output& out, const session_args& a);

/// Add the `memory`, `session` and `budget` subcommands to `app`; the chosen one sets `action`.
void register_memory_commands(CLI::App& app, session& s, command_action& action);
void register_session_commands(CLI::App& app, session& s, command_action& action);
void register_budget_command(CLI::App& app, session& s, command_action& action);

} // namespace sage::services::cli
