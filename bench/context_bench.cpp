// Smart loading quality: for tasks with known relevant documents, how much of the relevant
// material a context keeps and how much of the knowledge base it spends, beside two baselines
// measured in the same run: whole documents ranked by search (document-granular loading) and
// sections by search alone (no triggers, no core share).
// SPDX-License-Identifier: MIT
//
// Usage: context_bench [KB_DIR]   (default: the bundled knowledge base)
#include "core/kb_loader.hpp"
#include "core/knowledge_ops.hpp"
#include "core/section_packer.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

using namespace sage::core;

namespace {

struct task_case {
  const char* task;
  std::vector<std::string> relevant; ///< documents a reviewer expects in the context
};

// Written against the bundled knowledge base; each task names the documents a person would
// open for it.
const std::vector<task_case> cases = {
    {"add retries and timeouts to an HTTP client", {"frameworks/resilience/TIMEOUT_PATTERNS.md"}},
    {"write unit tests for a flaky parser", {"guidelines/TESTING.md"}},
    {"review a pull request that changes the database schema",
     {"practices/CODE_REVIEW.md", "guidelines/SQL.md"}},
    {"set up a new Python service with FastAPI",
     {"guidelines/PYTHON.md", "scenarios/NEW_SERVICE_SETUP.md"}},
    {"investigate a production outage and write a postmortem",
     {"practices/INCIDENT_RESPONSE.md", "templates/POSTMORTEM.md"}},
    {"put a cache in front of a slow API", {"frameworks/performance/CACHING.md"}},
    {"store passwords and API secrets safely", {"guidelines/SECURITY.md"}},
    {"write a bash script that rotates log files", {"guidelines/SHELL.md"}},
    {"hand off this task to another assistant", {"templates/TASK_HANDOFF.md"}},
    {"record an architecture decision",
     {"templates/ADR.md", "frameworks/decisions/DECISION_MAKING.md"}},
    {"refactor a legacy C++ module to use RAII", {"guidelines/CPP.md", "practices/REFACTORING.md"}},
    {"what may the assistant do without asking for approval", {"frameworks/autonomy/LEVELS.md"}},
    {"type the props of a React component in TypeScript", {"guidelines/TYPESCRIPT.md"}},
    {"find out why the service got slower after the last release",
     {"scenarios/PERFORMANCE_REGRESSION.md"}},
    {"document the public API in the README", {"guidelines/DOCUMENTATION.md"}},
    {"plan and estimate a data migration project", {"guidelines/PLANNING.md"}},
};

struct outcome {
  size_t relevant_found = 0, relevant_total = 0, tokens = 0, relevant_tokens = 0;
  bool over_budget = false;
};

/// What an approach loaded: pieces (document path, tokens) and the exact total.
struct loaded {
  std::vector<std::pair<std::string, size_t>> pieces;
  size_t tokens = 0;
};

void score(const task_case& c, const loaded& l, size_t budget, outcome& o) {
  std::set<std::string> files, relevant(c.relevant.begin(), c.relevant.end());
  for (const auto& [path, t] : l.pieces) {
    files.insert(path);
    if (relevant.count(path)) o.relevant_tokens += t;
  }
  for (const auto& r : c.relevant)
    o.relevant_found += files.count(r);
  o.relevant_total += c.relevant.size();
  o.tokens += l.tokens;
  o.over_budget = o.over_budget || l.tokens > budget;
}

loaded from_result(const load_result& r) {
  loaded l;
  for (const auto& s : r.sections)
    l.pieces.emplace_back(s.id.substr(0, s.id.find('#')), s.tokens);
  l.tokens = r.tokens;
  return l;
}

/// Baseline 1: whole documents in order of their best search hit, while they fit.
loaded whole_documents(const op_context& ctx, const std::string& task, size_t budget) {
  search_options so;
  so.limit = 200;
  so.snippets = false;
  loaded out;
  std::set<uint32_t> seen;
  for (const auto& h : ctx.kb.index.search(task, so, ctx.kb.documents, ctx.an)) {
    if (!seen.insert(h.doc).second) continue;
    const auto& doc = ctx.kb.documents[h.doc];
    std::string text;
    for (const auto& s : doc.sections)
      text += s.text;
    auto t = ctx.tokens.count(text);
    if (out.tokens + t > budget) continue;
    out.tokens += t;
    out.pieces.emplace_back(doc.path, t);
  }
  return out;
}

/// Baseline 2: sections by search score alone, packed in rank order (no core share, no
/// triggers, no relevance-per-token).
loaded search_sections(const op_context& ctx, const std::string& task, size_t budget) {
  search_options so;
  so.limit = 200;
  so.snippets = false;
  std::vector<candidate_section> chosen, dropped;
  size_t used = 0;
  for (const auto& h : ctx.kb.index.search(task, so, ctx.kb.documents, ctx.an)) {
    const auto& doc = ctx.kb.documents[h.doc];
    candidate_section c{&doc, &doc.sections[h.section], h.score, 0, h.doc, h.section, 0};
    c.tokens = ctx.tokens.count(render_piece(c));
    if (used + c.tokens > budget) continue;
    used += c.tokens;
    chosen.push_back(c);
  }
  load_result r;
  assemble(chosen, budget, ctx.tokens, r, dropped);
  return from_result(r);
}

} // namespace

