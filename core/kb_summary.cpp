// Summaries of the knowledge base.
// SPDX-License-Identifier: MIT
#include "core/kb_summary.hpp"

#include "core/layers.hpp"

#include <map>
#include <nlohmann/json.hpp>

namespace sage::core {

layers_answer summarize_layers(const op_context& ctx) {
  std::map<std::string, layer_summary> totals;
  for (const auto& d : ctx.kb.documents) {
    auto& t = totals[d.layer];
    ++t.documents;
    t.sections += d.sections.size();
    for (const auto& s : d.sections)
      t.tokens += ctx.tokens.count(s.text);
  }
  layers_answer out;
  for (const auto& l : ctx.cfg.layers) {
    auto t = totals[l.name];
    t.name = l.name;
    t.folder = l.folder;
    t.priority = l.priority;
    t.always_loaded = l.always;
    out.layers.push_back(std::move(t));
  }
  if (auto it = totals.find(std::string(other_layer)); it != totals.end()) {
    auto t = it->second;
    t.name = other_layer;
    t.folder = "(elsewhere)";
    out.layers.push_back(std::move(t));
  }
  out.encoding = ctx.tokens.encoding();
  out.index = ctx.kb.stamp;
  return out;
}

kb_info describe_kb(const op_context& ctx) {
  const auto& kb = ctx.kb;
  kb_info i;
  i.version = SAGE_VERSION;
  i.kb_path = kb.root.string();
  i.documents = kb.documents.size();
  for (const auto& d : kb.documents)
    i.sections += d.sections.size();
  i.problems = kb.problems.size();
  i.index = kb.stamp;
  i.build_ms = kb.stats.build_ms;
  i.scan_ms = kb.stats.scan_ms;
  i.cache_read_ms = kb.stats.cache_ms;
  i.parse_ms = kb.stats.parse_ms;
  i.index_ms = kb.stats.index_ms;
  i.files_parsed = kb.stats.files_parsed;
  i.files_from_cache = kb.stats.files_from_cache;
  i.token_encoding = ctx.cfg.token_encoding;
  i.default_budget = ctx.cfg.loading.default_budget;
  i.core_share = ctx.cfg.loading.core_share;
  i.cache_dir = ctx.cfg.cache_enabled ? ctx.cfg.cache_dir : std::string();
  i.layer_count = ctx.cfg.layers.size();
  i.trigger_count = ctx.cfg.triggers.size();
  return i;
}

result<document_listing> list_documents(const op_context& ctx, std::string_view layer) {
  auto name = resolve_layer_name(layer, ctx.cfg);
  if (!name) return name.err();
  document_listing out;
  out.layer = *name;
  for (const auto* d : ctx.kb.layer_documents(*name))
    out.documents.push_back({d->path, d->title, ctx.kb.uri_of(*d)});
  return out;
}

nlohmann::json to_json(const layers_answer& a) {
  auto layers = nlohmann::json::array();
  for (const auto& l : a.layers)
    layers.push_back(
        {{"name", l.name},
         {"folder", l.folder},
         {"priority", l.priority < 0 ? nlohmann::json(nullptr) : nlohmann::json(l.priority)},
         {"always_loaded", l.always_loaded},
         {"documents", l.documents},
         {"sections", l.sections},
         {"tokens", l.tokens}});
  return {{"layers", layers}, {"encoding", a.encoding}};
}

nlohmann::json to_json(const kb_info& i) {
  return {{"version", i.version},
          {"kb_path", i.kb_path},
          {"documents", i.documents},
          {"sections", i.sections},
          {"problems", i.problems},
          {"index",
           {{"generation", i.index.generation},
            {"built_at", i.index.built_at},
            {"build_ms", i.build_ms},
            {"scan_ms", i.scan_ms},
            {"cache_read_ms", i.cache_read_ms},
            {"parse_ms", i.parse_ms},
            {"index_ms", i.index_ms},
            {"files_parsed", i.files_parsed},
            {"files_from_cache", i.files_from_cache}}},
          {"config",
           {{"token_encoding", i.token_encoding},
            {"default_budget", i.default_budget},
            {"core_share", i.core_share},
            {"cache_dir", i.cache_dir.empty() ? std::string("(disabled)") : i.cache_dir},
            {"layers", i.layer_count},
            {"triggers", i.trigger_count}}}};
}

nlohmann::json to_json(const document_listing& l) {
  auto items = nlohmann::json::array();
  for (const auto& d : l.documents)
    items.push_back({{"path", d.path}, {"title", d.title}, {"uri", d.uri}});
  return {{"layer", l.layer}, {"documents", items}};
}

} // namespace sage::core
