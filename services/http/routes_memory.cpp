// The memory routes: create and query entries, read, change and delete one.
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"
#include "services/http/routes_support.hpp"

#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"

namespace sage::services::http {
namespace {

using namespace mcp::tools;

constexpr const char* entry_hint = "GET /v1/memory lists entries with their ids";
constexpr int64_t max_page = 500;

json type_schema(const char* description) {
  return enum_prop(description,
                   {"conversation", "decision", "context", "summary", "checkpoint", "artifact"});
}

json type_query_schema() {
  return enum_schema({"conversation", "decision", "context", "summary", "checkpoint", "artifact"});
}

json priority_schema(const char* description) {
  return {{"type", {"string", "integer"}},
          {"description", std::string(description) +
                              ": EPHEMERAL, LOW, NORMAL, HIGH, CRITICAL, PERMANENT or 0..100"}};
}

json entry_answer() {
  return {{"type", "object"},
          {"required", {"id", "type", "priority", "content", "tokens"}},
          {"properties",
           {{"id", {{"type", "string"}}},
            {"type", {{"type", "string"}}},
            {"priority", {{"type", "integer"}}},
            {"content", {{"type", "string"}}},
            {"tokens", {{"type", "integer"}}},
            {"session_id", {{"type", "string"}}},
            {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
            {"metadata", {{"type", "object"}}},
            {"created_at", {{"type", "string"}}},
            {"updated_at", {{"type", "string"}}}}}};
}

/// A priority given as a level name or a number (body) or as text (query).
core::result<int> priority_of(const json& v) {
  return core::parse_priority(v.is_string() ? v.get<std::string>() : v.dump());
}

core::result<reply> entry_reply(core::result<core::memory_entry> r, int status = 200) {
  if (!r) return r.err();
  auto out = json_reply(core::to_json(*r), status);
  if (status == 201) out.headers["Location"] = "/v1/memory/" + r->id;
  return out;
}

core::result<core::memory_query> query_of(const call& c) {
  core::memory_query q;
  q.text = str(c.params, "q");
  if (auto s = opt_str(c.params, "session")) {
    if (auto err = check_id(*s, "session id", "GET /v1/sessions lists sessions")) return *err;
    q.session_id = *s;
  }
  if (auto t = opt_str(c.params, "type")) q.type = *core::parse_memory_type(*t);
  auto tags = strings(c.params, "tag");
  bool all = c.params.value("all_tags", false);
  if (all && tags.empty())
    return bad_request("all_tags needs at least one tag", "e.g. ?tag=api&tag=retry&all_tags=true");
  (all ? q.tags_all : q.tags_any) = std::move(tags);
  for (auto [key, target] :
       {std::pair{"min_priority", &q.min_priority}, std::pair{"max_priority", &q.max_priority}}) {
    if (!c.params.contains(key)) continue;
    auto p = priority_of(c.params[key]);
    if (!p) return p.err();
    *target = *p;
  }
  if (q.min_priority && q.max_priority && *q.min_priority > *q.max_priority)
    return bad_request("min_priority is above max_priority",
                       "give a range such as ?min_priority=NORMAL&max_priority=CRITICAL");
  q.order_by = *core::parse_memory_order(str(c.params, "order", "created"));
  q.descending = !c.params.value("ascending", false);
  q.limit = static_cast<size_t>(integer(c.params, "limit", 50));
  q.cursor = str(c.params, "cursor");
  if (!c.params.value("include_summarized", false)) q.is_summarized = false;
  return q;
}

} // namespace

void add_memory_routes(route_table& table, actors::engine& engine) {
  table.add(
      {.method = "POST",
       .pattern = "/v1/memory",
       .operation_id = "addMemoryEntry",
       .summary = "Store an entry in working memory",
       .tag = "memory",
       .body =
           input_schema({{"content", string_prop("the text to remember", 1)},
                         {"type", type_schema("kind of entry (default context)")},
                         {"priority", priority_schema("importance (default NORMAL)")},
                         {"session_id", string_prop("the session it belongs to")},
                         {"task_id", string_prop("the task it belongs to")},
                         {"tags", strings_prop("words to find it by", 50)},
                         {"metadata", {{"type", "object"}, {"description", "any JSON object"}}}},
                        {"content"}),
       .status = 201,
       .answer = entry_answer(),
       .answer_description = "the stored entry with its id and tokens (Location names it)",
       .handle = [&engine](const call& c) -> core::result<reply> {
         core::memory_entry e;
         e.content = str(c.body, "content");
         if (auto err = check_not_blank(e.content, "memory entry content",
                                        "send the text to remember as `content`"))
           return *err;
         if (c.body.contains("type")) e.type = *core::parse_memory_type(str(c.body, "type"));
         if (c.body.contains("priority")) {
           auto p = priority_of(c.body["priority"]);
           if (!p) return p.err();
           e.priority = *p;
         }
         e.session_id = str(c.body, "session_id");
         if (!e.session_id.empty())
           if (auto err = check_id(e.session_id, "session id", "POST /v1/sessions starts one"))
             return *err;
         e.task_id = str(c.body, "task_id");
         e.tags = strings(c.body, "tags");
         if (c.body.contains("metadata")) e.metadata = c.body["metadata"];
         return entry_reply(engine.calls().memory_add(std::move(e)), 201);
       }});

  table.add(
      {.method = "GET",
       .pattern = "/v1/memory",
       .operation_id = "queryMemory",
       .summary = "Entries by words, session, type, tags and priority, a page at a time",
       .tag = "memory",
       .parameters =
           {query_param("q", text_schema(), "words that must all occur in the content"),
            query_param("session", text_schema(), "only this session"),
            query_param("type", type_query_schema(), "only this kind of entry"),
            query_param("tag", texts_schema(50), "entries with any of these tags (repeatable)"),
            query_param("all_tags", boolean_schema(), "entries with every one of the tags"),
            query_param("min_priority", text_schema(), "lowest priority (name or 0..100)"),
            query_param("max_priority", text_schema(), "highest priority (name or 0..100)"),
            query_param("order", enum_schema({"created", "updated", "priority"}),
                        "sort key (default created)"),
            query_param("ascending", boolean_schema(), "oldest or lowest first"),
            query_param("limit", integer_schema(1, max_page), "entries per page (default 50)"),
            query_param("cursor", text_schema(), "next_cursor of the previous page"),
            query_param("include_summarized", boolean_schema(),
                        "include entries replaced by a summary")},
       .answer = {{"type", "object"},
                  {"required", {"entries", "count", "next_cursor"}},
                  {"properties",
                   {{"entries", {{"type", "array"}, {"items", entry_answer()}}},
                    {"count", {{"type", "integer"}}},
                    {"next_cursor", {{"type", {"string", "null"}}}}}}},
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto q = query_of(c);
         if (!q) return q.err();
         auto page = engine.calls().memory_query(std::move(*q));
         if (!page) return page.err();
         auto entries = json::array();
         for (const auto& e : page->entries)
           entries.push_back(core::to_json(e));
         return json_reply({{"entries", std::move(entries)},
                            {"count", page->entries.size()},
                            {"next_cursor",
                             page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}});
       }});