int main(int argc, char** argv) {
  auto cfg = default_config();
  std::string root = argc > 1 ? argv[1] : SAGE_DEFAULT_KB_DIR;
  auto kb = load_knowledge_base(cfg, {root, {}, 1, 2, nullptr});
  if (!kb) {
    std::fprintf(stderr, "failed to load %s: %s\n", root.c_str(), kb.err().message.c_str());
    return 2;
  }
  auto tokens = *token_counter::load(cfg.token_encoding, SAGE_DEFAULT_DATA_DIR);
  analyzer an;
  op_context ctx{**kb, cfg, tokens, an};
  size_t kb_tokens = 0;
  for (const auto& d : (*kb)->documents)
    for (const auto& s : d.sections)
      kb_tokens += tokens.count(s.text);
  std::printf("knowledge base: %zu documents, %zu tokens; %zu tasks with %s relevant documents\n",
              (*kb)->documents.size(), kb_tokens, cases.size(), "known");
  std::printf("recall: relevant documents with at least one section in the context; relevant\n"
              "share: part of the tokens spent on relevant documents (the rest is core and other\n"
              "hits); share of KB: tokens per task over all tokens of the knowledge base\n\n");
  std::printf("%-8s %-28s %10s %15s %12s %12s\n", "budget", "approach", "recall", "relevant share",
              "tokens/task", "share of KB");
  for (size_t budget : {1000, 2000, 4000, 8000}) {
    outcome smart, docs, sections;
    for (const auto& c : cases) {
      score(c, from_result(*build_context(ctx, c.task, budget)), budget, smart);
      score(c, whole_documents(ctx, c.task, budget), budget, docs);
      score(c, search_sections(ctx, c.task, budget), budget, sections);
    }
    auto row = [&](const char* name, const outcome& o) {
      double per_task = static_cast<double>(o.tokens) / static_cast<double>(cases.size());
      std::printf("%-8zu %-28s %4zu/%-5zu %14.1f%% %12.0f %11.1f%%%s\n", budget, name,
                  o.relevant_found, o.relevant_total,
                  100.0 * static_cast<double>(o.relevant_tokens) /
                      static_cast<double>(std::max<size_t>(o.tokens, 1)),
                  per_task, 100.0 * per_task / static_cast<double>(kb_tokens),
                  o.over_budget ? "  OVER BUDGET" : "");
    };
    row("sage context", smart);
    row("whole documents by search", docs);
    row("sections by search only", sections);
  }
  return 0;
}
