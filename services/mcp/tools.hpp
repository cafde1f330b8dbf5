// MCP tools (docs/mcp.md): a registry of tools with their schemas, annotations and
// handlers, and `register_tools`, which puts `tools/list` and `tools/call` on a server.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/mcp/server.hpp"
#include "services/mcp/worker_pool.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sage::actors {
class engine;
} // namespace sage::actors

namespace sage::core::catalogue {
class catalogue;
struct operation;
} // namespace sage::core::catalogue

namespace sage::services::mcp {

// -- limits -------------------------------------------------------------------------------------

/// No tool result (text and structured content together) is larger than this: the limit
/// clients such as Claude Code put on a tool result.
inline constexpr size_t max_result_tokens = 25000;

/// The budget of knowledge tools when the model gives none.
inline constexpr uint64_t default_knowledge_budget = 4000;

/// The largest budget a knowledge tool uses: the content appears in the text and in the
/// structured content, so twice this plus the listing stays under `max_result_tokens`.
inline constexpr uint64_t max_knowledge_budget = 10000;

/// Descriptions are kept under this many bytes (they are read by the model on every turn).
inline constexpr size_t max_description_bytes = 1024;

// -- tools --------------------------------------------------------------------------------------

/// The behaviour hints of `annotations` (`readOnlyHint`, `destructiveHint`, `idempotentHint`).
struct tool_annotations {
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
};

/// What a tool answers: `structured` matches the tool's output schema and `text` renders it
/// for people and models that do not read structured content. An error carries only `text`,
/// which tells the model what to do instead.
struct tool_output {
  nlohmann::json structured = nlohmann::json::object();
  std::string text;
  bool is_error = false;

  static tool_output failure(std::string message);
  /// An engine error as a tool error: its message, and `hint` (what to do instead).
  static tool_output failure(const core::error& err, std::string_view hint);
};

/// Runs one call with arguments already checked against the input schema. Blocks (it calls
/// the engine); runs on a worker thread.
using tool_handler = std::function<tool_output(const nlohmann::json& arguments)>;

struct tool_definition {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;  ///< a JSON Schema of `type: object`
  nlohmann::json output_schema; ///< a JSON Schema of `type: object`
  tool_annotations annotations;
  tool_handler handler;
};

/// The tools of one server. Filled at start-up, read-only afterwards (safe from any thread).
class tool_registry {
public:
  /// `count_tokens` measures results for the `max_tokens` cap.
  explicit tool_registry(std::function<size_t(std::string_view)> count_tokens,
                         size_t max_tokens = max_result_tokens);

  /// Adds a tool. Throws std::invalid_argument for a duplicate name, a description of
  /// `max_description_bytes` or more, or schemas that are not objects (programming errors).
  void add(tool_definition tool);

  const tool_definition* find(std::string_view name) const;

  /// The `tools` array of `tools/list`, in the order the tools were added.
  nlohmann::json list() const;

  /// A `CallToolResult`: checks `arguments` against the input schema (a mismatch is an
  /// `isError` result saying what to pass), runs the handler, and cuts what is over the
  /// token limit with a notice. Never throws.
  nlohmann::json call(const tool_definition& tool, const nlohmann::json& arguments) const;

  size_t size() const { return order_.size(); }

private:
  nlohmann::json cap(nlohmann::json result) const;

  std::function<size_t(std::string_view)> count_tokens_;
  size_t max_tokens_;
  std::vector<std::string> order_;
  std::map<std::string, tool_definition, std::less<>> tools_;
};

/// Registers `tools/list` and `tools/call` for `registry` on `srv`. Calls run on `pool` and
/// are answered through the request's responder (the session needs a `message_sink`). A call
/// cancelled before it starts does not run, one cancelled while running is not answered; a
/// call with a progress token reports 0 of 1 when it starts and 1 of 1 before its answer; a
/// failed call (`isError`) is logged to the client at `warning`.
/// `pool` must outlive every session of `srv`; the registry is kept alive by the handlers.
void register_tool_methods(server& srv, std::shared_ptr<const tool_registry> registry,
                           worker_pool& pool);

// -- SAGE's tools -------------------------------------------------------------------------------

/// get_knowledge, get_context, search_knowledge, get_guidelines, get_framework, get_template,
/// kb_info.
void add_knowledge_tools(tool_registry& registry, actors::engine& engine,
                         const core::catalogue::catalogue& catalogue);

/// memory_add, memory_search, memory_get, memory_update, memory_delete.
void add_memory_tools(tool_registry& registry, actors::engine& engine,
                      const core::catalogue::catalogue& catalogue);

/// budget_status, budget_check, session_start, session_update, session_checkpoint,
/// session_handoff, session_end, session_status.
void add_session_tools(tool_registry& registry, actors::engine& engine,
                       const core::catalogue::catalogue& catalogue);

/// The tool of a catalogue operation: its name, title, description, input schema (the
/// parameters MCP takes), output schema (the result, under `mcp_result_member` when set) and
/// annotations, all from the entry; only the handler is the tool's own.
tool_definition tool_of(const core::catalogue::operation& op, tool_handler handler);

/// The entry point for transports (`sage mcp`, `sage serve`): every operation of the catalogue
/// that MCP offers, registered on `srv`, counting tokens with the engine's tokenizer.
/// `engine` and `pool` must outlive every session of `srv`. Call before the first session
/// starts; returns the registry (for tests and listings).
std::shared_ptr<const tool_registry> register_tools(server& srv, actors::engine& engine,
                                                    worker_pool& pool);

} // namespace sage::services::mcp
