// The memory routes: create and query entries, read, change and delete one.
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"
#include "services/http/routes_support.hpp"

#include "core/catalogue/catalogue.hpp"
#include "core/catalogue/schema.hpp"

#include "actors/engine.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"

namespace sage::services::http {
namespace {

using namespace core::catalogue;

constexpr const char* entry_hint = "GET /v1/memory lists entries with their ids";
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
  q.text = str(c.params, "query");
  if (auto s = opt_str(c.params, "session_id")) {
    if (auto err = check_id(*s, "session id", "GET /v1/sessions lists sessions")) return *err;
    q.session_id = *s;
  }
  if (auto t = opt_str(c.params, "type")) q.type = *core::parse_memory_type(*t);
  auto tags = strings(c.params, "tags");
  bool all = c.params.value("all_tags", false);
  if (all && tags.empty())
    return bad_request("all_tags needs at least one tag",
                       "e.g. ?tags=api&tags=retry&all_tags=true");
  (all ? q.tags_all : q.tags_any) = std::move(tags);
  for (auto& t : strings(c.params, "tags_all"))
    q.tags_all.push_back(std::move(t));
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

void add_memory_routes(route_table& table, actors::engine& engine,
                       const core::catalogue::catalogue& catalogue) {
  table.add(route_of(catalogue.at("memory_add"), [&engine](const call& c) -> core::result<reply> {
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
  }));

  table.add(
      route_of(catalogue.at("memory_search"), [&engine](const call& c) -> core::result<reply> {
        auto q = query_of(c);
        if (!q) return q.err();
        auto page = engine.calls().memory_query(std::move(*q));
        if (!page) return page.err();
        auto entries = json::array();
        for (const auto& e : page->entries)
          entries.push_back(core::to_json(e));
        return json_reply(
            {{"entries", std::move(entries)},
             {"count", page->entries.size()},
             {"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}});
      }));

  auto id_param = path_param("id", "the entry's id (a UUID)");

  table.add(route_of(catalogue.at("memory_get"), [&engine](const call& c) -> core::result<reply> {
    auto id = str(c.params, "id");
    if (auto err = check_id(id, "memory entry id", entry_hint)) return *err;
    return entry_reply(engine.calls().memory_get(id));
  }));

  table.add(
      route_of(catalogue.at("memory_update"), [&engine](const call& c) -> core::result<reply> {
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
        if (!change.content && !change.type && !change.priority && !change.tags && !change.metadata)
          return bad_request("nothing to change",
                             "send at least one of content, type, priority, tags or metadata");
        return entry_reply(engine.calls().memory_update(id, std::move(change)));
      }));

  table.add(
      route_of(catalogue.at("memory_delete"), [&engine](const call& c) -> core::result<reply> {
        auto id = str(c.params, "id");
        if (auto err = check_id(id, "memory entry id", entry_hint)) return *err;
        auto r = engine.calls().memory_delete(id);
        if (!r) return r.err();
        return json_reply({{"deleted", *r}});
      }));
}

} // namespace sage::services::http
