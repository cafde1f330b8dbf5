// The knowledge routes: get, context, search, layers, info and the named documents.
// SPDX-License-Identifier: MIT
#include "services/http/routes.hpp"

#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/kb_summary.hpp"
#include "core/knowledge_base.hpp"
#include "core/knowledge_ops.hpp"

namespace sage::services::http {
namespace {

using namespace mcp::tools;

constexpr int64_t max_budget = 1'000'000;

json budget_schema() {
  return integer_schema(1, max_budget);
}

/// The answer of every route that loads knowledge: a LoadResult, as `sage get --json` prints.
json load_result_answer() {
  return {
      {"type", "object"},
      {"required", {"content", "tokens", "status", "complete", "sections", "omitted", "budget"}},
      {"properties",
       {{"content", string_prop("Markdown; each included section headed by its source")},
        {"tokens", {{"type", "integer"}}},
        {"status",
         enum_prop("how the answer was built", {"success", "partial", "fallback", "error"})},
        {"complete", {{"type", "boolean"}}},
        {"files_loaded", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"sections", {{"type", "array"}}},
        {"omitted", {{"type", "array"}}},
        {"budget", {{"type", "object"}}},
        {"errors", {{"type", "array"}}},
        {"index", {{"type", "object"}}}}}};
}

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

void add_named(route_table& table, actors::engine& engine, const named_area& a) {
  std::string segment = a.segment;
  table.add({.method = "GET",
             .pattern = "/v1/" + segment,
             .operation_id = a.list_id,
             .summary = std::string("The ") + a.what + " documents",
             .tag = "knowledge",
             .answer = {{"type", "object"}},
             .answer_description = "the documents of the layer with their titles",
             .handle = [&engine, segment](const call&) -> core::result<reply> {
               auto listing = engine.calls().documents(segment);
               if (!listing) return listing.err();
               return json_reply(core::to_json(*listing));
             }});
  table.add({.method = "GET",
             .pattern = "/v1/" + segment + "/{name}",
             .operation_id = a.get_id,
             .summary = std::string("A ") + a.what + " by name, alias or unique prefix",
             .tag = "knowledge",
             .parameters = {path_param("name", std::string("name or alias of the ") + a.what),
                            query_param("budget", budget_schema(), "most tokens to return")},
             .answer = load_result_answer(),
             .handle = [&engine, kind = a.kind](const call& c) -> core::result<reply> {
               actors::named_request req;
               req.kind = static_cast<uint8_t>(kind);
               req.name = str(c.params, "name");
               req.budget = static_cast<uint64_t>(integer(c.params, "budget", 0));
               return load_reply(engine.calls().named(std::move(req)));
             }});
}

} // namespace

void add_knowledge_routes(route_table& table, actors::engine& engine) {
  table.add(
      {.method = "GET",
       .pattern = "/v1/knowledge",
       .operation_id = "getKnowledge",
       .summary = "A layer or a document, sections in document order within a budget",
       .tag = "knowledge",
       .parameters = {query_param("layer", text_schema(), "a layer name or number (`core`, `0`)"),
                      query_param("path", text_schema(),
                                  "a KB-relative document or folder path, `.md` optional, or a "
                                  "knowledge:// URI"),
                      query_param("budget", budget_schema(), "most tokens; default: no limit"),
                      query_param("include_retired", boolean_schema(),
                                  "serve deprecated and archived documents too")},
       .answer = load_result_answer(),
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto layer = opt_str(c.params, "layer");
         auto path = opt_str(c.params, "path");
         if (layer.has_value() == path.has_value())
           return bad_request("pass exactly one of `layer` and `path`",
                              "e.g. /v1/knowledge?layer=core or "
                              "/v1/knowledge?path=guidelines/code_style");
         actors::get_request req;
         req.target = layer ? *layer : *path;
         req.budget = static_cast<uint64_t>(integer(c.params, "budget", 0));
         req.include_retired = c.params.value("include_retired", false);
         return load_reply(engine.calls().get(std::move(req)));
       }});

