// The knowledge tools: get_knowledge, get_context, search_knowledge, get_guidelines,
// get_framework, get_template and kb_info.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/kb_summary.hpp"
#include "core/knowledge_base.hpp"
#include "core/knowledge_ops.hpp"

namespace sage::services::mcp {
namespace {

using namespace tools;

constexpr const char* layers_hint = "call kb_info to see the layers and their documents";
constexpr const char* search_hint = "call search_knowledge to find documents by topic";

json budget_prop() {
  return integer_prop("most tokens to return (default 4000; more than 10000 is lowered to 10000)",
                      1, 1000000);
}

tool_output load_answer(const core::result<core::load_result>& r, const std::string& notice,
                        std::string_view hint) {
  if (!r) return tool_output::failure(r.err(), hint);
  return {load_result_structured(*r, notice), load_result_text(*r, notice)};
}

void add_named(tool_registry& reg, actors::engine& engine, const char* name, const char* title,
               core::named_kind kind, const char* what) {
  reg.add({name,
           title,
           std::string("Load the ") + what +
               " document with the given name or alias from the knowledge base, within a "
               "token budget (default 4000). Returns the Markdown and what was left out.",
           input_schema({{"name", string_prop(std::string("name or alias of the ") + what, 1)},
                         {"budget", budget_prop()}},
                        {"name"}),
           load_result_schema(),
           {true, false, true},
           [&engine, kind](const json& args) {
             std::string notice;
             actors::named_request req;
             req.kind = static_cast<uint8_t>(kind);
             req.name = str(args, "name");
             req.budget = knowledge_budget(integer(args, "budget", 0), notice);
             return load_answer(engine.calls().named(std::move(req)), notice, search_hint);
           }});
}

std::string render_search(const core::search_answer& a) {
  if (a.results.empty()) {
    std::string out = "no results for \"" + a.query + "\"; try other words or fewer filters";
    for (const auto& e : a.errors)
      out += "\nerror: " + e;
    return out;
  }
  std::string out = std::to_string(a.results.size()) + " results for \"" + a.query + "\":\n";
  int n = 0;
  for (const auto& r : a.results) {
    char score[32];
    std::snprintf(score, sizeof score, "%.2f", r.score);
    out += "\n" + std::to_string(++n) + ". **" + r.title + "** — " + r.section + " (" + r.layer +
           ", `" + r.path + "`, score " + score + ", " + std::to_string(r.tokens) + " tokens)\n";
    if (!r.snippet.empty()) out += "   " + r.snippet + "\n";
  }
  out += "\nload a result with get_knowledge and its path";
  return out;
}

std::string render_info(const core::kb_info& i, const core::layers_answer& l) {
  std::string out = "# knowledge base\n\n" + std::to_string(i.documents) + " documents, " +
                    std::to_string(i.sections) + " sections, index generation " +
                    std::to_string(i.index.generation) + " built " + i.index.built_at +
                    ", tokens counted with " + i.token_encoding + ", sage " + i.version + "\n\n";
  out += "| layer | folder | documents | sections | tokens | always loaded "
         "|\n|---|---|---|---|---|---|\n";
  for (const auto& x : l.layers)
    out += "| " + x.name + " | " + x.folder + " | " + std::to_string(x.documents) + " | " +
           std::to_string(x.sections) + " | " + std::to_string(x.tokens) + " | " +
           (x.always_loaded ? "yes" : "no") + " |\n";
  if (i.problems > 0) out += "\n" + std::to_string(i.problems) + " files have problems\n";
  return out;
}

} // namespace

void add_knowledge_tools(tool_registry& reg, actors::engine& engine) {
  reg.add({"get_knowledge",
           "Get knowledge",
           "Load a layer (name or number), a document path, a folder or a knowledge:// URI from "
           "the knowledge base, sections in document order within a token budget (default "
           "4000). What does not fit is listed under `omitted`. Use get_context instead to "
           "get the most relevant sections for a task.",
           input_schema({{"target", string_prop("a layer, a document path, a folder or a "
                                                "knowledge:// URI, e.g. \"core\"",
                                                1)},
                         {"budget", budget_prop()},
                         {"include_retired", boolean_prop("include retired documents")}},
                        {"target"}),
           load_result_schema(),
           {true, false, true},
           [&engine](const json& args) {
             std::string notice;
             actors::get_request req;
             req.target = str(args, "target");
             req.budget = knowledge_budget(integer(args, "budget", 0), notice);
             req.include_retired = args.value("include_retired", false);
             return load_answer(engine.calls().get(std::move(req)), notice, layers_hint);
           }});

  reg.add({"get_context",
           "Get context for a task",
           "Smart loading: the knowledge most relevant to a task description, packed into a "
           "token budget (default 4000), always-loaded layers first. Lists the sections left "
           "out so you can fetch more. Start here when beginning a task.",
           input_schema({{"task", string_prop("what you are about to do, in a sentence or two", 1)},
                         {"budget", budget_prop()},
                         {"layers", strings_prop("restrict candidates to these layers", 50)}},
                        {"task"}),
           load_result_schema(),
           {true, false, true},
           [&engine](const json& args) {
             std::string notice;
             actors::context_request req;
             req.task = str(args, "task");
             req.budget = knowledge_budget(integer(args, "budget", 0), notice);
             req.layers = strings(args, "layers");
             return load_answer(engine.calls().context(std::move(req)), notice, layers_hint);
           }});

  reg.add({"search_knowledge",
           "Search knowledge",
           "Full-text search over the sections of the knowledge base. Returns ranked hits with "
           "path, title, section, layer, score, a snippet and the section's tokens; load one "
           "with get_knowledge and its path.",
           input_schema({{"query", string_prop("words to search for", 1)},
                         {"limit", integer_prop("most results (default 10)", 1, 50)},
                         {"layers", strings_prop("only these layers", 50)},
                         {"tags", strings_prop("only documents with these tags", 50)}},
                        {"query"}),
           output_schema({{"query", {{"type", "string"}}},
                          {"status", {{"type", "string"}}},
                          {"results", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                          {"count", {{"type", "integer"}}},
                          {"errors", {{"type", "array"}}},
                          {"index", {{"type", "object"}}}},
                         {"query", "results", "count"}),
           {true, false, true},
           [&engine](const json& args) {
             core::search_params p;
             p.query = str(args, "query");
             p.limit = static_cast<int>(integer(args, "limit", 10));
             p.layers = strings(args, "layers");
             p.tags = strings(args, "tags");
             auto r = engine.calls().search(std::move(p));
             if (!r) return tool_output::failure(r.err(), layers_hint);
             return tool_output{core::to_json(*r), render_search(*r)};
           }});

  add_named(reg, engine, "get_guidelines", "Get guidelines", core::named_kind::guideline,
            "guideline");
  add_named(reg, engine, "get_framework", "Get a framework", core::named_kind::framework,
            "framework");
  add_named(reg, engine, "get_template", "Get a template", core::named_kind::template_, "template");

  reg.add({"kb_info",
           "Knowledge base info",
           "What the knowledge base holds: version, document and section counts, index "
           "generation, token encoding, and each layer with its documents, sections and "
           "tokens. Use the layer names with get_knowledge and get_context.",
           input_schema(json::object()),
           output_schema({{"info", {{"type", "object"}}}, {"layers", {{"type", "object"}}}},
                         {"info", "layers"}),
           {true, false, true},
           [&engine](const json&) {
             auto info = engine.calls().info();
             if (!info) return tool_output::failure(info.err(), "try again in a moment");
             auto layers = engine.calls().layers();
             if (!layers) return tool_output::failure(layers.err(), "try again in a moment");
             return tool_output{
                 {{"info", core::to_json(*info)}, {"layers", core::to_json(*layers)}},
                 render_info(*info, *layers)};
           }});
}

} // namespace sage::services::mcp
