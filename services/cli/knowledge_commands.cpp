// CLI commands over the knowledge operations: get, context, search, guidelines/framework/template.
// SPDX-License-Identifier: MIT
#include "services/cli/commands.hpp"

#include "core/kb_paths.hpp"
#include "core/kb_summary.hpp"
#include "core/layers.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace sage::services::cli {
namespace {

std::string fmt(double v, int precision) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

/// Prints a load result: the Markdown on stdout, a summary for people on stderr.
int print_load_result(const output& out, const core::load_result& r) {
  int code = r.status == "success" ? ok : degraded;
  if (out.json()) {
    out.print_json(core::to_json(r));
    return code;
  }
  for (const auto& e : r.errors)
    out.note("warning: " + e);
  std::cout << r.content;
  std::string summary = std::to_string(r.sections.size()) + " sections from " +
                        std::to_string(r.files_loaded.size()) + " files, " +
                        std::to_string(r.tokens) + " tokens";
  if (r.budget_limit > 0) summary += " of a " + std::to_string(r.budget_limit) + "-token budget";
  if (!r.omitted.empty())
    summary += "; " + std::to_string(r.omitted.size()) +
               " sections left out (--json lists them in omitted[])";
  out.note(out.dim("-- " + summary + ", index generation " + std::to_string(r.index.generation)));
  return code;
}

core::result<size_t> budget_of(const knowledge_args& a, size_t fallback) {
  if (a.budget == -1) return fallback;
  if (a.budget <= 0)
    return core::make_error(core::error_code::invalid_argument,
                            "budget must be a positive number of tokens",
                            "pass e.g. --budget 4000");
  return static_cast<size_t>(a.budget);
}

} // namespace

int run_get(session& s, const output& out, const knowledge_args& a) {
  auto budget = budget_of(a, 0);
  if (!budget) return out.fail(budget.err());
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto r = (*rt)->calls().get({a.target, *budget, a.include_retired});
  return r ? print_load_result(out, *r) : out.fail(r.err());
}

int run_named(session& s, const output& out, core::named_kind kind, const knowledge_args& a) {
  auto budget = budget_of(a, 0);
  if (!budget) return out.fail(budget.err());
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  if (a.target.empty()) { // no name: list what there is
    const char* layer = kind == core::named_kind::guideline   ? "guidelines"
                        : kind == core::named_kind::framework ? "frameworks"
                                                              : "templates";
    auto listing = (*rt)->calls().documents(layer);
    if (!listing) return out.fail(listing.err());
    if (out.json()) {
      out.print_json(core::to_json(*listing));
      return ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : listing->documents)
      rows.push_back({d.path, d.title});
    out.table({"path", "title"}, rows);
    return ok;
  }
  auto r = (*rt)->calls().named({static_cast<uint8_t>(kind), a.target, *budget});
  return r ? print_load_result(out, *r) : out.fail(r.err());
}

int run_context(session& s, const output& out, const knowledge_args& a) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  auto budget = budget_of(a, static_cast<size_t>((*rt)->cfg.loading.default_budget));
  if (!budget) return out.fail(budget.err());
  if (a.task.find_first_not_of(" \t\r\n") == std::string::npos)
    return out.fail(core::make_error(core::error_code::invalid_argument, "empty task description",
                                     "describe the task, e.g. `sage context \"add retries\"`"));
  if (!core::is_valid_utf8(a.task))
    return out.fail(core::make_error(core::error_code::invalid_argument,
                                     "task is not valid utf-8 text", "pass the task as UTF-8"));
  auto r = (*rt)->calls().context({a.task, *budget, a.layers});
  return r ? print_load_result(out, *r) : out.fail(r.err());
}

int run_search(session& s, const output& out, const knowledge_args& a) {
  auto rt = s.open();
  if (!rt) return out.fail(rt.err());
  core::search_params p{a.query, a.limit, a.layers, a.tags, a.include_retired};
  auto r = (*rt)->calls().search(p);
  if (!r) return out.fail(r.err());
  int code = r->status == "success" ? ok : degraded;
  if (out.json()) {
    out.print_json(core::to_json(*r));
    return code;
  }
  for (const auto& e : r->errors)
    out.note("warning: " + e);
  if (r->results.empty()) {
    out.note("no matches for \"" + r->query + "\"");
    return code;
  }
  size_t rank = 0;
  for (const auto& hit : r->results) {
    std::cout << out.bold(std::to_string(++rank) + ". " + hit.title)
              << (hit.section.empty() || hit.section == hit.title ? "" : " › " + hit.section)
              << "  " << out.dim(fmt(hit.score, 2)) << '\n';
    std::cout << "   " << out.accent(hit.section_id)
              << out.dim("  [" + hit.layer + ", " + std::to_string(hit.tokens) + " tokens]")
              << '\n';
    if (!hit.snippet.empty()) std::cout << "   " << hit.snippet << '\n';
    std::cout << '\n';
  }
  out.note(out.dim("-- " + std::to_string(r->results.size()) + " results in " +
                   fmt(r->duration_ms, 2) + " ms"));
  return code;
}

} // namespace sage::services::cli
