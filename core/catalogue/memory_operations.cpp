// The memory operations: add, search, get, update, delete, and the CLI's bulk ones.
// SPDX-License-Identifier: MIT
#include "core/catalogue/declare.hpp"

#include "core/catalogue/schema.hpp"
#include "core/config.hpp"

namespace sage::core::catalogue {
namespace {

using enum interface_kind;

const std::vector<std::string> memory_types = {"conversation", "decision",   "context",
                                               "summary",      "checkpoint", "artifact"};
constexpr const char* priorities = "EPHEMERAL, LOW, NORMAL, HIGH, CRITICAL, PERMANENT or 0..100";

param entry_id() {
  return param::text("id", "the entry's id (a UUID)").nonempty().needed().positional();
}

param session_id(std::string description) {
  return param::text("session_id", std::move(description)).alias("session").cli('s');
}

/// The most entries one page of a search holds (an MCP result is cut to its token limit).
constexpr int64_t max_memory_page = 1000;

constexpr const char* bulk_reason =
    "a bulk file operation on the database, run on the machine that holds it";

} // namespace

void declare_memory(std::vector<operation>& out, const config& cfg) {
  out.push_back({
      .name = "memory_add",
      .area = "memory",
      .title = "Add a memory entry",
      .summary = "store a text in working memory; answers the entry with its id and tokens",
      .description = "Store a note in working memory: a decision, context, conversation "
                     "excerpt, summary or artifact, with a priority (higher survives pruning "
                     "longer), optional session, task and tags. Returns the entry with its id "
                     "and token count.",
      .parameters = {param::text("content",
                                 "the text to remember (on the CLI, - reads standard input)",
                                 static_cast<size_t>(cfg.memory_max_content_bytes))
                         .nonempty()
                         .needed()
                         .positional()
                         .configured("memory.max_content_bytes"),
                     param::choice("type", "kind of entry", memory_types).fallback("context"),
                     param::priority("priority", std::string("importance: ") + priorities)
                         .fallback("NORMAL")
                         .cli('p'),
                     session_id("the session it belongs to"),
                     param::text("task_id", "the task it belongs to").alias("task"),
                     param::texts("tags", "words to find it by", 50).alias("tag").cli('t'),
                     param::object("metadata", "any JSON object")},
      .result = memory_entry_schema(),
      .timeout = timeout_level::t2,
      .cli_command = "memory add",
      .mcp = true,
      .http = http_binding{"POST", "/v1/memory", 201},
  });

  out.push_back({
      .name = "memory_search",
      .area = "memory",
      .title = "Search working memory",
      .summary = "entries by words, session, type, tags and priority, a page at a time",
      .description = "Find memory entries by words in their content and by session, type, "
                     "tags and priority, newest first. Pages with `cursor` (the `next_cursor` "
                     "of the previous answer).",
      .parameters =
          {param::text("query", "words that must all occur in the content").positional().alias("q"),
           session_id("only this session"),
           param::choice("type", "only this kind of entry", memory_types),
           param::texts("tags", "entries with at least one of these tags", 50)
               .alias("tag")
               .cli('t'),
           param::texts("tags_all", "entries with every one of these tags", 50),
           param::flag("all_tags", "read `tags` as tags every entry must have")
               .without({mcp}, "tags_all says the same"),
           param::priority("min_priority", std::string("lowest priority: ") + priorities),
           param::priority("max_priority", std::string("highest priority: ") + priorities),
           param::choice("order", "sort key", {"created", "updated", "priority"})
               .fallback("created"),
           param::flag("ascending", "oldest or lowest first").alias("asc"),
           param::integer("limit", "entries per page", 1, max_memory_page).fallback(50).cli('n'),
           param::text("cursor", "next_cursor of the previous page"),
           param::flag("include_summarized", "include entries replaced by a summary")},
      .result = object_result({{"entries", {{"type", "array"}, {"items", memory_entry_schema()}}},
                               {"count", {{"type", "integer"}}},
                               {"next_cursor", string_prop("empty on the last page")}},
                              {"entries", "count", "next_cursor"}),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = "memory search",
      .mcp = true,
      .http = http_binding{"GET", "/v1/memory"},
  });

  out.push_back({
      .name = "memory_get",
      .area = "memory",
      .title = "Get a memory entry",
      .summary = "one entry by its id",
      .description = "Read one memory entry by its id, with its content, type, priority, tags "
                     "and timestamps.",
      .parameters = {entry_id()},
      .result = memory_entry_schema(),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = "memory get",
      .mcp = true,
      .http = http_binding{"GET", "/v1/memory/{id}"},
  });

  out.push_back({
      .name = "memory_update",
      .area = "memory",
      .title = "Update a memory entry",
      .summary = "change an entry's content, type, priority or tags, or merge into its metadata",
      .description = "Change an entry's content, priority, type or tags (replaced), or merge "
                     "keys into its metadata (a null value removes a key). Pass the id and at "
                     "least one change.",
      .parameters =
          {entry_id(),
           param::text("content", "new content", static_cast<size_t>(cfg.memory_max_content_bytes))
               .nonempty()
               .configured("memory.max_content_bytes"),
           param::choice("type", "new kind", memory_types),
           param::priority("priority", std::string("new importance: ") + priorities).cli('p'),
           param::texts("tags", "new tags, replacing the old ([] removes every tag)", 50)
               .alias("tag")
               .cli('t'),
           param::object("metadata", "keys to merge into the metadata (null removes a key)")},
      .result = memory_entry_schema(),
      .timeout = timeout_level::t2,
      .idempotent = true,
      .destructive = true,
      .cli_command = "memory update",
      .mcp = true,
      .http = http_binding{"PATCH", "/v1/memory/{id}"},
  });

  out.push_back({
      .name = "memory_delete",
      .area = "memory",
      .title = "Delete a memory entry",
      .summary = "delete one entry for good",
      .description = "Delete one memory entry by its id, for good.",
      .parameters = {entry_id()},
      .result =
          object_result({{"deleted", string_prop("the id of the deleted entry")}}, {"deleted"}),
      .timeout = timeout_level::t2,
      .idempotent = true,
      .destructive = true,
      .cli_command = "memory delete",
      .mcp = true,
      .http = http_binding{"DELETE", "/v1/memory/{id}", 200},
  });

  for (auto [name, command, summary] :
       {std::tuple{"memory_prune", "memory prune",
                   "delete the entries matching every criterion given (never PERMANENT ones)"},
        std::tuple{"memory_export", "memory export", "entries as JSON lines, oldest first"},
        std::tuple{"memory_import", "memory import",
                   "add the entries of an export; ids already present are skipped"}})
    out.push_back({
        .name = name,
        .area = "memory",
        .title = summary,
        .summary = summary,
        .result = {{"type", "object"}},
        .timeout = timeout_level::t5,
        .destructive = std::string(name) == "memory_prune",
        .cli_command = command,
        .mcp_left_out = bulk_reason,
        .http_left_out = bulk_reason,
    });
}

} // namespace sage::core::catalogue
