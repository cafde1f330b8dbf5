// The knowledge tools: get_knowledge, get_context, search_knowledge, get_guidelines,
// get_framework, get_template and kb_info.
// SPDX-License-Identifier: MIT
#include "services/mcp/tools.hpp"
#include "services/mcp/tools_support.hpp"

#include "actors/engine.hpp"
#include "core/catalogue/catalogue.hpp"
#include "core/kb_summary.hpp"
#include "core/knowledge_base.hpp"
#include "core/knowledge_ops.hpp"

namespace sage::services::mcp {
namespace {

using namespace tools;

constexpr const char* layers_hint = "call kb_info to see the layers and their documents";
constexpr const char* search_hint = "call search_knowledge to find documents by topic";

/// The budget a knowledge tool uses when none is asked for: the parameter's MCP default, else
/// its plain default. Read at registration: handlers outlive the catalogue.
int64_t default_budget(const core::catalogue::operation& op) {
  const auto* p = op.find("budget");
  const auto& fallback = p->mcp_default.is_null() ? p->default_value : p->mcp_default;
  return fallback.get<int64_t>();
}

/// The budget asked for, else `fallback`, lowered to what fits a tool result with a notice.
uint64_t budget_of(const json& args, int64_t fallback, std::string& notice) {
  return knowledge_budget(integer(args, "budget", fallback), notice);
}

tool_output load_answer(const core::result<core::load_result>& r, const std::string& notice,
                        std::string_view hint) {
  if (!r) return tool_output::failure(r.err(), hint);
  return {load_result_structured(*r, notice), load_result_text(*r, notice)};
}

void add_named(tool_registry& reg, actors::engine& engine, const core::catalogue::operation& op,
               core::named_kind kind) {
  reg.add(tool_of(op, [&engine, fallback = default_budget(op), kind](const json& args) {
    std::string notice;
    actors::named_request req;
    req.kind = static_cast<uint8_t>(kind);
    req.name = str(args, "name");
    req.budget = budget_of(args, fallback, notice);
    return load_answer(engine.calls().named(std::move(req)), notice, search_hint);
  }));
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

void add_knowledge_tools(tool_registry& reg, actors::engine& engine,
                         const core::catalogue::catalogue& catalogue) {
  const auto& get = catalogue.at("get_knowledge");
  reg.add(tool_of(get, [&engine, fallback = default_budget(get)](const json& args) {
    std::string notice;
    actors::get_request req;
    req.target = str(args, "target");
    req.budget = budget_of(args, fallback, notice);
    req.include_retired = args.value("include_retired", false);
    return load_answer(engine.calls().get(std::move(req)), notice, layers_hint);
  }));

  const auto& context = catalogue.at("get_context");
  reg.add(tool_of(context, [&engine, fallback = default_budget(context)](const json& args) {
    std::string notice;
    actors::context_request req;
    req.task = str(args, "task");
    req.budget = budget_of(args, fallback, notice);
    req.layers = strings(args, "layers");
    return load_answer(engine.calls().context(std::move(req)), notice, layers_hint);
  }));

  const auto& search = catalogue.at("search_knowledge");
  auto default_limit = search.find("limit")->default_value.get<int64_t>();
  reg.add(tool_of(search, [&engine, default_limit](const json& args) {
    core::search_params p;
    p.query = str(args, "query");
    p.limit = static_cast<int>(integer(args, "limit", default_limit));
    p.layers = strings(args, "layers");
    p.tags = strings(args, "tags");
    p.include_retired = args.value("include_retired", false);
    auto r = engine.calls().search(std::move(p));
    if (!r) return tool_output::failure(r.err(), layers_hint);
    return tool_output{core::to_json(*r), render_search(*r)};
  }));

  add_named(reg, engine, catalogue.at("get_guidelines"), core::named_kind::guideline);
  add_named(reg, engine, catalogue.at("get_framework"), core::named_kind::framework);
  add_named(reg, engine, catalogue.at("get_template"), core::named_kind::template_);

  reg.add(tool_of(catalogue.at("kb_info"), [&engine](const json&) {
    auto info = engine.calls().info();
    if (!info) return tool_output::failure(info.err(), "try again in a moment");
    auto layers = engine.calls().layers();
    if (!layers) return tool_output::failure(layers.err(), "try again in a moment");
    return tool_output{{{"info", core::to_json(*info)}, {"layers", core::to_json(*layers)}},
                       render_info(*info, *layers)};
  }));
}

} // namespace sage::services::mcp
