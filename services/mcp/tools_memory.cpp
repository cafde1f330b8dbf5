// The memory tools: memory_add, memory_search, memory_get, memory_update and memory_delete.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"
#include "core/uuid.hpp"

namespace sage::services::mcp {
namespace {

using namespace tools;

constexpr const char* entry_hint = "call memory_search to find entry ids";
constexpr const char* type_names[] = {"conversation", "decision",   "context",
                                      "summary",      "checkpoint", "artifact"};

json type_prop(const char* description) {
  return enum_prop(description, {std::begin(type_names), std::end(type_names)});
}

json priority_prop(const char* description) {
  return {{"type", {"string", "integer"}},
          {"description", std::string(description) +
                              ": EPHEMERAL, LOW, NORMAL, HIGH, CRITICAL, PERMANENT or 0..100"}};
}

json entry_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"type", {{"type", "string"}}},
            {"priority", {{"type", "integer"}}},
            {"content", {{"type", "string"}}},
            {"tokens", {{"type", "integer"}}},
            {"session_id", {{"type", "string"}}},
            {"tags", {{"type", "array"}}},
            {"metadata", {{"type", "object"}}}}},
          {"required", {"id", "type", "priority", "content", "tokens"}}};
}

json entry_output_schema() {
  auto s = entry_schema();
  s.erase("type");
  return output_schema(s["properties"], {"id", "type", "priority", "content", "tokens"});
}

/// A priority argument (a level name or a number) as a number; the error says what to pass.
core::result<int> priority_of(const json& v) {
  return core::parse_priority(v.is_string() ? v.get<std::string>() : v.dump());
}

std::string render_entry(const core::memory_entry& e) {
  std::string out = "memory entry `" + e.id + "`: " + core::to_string(e.type) + ", " +
                    core::priority_to_string(e.priority) + ", " + std::to_string(e.tokens) +
                    " tokens";
  if (!e.session_id.empty()) out += ", session `" + e.session_id + "`";
  if (!e.tags.empty()) {
    out += ", tags";
    for (const auto& t : e.tags)
      out += " " + t;
  }
  out += ", created " + e.created_at + "\n\n" + e.content;
  return out;
}

tool_output entry_answer(const core::result<core::memory_entry>& r, std::string_view hint) {
  if (!r) return tool_output::failure(r.err(), hint);
  return {core::to_json(*r), render_entry(*r)};
}

} // namespace

