// The knowledge routes: get, context, search, layers, info and the named documents.
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"

#include "core/catalogue/catalogue.hpp"
#include "core/catalogue/schema.hpp"

#include "actors/engine.hpp"
#include "core/kb_summary.hpp"
#include "core/knowledge_base.hpp"
#include "core/knowledge_ops.hpp"

namespace sage::services::http {
namespace {

using namespace core::catalogue;

core::result<reply> load_reply(core::result<core::load_result> r) {
  if (!r) return r.err();
  return json_reply(core::to_json(*r));
}

struct named_area {
  const char* segment; ///< `guidelines`: the path segment and the layer
  core::named_kind kind;
  const char* what;
  const char* list_id;
  const char* get_id;
};

void add_named(route_table& table, actors::engine& engine,
               const core::catalogue::catalogue& catalogue, const named_area& a) {
  std::string segment = a.segment;
  table.add(
      route_of(catalogue.at(a.list_id), [&engine, segment](const call&) -> core::result<reply> {
        auto listing = engine.calls().documents(segment);
        if (!listing) return listing.err();
        return json_reply(core::to_json(*listing));
      }));
  table.add(route_of(catalogue.at(a.get_id),
                     [&engine, kind = a.kind](const call& c) -> core::result<reply> {
                       actors::named_request req;
                       req.kind = static_cast<uint8_t>(kind);
                       req.name = str(c.params, "name");
                       req.budget = static_cast<uint64_t>(integer(c.params, "budget", 0));
                       return load_reply(engine.calls().named(std::move(req)));
                     }));
}

} // namespace

void add_knowledge_routes(route_table& table, actors::engine& engine,
                          const core::catalogue::catalogue& catalogue) {
  table.add(
      route_of(catalogue.at("get_knowledge"), [&engine](const call& c) -> core::result<reply> {
        actors::get_request req;
        req.target = str(c.params, "target");
        req.budget = static_cast<uint64_t>(integer(c.params, "budget", 0));
        req.include_retired = c.params.value("include_retired", false);
        return load_reply(engine.calls().get(std::move(req)));
      }));

  table.add(route_of(catalogue.at("get_context"), [&engine](const call& c) -> core::result<reply> {
    auto task = str(c.body, "task");
    if (task.find_first_not_of(" \t\r\n") == std::string::npos)
      return bad_request("empty task description",
                         "describe the task, e.g. {\"task\": \"add retries\"}");
    actors::context_request req;
    req.task = std::move(task);
    req.budget = static_cast<uint64_t>(integer(c.body, "budget", 0));
    req.layers = strings(c.body, "layers");
    return load_reply(engine.calls().context(std::move(req)));
  }));

  table.add(
      route_of(catalogue.at("search_knowledge"), [&engine](const call& c) -> core::result<reply> {
        core::search_params p;
        p.query = str(c.params, "query");
        p.limit = static_cast<int>(integer(c.params, "limit", 0));
        p.layers = strings(c.params, "layers");
        p.tags = strings(c.params, "tags");
        p.include_retired = c.params.value("include_retired", false);
        auto r = engine.calls().search(std::move(p));
        if (!r) return r.err();
        return json_reply(core::to_json(*r));
      }));

  table.add(route_of(catalogue.at("list_layers"), [&engine](const call&) -> core::result<reply> {
    auto r = engine.calls().layers();
    if (!r) return r.err();
    return json_reply(core::to_json(*r));
  }));

  table.add(route_of(catalogue.at("get_info"), [&engine](const call&) -> core::result<reply> {
    auto r = engine.calls().info();
    if (!r) return r.err();
    return json_reply(core::to_json(*r));
  }));

  const named_area areas[] = {
      {"guidelines", core::named_kind::guideline, "guideline", "list_guidelines", "get_guidelines"},
      {"frameworks", core::named_kind::framework, "framework", "list_frameworks", "get_framework"},
      {"templates", core::named_kind::template_, "template", "list_templates", "get_template"},
  };
  for (const auto& a : areas)
    add_named(table, engine, catalogue, a);
}

void add_health_route(route_table& table, const core::catalogue::catalogue& catalogue,
                      std::function<health_answer()> check) {
  table.add(route_of(catalogue.at("get_health"),
                     [check = std::move(check)](const call&) -> core::result<reply> {
                       auto h = check();
                       return json_reply(std::move(h.body), h.unhealthy ? 503 : 200);
                     }));
}

} // namespace sage::services::http