  auto id_param = path_param("id", "the entry's id (a UUID)");

  table.add({.method = "GET",
             .pattern = "/v1/memory/{id}",
             .operation_id = "getMemoryEntry",
             .summary = "One entry",
             .tag = "memory",
             .parameters = {id_param},
             .answer = entry_answer(),
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = str(c.params, "id");
               if (auto err = check_id(id, "memory entry id", entry_hint)) return *err;
               return entry_reply(engine.calls().memory_get(id));
             }});

  table.add(
      {.method = "PATCH",
       .pattern = "/v1/memory/{id}",
       .operation_id = "updateMemoryEntry",
       .summary = "Change an entry's content, type, priority or tags, or merge into its metadata",
       .tag = "memory",
       .parameters = {id_param},
       .body = input_schema(
           {{"content", string_prop("new content", 1)},
            {"type", type_schema("new kind")},
            {"priority", priority_schema("new importance")},
            {"tags", strings_prop("new tags, replacing the old ([] removes every tag)", 50)},
            {"metadata", {{"type", "object"}, {"description", "a JSON merge patch"}}}}),
       .answer = entry_answer(),
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto id = str(c.params, "id");
         if (auto err = check_id(id, "memory entry id", entry_hint)) return *err;
         core::memory_update change;
         change.content = opt_str(c.body, "content");
         if (change.content)
           if (auto err = check_not_blank(*change.content, "memory entry content",
                                          "send the new text as `content`"))
             return *err;
         if (c.body.contains("type")) change.type = *core::parse_memory_type(str(c.body, "type"));
         if (c.body.contains("priority")) {
           auto p = priority_of(c.body["priority"]);
           if (!p) return p.err();
           change.priority = *p;
         }
         if (c.body.contains("tags")) change.tags = strings(c.body, "tags");
         if (c.body.contains("metadata")) change.metadata = c.body["metadata"];
         if (!change.content && !change.type && !change.priority && !change.tags &&
             !change.metadata)
           return bad_request("nothing to change",
                              "send at least one of content, type, priority, tags or metadata");
         return entry_reply(engine.calls().memory_update(id, std::move(change)));
       }});

  table.add({.method = "DELETE",
             .pattern = "/v1/memory/{id}",
             .operation_id = "deleteMemoryEntry",
             .summary = "Delete an entry for good",
             .tag = "memory",
             .parameters = {id_param},
             .answer = {{"type", "object"},
                        {"required", {"deleted"}},
                        {"properties", {{"deleted", {{"type", "string"}}}}}},
             .handle = [&engine](const call& c) -> core::result<reply> {
               auto id = str(c.params, "id");
               if (auto err = check_id(id, "memory entry id", entry_hint)) return *err;
               auto r = engine.calls().memory_delete(id);
               if (!r) return r.err();
               return json_reply({{"deleted", *r}});
             }});
}

} // namespace sage::services::http
