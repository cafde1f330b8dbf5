// The knowledge operations: get, context, search, the named documents, layers and info.
// SPDX-License-Identifier: MIT
#include "core/catalogue/declare.hpp"

#include "core/catalogue/schema.hpp"
#include "core/config.hpp"

namespace sage::core::catalogue {
namespace {

using enum interface_kind;

/// The largest budget any request may ask for.
constexpr int64_t max_budget = 1'000'000;

param budget(std::string description) {
  return param::integer("budget", std::move(description), 1, max_budget).cli('b');
}

/// The budget of a load that has no default elsewhere: a whole layer would not fit a tool
/// result, so MCP uses the configured default (and lowers larger budgets to what fits).
param whole_or_budget(std::string description, const config& cfg) {
  return budget(std::move(description))
      .mcp_fallback(cfg.loading.default_budget,
                    "a tool result holds at most about 25000 tokens; budgets over 10000 are "
                    "lowered to 10000 with a notice");
}

json layers_listing_schema() {
  return object_result({{"layers", {{"type", "array"}, {"items", {{"type", "object"}}}}}},
                       {"layers"});
}

void declare_named(std::vector<operation>& out, const config& cfg, const char* name,
                   const char* list_name, const char* segment, const char* command,
                   const char* what) {
  std::string w = what;
  operation get{
      .name = name,
      .area = "knowledge",
      .title = "Get " + std::string(w == "guideline" ? "guidelines" : "a " + w),
      .summary = "a " + w + " document by name, alias or unique prefix, within a token budget",
      .description = "Load the " + w +
                     " document with the given name or alias from the knowledge base, within a "
                     "token budget. Returns the Markdown and what was left out.",
      .parameters = {param::text("name", "name, alias or unique prefix of the " + w)
                         .nonempty()
                         .needed()
                         .positional(),
                     whole_or_budget("most tokens to return; default: the whole document", cfg)},
      .result = load_result_schema(),
      .timeout = timeout_level::t2,
      .read_only = true,
      .idempotent = true,
      .cli_command = command,
      .mcp = true,
      .http = http_binding{"GET", std::string("/v1/") + segment + "/{name}"},
  };
  out.push_back(std::move(get));
  out.push_back({
      .name = list_name,
      .area = "knowledge",
      .title = "List " + std::string(segment),
      .summary = "the " + w + " documents with their titles",
      .result = object_result({{"documents", {{"type", "array"}}}}, {"documents"}),
      .timeout = timeout_level::t1,
      .read_only = true,
      .idempotent = true,
      .cli_command = command,
      .http = http_binding{"GET", std::string("/v1/") + segment},
      .mcp_left_out = "resources/list names every document, and kb_info counts them by layer",
  });
}

} // namespace

void declare_knowledge(std::vector<operation>& out, const config& cfg) {
  out.push_back({
      .name = "get_knowledge",
      .area = "knowledge",
      .title = "Get knowledge",
      .summary = "a layer, a document, a folder or a knowledge:// URI, sections in document "
                 "order within a token budget",
      .description = "Load a layer (name or number), a document path, a folder or a "
                     "knowledge:// URI from the knowledge base, sections in document order "
                     "within a token budget. What does not fit is listed under `omitted`. Use "
                     "get_context instead to get the most relevant sections for a task.",
      .parameters = {param::text(
                         "target",
                         "a layer, a document path, a folder or a knowledge:// URI, e.g. \"core\"")
                         .nonempty()
                         .needed()
                         .positional()
                         .alias("layer")
                         .alias("path"),
                     whole_or_budget("most tokens to return; default: the whole target", cfg),
                     param::flag("include_retired", "serve deprecated and archived documents too")},
      .result = load_result_schema(),
      .timeout = timeout_level::t3,
      .read_only = true,
      .idempotent = true,
      .cli_command = "get",
      .mcp = true,
      .http = http_binding{"GET", "/v1/knowledge"},
  });

  out.push_back({
      .name = "get_context",
      .area = "knowledge",
      .title = "Get context for a task",
      .summary = "the knowledge most relevant to a task, packed into a token budget",
      .description = "Smart loading: the knowledge most relevant to a task description, packed "
                     "into a token budget, always-loaded layers first. Lists the sections left "
                     "out so you can fetch more. Start here when beginning a task.",
      .parameters = {param::text("task", "what is about to be done, in a sentence or two")
                         .nonempty()
                         .needed()
                         .positional(),
                     budget("most tokens to return")
                         .fallback(cfg.loading.default_budget)
                         .configured("loading.default_budget"),
                     param::texts("layers", "restrict candidates to these layers", 50)
                         .alias("layer")
                         .cli('l')},
      .result = load_result_schema(),
      .timeout = timeout_level::t4,
      .read_only = true,
      .idempotent = true,
      .cli_command = "context",
      .mcp = true,
      .http = http_binding{"POST", "/v1/context"},
  });

  out.push_back({
      .name = "search_knowledge",
      .area = "knowledge",
      .title = "Search knowledge",
      .summary = "ranked sections matching the words",
      .description = "Full-text search over the sections of the knowledge base. Returns ranked "
                     "hits with path, title, section, layer, score, a snippet and the "
                     "section's tokens; load one with get_knowledge and its path.",
      .parameters =
          {param::text("query", "words to search for").nonempty().needed().positional().alias("q"),
           param::integer("limit", "most results", 1, cfg.search.max_limit)
               .fallback(cfg.search.default_limit)
               .configured("search.default_limit, search.max_limit")
               .cli('n'),
           param::texts("layers", "only these layers", 50).alias("layer").cli('l'),
           param::texts("tags", "only documents with any of these tags", 50).alias("tag").cli('t'),
           param::flag("include_retired", "include deprecated and archived documents")},
      .result = search_answer_schema(),
      .timeout = timeout_level::t3,
      .read_only = true,
      .idempotent = true,
      .cli_command = "search",
      .mcp = true,
      .http = http_binding{"GET", "/v1/search"},
  });

  declare_named(out, cfg, "get_guidelines", "list_guidelines", "guidelines", "guidelines",
                "guideline");
  declare_named(out, cfg, "get_framework", "list_frameworks", "frameworks", "framework",
                "framework");
  declare_named(out, cfg, "get_template", "list_templates", "templates", "template", "template");

  out.push_back({
      .name = "list_layers",
      .area = "knowledge",
      .title = "List layers",
      .summary = "layers with document, section and token counts",
      .result = layers_listing_schema(),
      .timeout = timeout_level::t4,
      .read_only = true,
      .idempotent = true,
      .cli_command = "layers",
      .http = http_binding{"GET", "/v1/layers"},
      .mcp_left_out = "kb_info answers the layers together with the summary",
  });

  out.push_back({
      .name = "get_info",
      .area = "knowledge",
      .title = "Knowledge base summary",
      .summary = "version, knowledge base, index generation and configuration summary",
      .result = {{"type", "object"}},
      .timeout = timeout_level::t1,
      .read_only = true,
      .idempotent = true,
      .cli_command = "info",
      .http = http_binding{"GET", "/v1/info"},
      .mcp_left_out = "kb_info answers the summary together with the layers",
  });

  out.push_back({
      .name = "kb_info",
      .area = "knowledge",
      .title = "Knowledge base info",
      .summary = "the summary and the layers in one answer",
      .description = "What the knowledge base holds: version, document and section counts, "
                     "index generation, token encoding, and each layer with its documents, "
                     "sections and tokens. Use the layer names with get_knowledge and "
                     "get_context.",
      .result = object_result({{"info", {{"type", "object"}}}, {"layers", {{"type", "object"}}}},
                              {"info", "layers"}),
      .timeout = timeout_level::t4,
      .read_only = true,
      .idempotent = true,
      .mcp = true,
      .cli_left_out = "sage info and sage layers print its two halves",
      .http_left_out = "GET /v1/info and GET /v1/layers answer its two halves",
  });

  out.push_back({
      .name = "validate_kb",
      .area = "knowledge",
      .title = "Validate the knowledge base",
      .summary = "check structure, front matter, internal links and anchors",
      .result = {{"type", "object"}},
      .timeout = timeout_level::t5,
      .read_only = true,
      .idempotent = true,
      .cli_command = "validate",
      .mcp_left_out = "a check for the people who write the knowledge base, run where its "
                      "files are",
      .http_left_out = "a check for the people who write the knowledge base, run where its "
                       "files are",
  });
}

} // namespace sage::core::catalogue