void add_memory_tools(tool_registry& reg, actors::engine& engine) {
  reg.add({"memory_add",
           "Add a memory entry",
           "Store a note in working memory: a decision, context, conversation excerpt, summary "
           "or artifact, with a priority (higher survives pruning longer), optional session, "
           "task and tags. Returns the entry with its id and token count.",
           input_schema({{"content", string_prop("the text to remember", 1)},
                         {"type", type_prop("kind of entry (default context)")},
                         {"priority", priority_prop("importance (default NORMAL)")},
                         {"session_id", string_prop("the session it belongs to")},
                         {"task_id", string_prop("the task it belongs to")},
                         {"tags", strings_prop("words to find it by", 50)},
                         {"metadata", {{"type", "object"}, {"description", "any JSON object"}}}},
                        {"content"}),
           entry_output_schema(),
           {false, false, false},
           [&engine](const json& args) {
             core::memory_entry e;
             e.content = str(args, "content");
             if (args.contains("type")) e.type = *core::parse_memory_type(str(args, "type"));
             if (args.contains("priority")) {
               auto p = priority_of(args["priority"]);
               if (!p) return tool_output::failure(p.err(), "pass e.g. \"HIGH\" or 70");
               e.priority = *p;
             }
             e.session_id = str(args, "session_id");
             if (!e.session_id.empty())
               if (auto err = core::check_uuid(e.session_id, "session id", ""))
                 return tool_output::failure(*err, "start a session with session_start to get a "
                                                   "session id");
             e.task_id = str(args, "task_id");
             e.tags = strings(args, "tags");
             if (args.contains("metadata")) e.metadata = args["metadata"];
             return entry_answer(engine.calls().memory_add(std::move(e)),
                                 "start a session with session_start to get a session id");
           }});

  reg.add({"memory_search",
           "Search working memory",
           "Find memory entries by words in their content and by session, type, tags and "
           "priority, newest first. Pages with `cursor` (the `next_cursor` of the previous "
           "answer).",
           input_schema({{"query", string_prop("words that must all occur in the content")},
                         {"session_id", string_prop("only this session")},
                         {"type", type_prop("only this kind")},
                         {"tags", strings_prop("entries with at least one of these tags", 50)},
                         {"tags_all", strings_prop("entries with all of these tags", 50)},
                         {"min_priority", priority_prop("lowest priority")},
                         {"max_priority", priority_prop("highest priority")},
                         {"limit", integer_prop("most entries (default 20)", 1, 100)},
                         {"cursor", string_prop("next_cursor of the previous page")}}),
           output_schema({{"entries", {{"type", "array"}, {"items", entry_schema()}}},
                          {"count", {{"type", "integer"}}},
                          {"next_cursor", string_prop("empty on the last page")}},
                         {"entries", "count", "next_cursor"}),
           {true, false, true},
           [&engine](const json& args) {
             core::memory_query q;
             q.text = str(args, "query");
             q.session_id = opt_str(args, "session_id");
             if (q.session_id && !q.session_id->empty())
               if (auto err = core::check_uuid(*q.session_id, "session id", ""))
                 return tool_output::failure(*err, "call session_status to list sessions");
             if (args.contains("type")) q.type = *core::parse_memory_type(str(args, "type"));
             q.tags_any = strings(args, "tags");
             q.tags_all = strings(args, "tags_all");
             for (auto [key, target] : {std::pair{"min_priority", &q.min_priority},
                                        std::pair{"max_priority", &q.max_priority}}) {
               if (!args.contains(key)) continue;
               auto p = priority_of(args[key]);
               if (!p) return tool_output::failure(p.err(), "pass e.g. \"HIGH\" or 70");
               *target = *p;
             }
             q.limit = static_cast<size_t>(integer(args, "limit", 20));
             q.cursor = str(args, "cursor");
             auto page = engine.calls().memory_query(std::move(q));
             if (!page) return tool_output::failure(page.err(), "drop the cursor to start over");
             auto entries = json::array();
             std::string text = std::to_string(page->entries.size()) + " entries";
             for (const auto& e : page->entries) {
               entries.push_back(core::to_json(e));
               text += "\n\n---\n" + render_entry(e);
             }
             if (!page->next_cursor.empty())
               text += "\n\nmore entries: pass cursor \"" + page->next_cursor + "\"";
             return tool_output{{{"entries", std::move(entries)},
                                 {"count", page->entries.size()},
                                 {"next_cursor", page->next_cursor}},
                                std::move(text)};
           }});

  reg.add({"memory_get",
           "Get a memory entry",
           "Read one memory entry by its id, with its content, type, priority, tags and "
           "timestamps.",
           input_schema({{"id", string_prop("the entry's id", 1)}}, {"id"}),
           entry_output_schema(),
           {true, false, true},
           [&engine](const json& args) {
             return entry_answer(engine.calls().memory_get(str(args, "id")), entry_hint);
           }});

  reg.add(
      {"memory_update",
       "Update a memory entry",
       "Change an entry's content, priority, type or tags (replaced), or merge keys into "
       "its metadata (a null value removes a key). Pass the id and at least one change.",
       input_schema(
           {{"id", string_prop("the entry's id", 1)},
            {"content", string_prop("new content", 1)},
            {"type", type_prop("new kind")},
            {"priority", priority_prop("new importance")},
            {"tags", strings_prop("new tags, replacing the old", 50)},
            {"metadata", {{"type", "object"}, {"description", "keys to merge into the metadata"}}}},
           {"id"}),
       entry_output_schema(),
       {false, true, true},
       [&engine](const json& args) {
         core::memory_update change;
         change.content = opt_str(args, "content");
         if (args.contains("type")) change.type = *core::parse_memory_type(str(args, "type"));
         if (args.contains("priority")) {
           auto p = priority_of(args["priority"]);
           if (!p) return tool_output::failure(p.err(), "pass e.g. \"HIGH\" or 70");
           change.priority = *p;
         }
         if (args.contains("tags")) change.tags = strings(args, "tags");
         if (args.contains("metadata")) change.metadata = args["metadata"];
         if (!change.content && !change.type && !change.priority && !change.tags &&
             !change.metadata)
           return tool_output::failure("nothing to change; pass at least one of content, "
                                       "type, priority, tags or metadata with the id");
         return entry_answer(engine.calls().memory_update(str(args, "id"), std::move(change)),
                             entry_hint);
       }});

  reg.add({"memory_delete",
           "Delete a memory entry",
           "Delete one memory entry by its id, for good.",
           input_schema({{"id", string_prop("the entry's id", 1)}}, {"id"}),
           output_schema({{"deleted", string_prop("the id of the deleted entry")}}, {"deleted"}),
           {false, true, true},
           [&engine](const json& args) {
             auto r = engine.calls().memory_delete(str(args, "id"));
             if (!r) return tool_output::failure(r.err(), entry_hint);
             return tool_output{{{"deleted", *r}}, "deleted memory entry `" + *r + "`"};
           }});
}

} // namespace sage::services::mcp
