// The knowledge operations: get, named documents, context and search.
// SPDX-License-Identifier: MIT
#include "core/knowledge_ops.hpp"

#include "core/kb_paths.hpp"
#include "core/layers.hpp"
#include "core/section_packer.hpp"
#include "core/triggers.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace sage::core {
namespace {

using clock_type = std::chrono::steady_clock;

/// Relevance per token divides by at least this many tokens, so near-empty sections (a bare
/// heading) do not win on density alone.
constexpr size_t density_floor = 40;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

candidate_section make_candidate(const op_context& ctx, const document& doc, size_t s,
                                 double score) {
  return {&doc,
          &doc.sections[s],
          score,
          layer_priority(doc.layer, ctx.kb.layers),
          ctx.kb.index_of(doc),
          s,
          0};
}

std::vector<section_ref> to_refs(std::vector<candidate_section> cs) {
  std::stable_sort(cs.begin(), cs.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  std::vector<section_ref> out;
  for (const auto& c : cs)
    out.push_back({c.sec->id, c.tokens, c.score});
  return out;
}

/// Takes candidates in their order while they fit under `limit`, counting into `used`; the
/// ones that do not fit go to `omitted`.
void take_while_fits(const std::vector<candidate_section>& candidates, size_t limit, size_t& used,
                     std::vector<candidate_section>& chosen,
                     std::vector<candidate_section>& omitted) {
  for (const auto& c : candidates) {
    if (used + c.tokens <= limit) {
      used += c.tokens;
      chosen.push_back(c);
    } else {
      omitted.push_back(c);
    }
  }
}

/// The final answer from what was chosen: exact text within the budget, omissions best first.
load_result finish_result(const op_context& ctx, std::vector<candidate_section>& chosen,
                          std::vector<candidate_section>& omitted, size_t budget) {
  load_result out;
  assemble(chosen, budget, ctx.tokens, out, omitted);
  out.omitted = to_refs(std::move(omitted));
  out.complete = out.omitted.empty();
  return out;
}

/// Hands what was chosen so far to the progress sink, if it wants it now.
void offer_partial(const op_context& ctx, std::vector<candidate_section> chosen, size_t budget) {
  if (!ctx.progress || !ctx.progress->wants_partial()) return;
  std::vector<candidate_section> none;
  auto ready = finish_result(ctx, chosen, none, budget);
  ready.complete = false;
  ready.index = ctx.kb.stamp;
  ctx.progress->partial(ready);
}

bool cancelled(const op_context& ctx) {
  return ctx.progress && ctx.progress->cancelled();
}

/// Sections in the given order while they fit; the rest are omitted. Counting tokens is the
/// slow part over a large layer, so it goes in chunks with a chance to report and stop
/// between them.
load_result pack_in_order(const op_context& ctx, std::vector<candidate_section> all,
                          size_t budget) {
  constexpr size_t chunk = 256;
  std::vector<candidate_section> chosen, omitted;
  size_t used = 0;
  bool stopped = false;
  for (size_t from = 0; from < all.size(); from += chunk) {
    if (cancelled(ctx)) {
      stopped = true; // nobody waits for the rest; say the answer is not whole anyway
      break;
    }
    std::vector<candidate_section> part(
        all.begin() + static_cast<std::ptrdiff_t>(from),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), from + chunk)));
    measure(part, ctx.tokens);
    take_while_fits(part, budget == 0 ? SIZE_MAX : budget, used, chosen, omitted);
    if (from + chunk < all.size()) offer_partial(ctx, chosen, budget);
  }
  auto out = finish_result(ctx, chosen, omitted, budget);
  if (stopped) out.complete = false;
  return out;
}

void stamp(const op_context& ctx, load_result& r, clock_type::time_point start,
           std::chrono::milliseconds timeout) {
  r.index = ctx.kb.stamp;
  r.duration_ms = ms_since(start);
  r.timeout_ms = timeout.count();
}

std::vector<candidate_section> sections_of(const op_context& ctx,
                                           const std::vector<const document*>& docs) {
  std::vector<candidate_section> out;
  for (const auto* doc : docs)
    for (size_t s = 0; s < doc->sections.size(); ++s)
      out.push_back(make_candidate(ctx, *doc, s, 0));
  return out;
}

} // namespace