  table.add(
      {.method = "POST",
       .pattern = "/v1/context",
       .operation_id = "getContext",
       .summary = "Smart loading: the knowledge most relevant to a task within a token budget",
       .tag = "knowledge",
       .body = input_schema({{"task", string_prop("what is about to be done", 1)},
                             {"budget", integer_prop("token budget (default "
                                                     "loading.default_budget)",
                                                     1, max_budget)},
                             {"layers", strings_prop("restrict candidates to these layers", 50)}},
                            {"task"}),
       .answer = load_result_answer(),
       .handle = [&engine](const call& c) -> core::result<reply> {
         auto task = str(c.body, "task");
         if (task.find_first_not_of(" \t\r\n") == std::string::npos)
           return bad_request("empty task description",
                              "describe the task, e.g. {\"task\": \"add retries\"}");
         actors::context_request req;
         req.task = std::move(task);
         req.budget = static_cast<uint64_t>(integer(c.body, "budget", 0));
         req.layers = strings(c.body, "layers");
         return load_reply(engine.calls().context(std::move(req)));
       }});

  table.add({.method = "GET",
             .pattern = "/v1/search",
             .operation_id = "search",
             .summary = "Ranked sections matching the words",
             .tag = "knowledge",
             .parameters = {query_param("q", text_schema(), "the words to search for", true),
                            query_param("limit", integer_schema(1, 50),
                                        "number of results (default 10, at most 50)"),
                            query_param("layer", texts_schema(50),
                                        "only these layers (repeat for several)"),
                            query_param("tag", texts_schema(50),
                                        "only documents with any of these tags (repeatable)"),
                            query_param("include_retired", boolean_schema(),
                                        "include deprecated and archived documents")},
             .answer = {{"type", "object"},
                        {"required", {"query", "results", "count"}},
                        {"properties",
                         {{"query", {{"type", "string"}}},
                          {"results", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                          {"count", {{"type", "integer"}}}}}},
             .handle = [&engine](const call& c) -> core::result<reply> {
               core::search_params p;
               p.query = str(c.params, "q");
               p.limit = static_cast<int>(integer(c.params, "limit", 0));
               p.layers = strings(c.params, "layer");
               p.tags = strings(c.params, "tag");
               p.include_retired = c.params.value("include_retired", false);
               auto r = engine.calls().search(std::move(p));
               if (!r) return r.err();
               return json_reply(core::to_json(*r));
             }});

  table.add({.method = "GET",
             .pattern = "/v1/layers",
             .operation_id = "listLayers",
             .summary = "Layers with document, section and token counts",
             .tag = "knowledge",
             .answer = {{"type", "object"}},
             .handle = [&engine](const call&) -> core::result<reply> {
               auto r = engine.calls().layers();
               if (!r) return r.err();
               return json_reply(core::to_json(*r));
             }});

  table.add({.method = "GET",
             .pattern = "/v1/info",
             .operation_id = "getInfo",
             .summary = "Version, knowledge base, index generation and configuration summary",
             .tag = "knowledge",
             .answer = {{"type", "object"}},
             .handle = [&engine](const call&) -> core::result<reply> {
               auto r = engine.calls().info();
               if (!r) return r.err();
               return json_reply(core::to_json(*r));
             }});

  const named_area areas[] = {
      {"guidelines", core::named_kind::guideline, "guideline", "listGuidelines", "getGuideline"},
      {"frameworks", core::named_kind::framework, "framework", "listFrameworks", "getFramework"},
      {"templates", core::named_kind::template_, "template", "listTemplates", "getTemplate"},
  };
  for (const auto& a : areas)
    add_named(table, engine, a);
}

void add_health_route(route_table& table, std::function<health_answer()> check) {
  table.add(
      {.method = "GET",
       .pattern = "/health",
       .operation_id = "getHealth",
       .summary = "Health of the service and its components (no API key needed)",
       .tag = "system",
       .answer = {{"type", "object"},
                  {"required", {"status", "version", "components"}},
                  {"properties",
                   {{"status", enum_prop("overall status", {"healthy", "degraded", "unhealthy"})},
                    {"version", {{"type", "string"}}},
                    {"components", {{"type", "object"}}}}}},
       .answer_description = "the health report (503 when unhealthy, with the same body)",
       .open = true,
       .handle = [check = std::move(check)](const call&) -> core::result<reply> {
         auto h = check();
         return json_reply(std::move(h.body), h.unhealthy ? 503 : 200);
       }});
}

} // namespace sage::services::http
