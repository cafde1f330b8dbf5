// CLI commands about the knowledge base and the tool itself: layers, info, validate, config
// show, version.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"

#include "core/kb_summary.hpp"
#include "core/validate.hpp"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace sage::services::cli {
int run_layers(session& s, const output& out) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto answer = (*rt)->calls().layers();
  if (!answer) return out.fail(answer.err());
  if (out.json()) {
    out.print_json(core::to_json(*answer));
    return ok;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : answer->layers)
    rows.push_back({l.priority < 0 ? "-" : std::to_string(l.priority), l.name, l.folder,
                    l.always_loaded ? "always" : "on demand", std::to_string(l.documents),
                    std::to_string(l.sections), std::to_string(l.tokens)});
  out.table({"priority", "layer", "folder", "loaded", "documents", "sections", "tokens"}, rows);
  return ok;
}

int run_info(session& s, const output& out) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto info = (*rt)->calls().info();
  if (!info) return out.fail(info.err());
  if (out.json()) {
    out.print_json(core::to_json(*info));
    return ok;
  }
  const auto& i = *info;
  std::vector<std::vector<std::string>> rows = {
      {"version", i.version},
      {"knowledge base", i.kb_path},
      {"documents", std::to_string(i.documents)},
      {"sections", std::to_string(i.sections)},
      {"index generation", std::to_string(i.index.generation)},
      {"built at", i.index.built_at},
      {"build", std::to_string(static_cast<int>(i.build_ms)) + " ms, " +
                    std::to_string(i.files_parsed) + " files parsed, " +
                    std::to_string(i.files_from_cache) + " from cache"},
      {"token encoding", i.token_encoding},
      {"default budget", std::to_string(i.default_budget) + " tokens"},
      {"cache", i.cache_dir.empty() ? "disabled" : i.cache_dir},
      {"problems", std::to_string(i.problems) + (i.problems == 0 ? "" : " (run `sage validate`)")}};
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
