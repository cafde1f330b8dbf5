// CLI commands about the knowledge base and the tool itself: layers, info, validate, config
// show, version.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"

#include "core/kb_loader.hpp"
#include "core/layers.hpp"
#include "core/validate.hpp"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace sage::services::cli {
namespace {

struct layer_totals {
  size_t documents = 0, sections = 0, tokens = 0;
};

/// Documents, sections and exact tokens per layer, in layer order (`other` last, if used).
std::vector<std::pair<std::string, layer_totals>> totals_by_layer(runtime& rt) {
  std::map<std::string, layer_totals> totals;
  for (const auto& d : rt.kb->documents) {
    auto& t = totals[d.layer];
    ++t.documents;
    t.sections += d.sections.size();
    for (const auto& s : d.sections)
      t.tokens += rt.tokens->count(s.text);
  }
  std::vector<std::pair<std::string, layer_totals>> out;
  for (const auto& l : rt.cfg.layers)
    out.emplace_back(l.name, totals[l.name]);
  if (totals.count(std::string(core::other_layer)))
    out.emplace_back(std::string(core::other_layer), totals[std::string(core::other_layer)]);
  return out;
}

} // namespace

int run_layers(session& s, const output& out) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto totals = totals_by_layer(**rt);
  auto folder_of = [&](const std::string& name) -> std::pair<std::string, std::string> {
    for (const auto& l : (*rt)->cfg.layers)
      if (l.name == name) return {l.folder, std::to_string(l.priority)};
    return {"(elsewhere)", "-"};
  };
  auto always_of = [&](const std::string& name) {
    for (const auto& l : (*rt)->cfg.layers)
      if (l.name == name) return l.always;
    return false;
  };
  if (out.json()) {
    auto layers = nlohmann::json::array();
    for (const auto& [name, t] : totals) {
      auto [folder, priority] = folder_of(name);
      layers.push_back({{"name", name},
                        {"folder", folder},
                        {"priority", priority == "-" ? nlohmann::json(nullptr)
                                                     : nlohmann::json(std::stoi(priority))},
                        {"always_loaded", always_of(name)},
                        {"documents", t.documents},
                        {"sections", t.sections},
                        {"tokens", t.tokens}});
    }
    out.print_json({{"layers", layers}, {"encoding", (*rt)->tokens->encoding()}});
    return ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, t] : totals) {
    auto [folder, priority] = folder_of(name);
    rows.push_back({priority, name, folder, always_of(name) ? "always" : "on demand",
                    std::to_string(t.documents), std::to_string(t.sections),
                    std::to_string(t.tokens)});
  }
  out.table({"priority", "layer", "folder", "loaded", "documents", "sections", "tokens"}, rows);
  return ok;
}

int run_info(session& s, const output& out) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  const auto& kb = *(*rt)->kb;
  const auto& cfg = (*rt)->cfg;
  size_t sections = 0;
  for (const auto& d : kb.documents)
    sections += d.sections.size();
  nlohmann::json j = {
      {"version", SAGE_VERSION},
      {"kb_path", kb.root.string()},
      {"documents", kb.documents.size()},
      {"sections", sections},
      {"problems", kb.problems.size()},
      {"index",
       {{"generation", kb.stamp.generation},
        {"built_at", kb.stamp.built_at},
        {"build_ms", kb.stats.build_ms},
        {"scan_ms", kb.stats.scan_ms},
        {"cache_read_ms", kb.stats.cache_ms},
        {"parse_ms", kb.stats.parse_ms},
        {"index_ms", kb.stats.index_ms},
        {"files_parsed", kb.stats.files_parsed},
        {"files_from_cache", kb.stats.files_from_cache}}},
      {"config",
       {{"token_encoding", cfg.token_encoding},
        {"default_budget", cfg.loading.default_budget},
        {"core_share", cfg.loading.core_share},
        {"cache_dir", cfg.cache_enabled ? cfg.cache_dir : std::string("(disabled)")},
        {"layers", cfg.layers.size()},
        {"triggers", cfg.triggers.size()}}}};
  if (out.json()) {
    out.print_json(j);
    return ok;
  }
  std::vector<std::vector<std::string>> rows = {
      {"version", SAGE_VERSION},
      {"knowledge base", kb.root.string()},
      {"documents", std::to_string(kb.documents.size())},
      {"sections", std::to_string(sections)},
      {"index generation", std::to_string(kb.stamp.generation)},
      {"built at", kb.stamp.built_at},
      {"build", std::to_string(static_cast<int>(kb.stats.build_ms)) + " ms, " +
                    std::to_string(kb.stats.files_parsed) + " files parsed, " +
                    std::to_string(kb.stats.files_from_cache) + " from cache"},
      {"token encoding", cfg.token_encoding},
      {"default budget", std::to_string(cfg.loading.default_budget) + " tokens"},
      {"cache", cfg.cache_enabled ? cfg.cache_dir : "disabled"},
      {"problems",
       std::to_string(kb.problems.size()) + (kb.problems.empty() ? "" : " (run `sage validate`)")}};
  out.table({"", ""}, rows);
  return ok;
}

int run_validate(session& s, const output& out) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto report = core::validate_knowledge_base(*(*rt)->kb);
  if (out.json()) {
    out.print_json(core::to_json(report));
  } else {
    for (const auto& i : report.issues) {
      auto where = i.path + (i.line ? ":" + std::to_string(i.line) : "");
      std::cout << (i.severity == "error" ? out.bold("error") : out.dim("warning")) << "  " << where
                << "  " << i.message << '\n';
    }
    std::cout << report.files_checked << " files, " << report.links_checked
              << " internal links checked: " << report.errors() << " errors, " << report.warnings()
              << " warnings\n";
  }
  return report.errors() == 0 ? ok : failure;
}

int run_config_show(session& s, const output& out, bool sources) {
  auto cfg = load_effective_config(s.options);
  if (!cfg) return out.fail(cfg.err());
  if (out.json())
    out.print_json(core::to_json(*cfg, sources));
  else
    std::cout << core::to_yaml(*cfg, sources) << '\n';
  return ok;
}

int run_version(const output& out) {
  if (out.json())
    out.print_json({{"name", "sage"}, {"version", SAGE_VERSION}});
  else
    std::cout << "sage " << SAGE_VERSION << '\n';
  return ok;
}

} // namespace sage::services::cli
