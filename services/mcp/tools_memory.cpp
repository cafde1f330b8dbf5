// The memory tools: memory_add, memory_search, memory_get, memory_update and memory_delete.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/catalogue/catalogue.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"
#include "core/uuid.hpp"

namespace sage::services::mcp {
namespace {

using namespace tools;

constexpr const char* entry_hint = "call memory_search to find entry ids";
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

void add_memory_tools(tool_registry& reg, actors::engine& engine,
                      const core::catalogue::catalogue& catalogue) {
  reg.add(tool_of(catalogue.at("memory_add"), [&engine](const json& args) {
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
  }));

  reg.add(tool_of(catalogue.at("memory_search"), [&engine](const json& args) {
    core::memory_query q;
    q.text = str(args, "query");
    q.session_id = opt_str(args, "session_id");
    if (q.session_id && !q.session_id->empty())
      if (auto err = core::check_uuid(*q.session_id, "session id", ""))
        return tool_output::failure(*err, "call session_status to list sessions");
    if (args.contains("type")) q.type = *core::parse_memory_type(str(args, "type"));
    q.tags_any = strings(args, "tags");
    q.tags_all = strings(args, "tags_all");
    for (auto [key, target] :
         {std::pair{"min_priority", &q.min_priority}, std::pair{"max_priority", &q.max_priority}}) {
      if (!args.contains(key)) continue;
      auto p = priority_of(args[key]);
      if (!p) return tool_output::failure(p.err(), "pass e.g. \"HIGH\" or 70");
      *target = *p;
    }
    q.order_by = *core::parse_memory_order(str(args, "order", "created"));
    q.descending = !args.value("ascending", false);
    q.limit = static_cast<size_t>(integer(args, "limit", 50));
    q.cursor = str(args, "cursor");
    if (!args.value("include_summarized", false)) q.is_summarized = false;
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
  }));

  reg.add(tool_of(catalogue.at("memory_get"), [&engine](const json& args) {
    return entry_answer(engine.calls().memory_get(str(args, "id")), entry_hint);
  }));

  reg.add(tool_of(catalogue.at("memory_update"), [&engine](const json& args) {
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
    if (!change.content && !change.type && !change.priority && !change.tags && !change.metadata)
      return tool_output::failure("nothing to change; pass at least one of content, "
                                  "type, priority, tags or metadata with the id");
    return entry_answer(engine.calls().memory_update(str(args, "id"), std::move(change)),
                        entry_hint);
  }));

  reg.add(tool_of(catalogue.at("memory_delete"), [&engine](const json& args) {
    auto r = engine.calls().memory_delete(str(args, "id"));
    if (!r) return tool_output::failure(r.err(), entry_hint);
    return tool_output{{{"deleted", *r}}, "deleted memory entry `" + *r + "`"};
  }));
}

} // namespace sage::services::mcp