result<load_result> get_knowledge(const op_context& ctx, std::string_view target, size_t budget,
                                  bool include_retired) {
  auto start = clock_type::now();
  std::vector<const document*> docs;
  // `knowledge://guidelines` (or with a trailing `/`) names a layer like `guidelines` does.
  std::string_view layer_name = target;
  constexpr std::string_view scheme = "knowledge://";
  if (layer_name.substr(0, scheme.size()) == scheme) {
    layer_name.remove_prefix(scheme.size());
    if (!layer_name.empty() && layer_name.back() == '/') layer_name.remove_suffix(1);
  }
  bool is_layer = layer_name.find('/') == std::string_view::npos &&
                  layer_name.find(':') == std::string_view::npos && !layer_name.empty();
  if (is_layer) {
    if (auto layer = resolve_layer_name(layer_name, ctx.cfg)) {
      for (const auto* doc : ctx.kb.layer_documents(*layer))
        if (include_retired || !is_retired(*doc)) docs.push_back(doc);
    } else {
      is_layer = false;
    }
  }
  if (!is_layer) {
    auto doc = ctx.kb.resolve(target);
    if (!doc && doc.err().code == error_code::not_found &&
        target.find("://") == std::string_view::npos) {
      // A folder means its documents, as in triggers.
      for (const auto* d : trigger_targets(target, ctx.kb))
        if (include_retired || !is_retired(*d)) docs.push_back(d);
      if (!docs.empty()) {
        auto out = pack_in_order(ctx, sections_of(ctx, docs), budget);
        stamp(ctx, out, start, ctx.cfg.timeout.layer);
        return out;
      }
    }
    if (!doc) {
      // A bare word that is neither a layer nor a document: say both were tried.
      if (target.find('/') == std::string_view::npos && doc.err().code == error_code::not_found)
        return make_error(
            error_code::not_found, "no layer or document named " + std::string(target),
            "run `sage layers` to list layers or `sage search <words>` to find documents");
      return doc.err();
    }
    docs.push_back(*doc); // asked for explicitly: served even when deprecated or archived
  }
  auto out = pack_in_order(ctx, sections_of(ctx, docs), budget);
  stamp(ctx, out, start, ctx.cfg.timeout.layer);
  return out;
}

result<load_result> get_named(const op_context& ctx, named_kind kind, std::string_view name,
                              size_t budget) {
  auto start = clock_type::now();
  const auto& aliases = kind == named_kind::guideline   ? ctx.cfg.guideline_aliases
                        : kind == named_kind::framework ? ctx.cfg.framework_aliases
                                                        : ctx.cfg.template_aliases;
  auto doc = ctx.kb.resolve_named(kind, name, aliases);
  if (!doc) return doc.err();
  auto out = pack_in_order(ctx, sections_of(ctx, {*doc}), budget);
  stamp(ctx, out, start, ctx.cfg.timeout.file);
  return out;
}

result<load_result> build_context(const op_context& ctx, std::string_view task, size_t budget,
                                  const std::vector<std::string>& layers) {
  auto start = clock_type::now();
  if (budget == 0)
    return make_error(error_code::invalid_argument, "budget must be a positive number of tokens",
                      "pass e.g. --budget 4000");
  std::set<std::string> wanted_layers;
  for (const auto& l : layers) {
    auto name = resolve_layer_name(l, ctx.cfg);
    if (!name) return name.err();
    wanted_layers.insert(*name);
  }
  std::set<std::string> always;
  for (const auto& l : ctx.cfg.layers)
    if (l.always) always.insert(l.name);

  // Scores of every section for the task, by global search over many candidates.
  search_options so;
  so.limit = 200;
  so.snippets = false; // only the scores are used here
  auto hits = ctx.kb.index.search(task, so, ctx.kb.documents, ctx.an);
  std::map<std::pair<const document*, size_t>, double> score;
  double top = 0;
  for (const auto& h : hits) {
    score[{&ctx.kb.documents[h.doc], h.section}] = h.score;
    top = std::max(top, h.score);
  }
  if (top == 0) top = 1;

  // 1. Always-loaded layers get a reserved share; if they do not fit, their best sections.
  std::vector<candidate_section> core_all;
  for (const auto& doc : ctx.kb.documents)
    if (always.count(doc.layer) && !is_retired(doc))
      for (size_t s = 0; s < doc.sections.size(); ++s) {
        auto it = score.find({&doc, s});
        core_all.push_back(make_candidate(ctx, doc, s, it == score.end() ? 0 : it->second));
      }
  measure(core_all, ctx.tokens);
  auto core_budget = static_cast<size_t>(static_cast<double>(budget) * ctx.cfg.loading.core_share);
  std::stable_sort(core_all.begin(), core_all.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  std::vector<candidate_section> chosen, omitted;
  size_t used = 0;
  take_while_fits(core_all, core_budget, used, chosen, omitted);
  offer_partial(ctx, chosen, budget); // the core sections are an answer already
  if (cancelled(ctx)) return make_error(error_code::timed_out, "context build cancelled");

  // 2. Candidates: search hits, boosted by fired triggers.
  auto fired = fire_triggers(task, ctx.cfg.triggers, ctx.kb, ctx.an);
  std::map<std::pair<const document*, size_t>, double> boosted = {};
  for (const auto& [key, s] : score)
    if (!always.count(key.first->layer)) boosted[key] = s;
  for (size_t rank = 0; rank < fired.size(); ++rank) {
    // Earlier (higher-priority) triggers weigh more; a triggered section that also matches
    // the search keeps its own score on top.
    double boost = top * 0.5 / static_cast<double>(1 + rank);
    for (const auto* doc : fired[rank].documents) {
      if (always.count(doc->layer) || is_retired(*doc)) continue;
      for (size_t s = 0; s < doc->sections.size(); ++s)
        boosted[{doc, s}] += boost;
    }
  }
  std::vector<candidate_section> rest;
  for (const auto& [key, s] : boosted) {
    if (!wanted_layers.empty() && !wanted_layers.count(key.first->layer)) continue;
    rest.push_back(make_candidate(ctx, *key.first, key.second, s));
  }
  measure(rest, ctx.tokens);
  if (cancelled(ctx)) return make_error(error_code::timed_out, "context build cancelled");

  // 3. Greedy by relevance per token.
  std::stable_sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) {
    double da = a.score / static_cast<double>(std::max(a.tokens, density_floor));
    double db = b.score / static_cast<double>(std::max(b.tokens, density_floor));
    if (da != db) return da > db;
    return a.sec->id < b.sec->id;
  });
  take_while_fits(rest, budget, used, chosen, omitted);
  auto out = finish_result(ctx, chosen, omitted, budget);
  stamp(ctx, out, start, ctx.cfg.timeout.full);
  return out;
}

result<search_answer> run_search(const op_context& ctx, const search_params& params) {
  auto start = clock_type::now();
  if (!is_valid_utf8(params.query))
    return make_error(error_code::invalid_argument, "query is not valid utf-8 text",
                      "pass the query as UTF-8");
  if (params.query.find_first_not_of(" \t\r\n") == std::string::npos)
    return make_error(error_code::invalid_argument, "empty query",
                      "give one or more words, e.g. `sage search timeout patterns`");
  int limit = params.limit == 0 ? ctx.cfg.search.default_limit : params.limit;
  if (limit < 1 || limit > ctx.cfg.search.max_limit)
    return make_error(error_code::invalid_argument,
                      "limit must be between 1 and " + std::to_string(ctx.cfg.search.max_limit),
                      "pass e.g. --limit 10");
  search_options so;
  so.limit = static_cast<size_t>(limit);
  so.tags = params.tags;
  so.include_retired = params.include_retired;
  for (const auto& l : params.layers) {
    auto name = resolve_layer_name(l, ctx.cfg);
    if (!name) return name.err();
    so.layers.push_back(*name);
  }
  search_answer out;
  out.query = params.query;
  for (auto& h : ctx.kb.index.search(params.query, so, ctx.kb.documents, ctx.an)) {
    const auto& doc = ctx.kb.documents[h.doc];
    const auto& sec = doc.sections[h.section];
    out.results.push_back({doc.path, ctx.kb.uri_of(doc), doc.title, sec.heading, sec.id, doc.layer,
                           std::move(h.snippet), h.score, ctx.tokens.count(sec.text)});
  }
  out.index = ctx.kb.stamp;
  out.duration_ms = ms_since(start);
  return out;
}

nlohmann::json to_json(const search_answer& a) {
  auto results = nlohmann::json::array();
  for (const auto& r : a.results)
    results.push_back({{"path", r.path},
                       {"uri", r.uri},
                       {"title", r.title},
                       {"section", r.section},
                       {"id", r.section_id},
                       {"layer", r.layer},
                       {"score", r.score},
                       {"snippet", r.snippet},
                       {"tokens", r.tokens}});
  return {{"query", a.query},
          {"status", a.status},
          {"results", results},
          {"count", a.results.size()},
          {"duration_ms", a.duration_ms},
          {"errors", a.errors},
          {"index", {{"generation", a.index.generation}, {"built_at", a.index.built_at}}}};
}

} // namespace sage::core
