// Query evaluation: query analysis, filters, MaxScore top-k, proximity bonus, hits and snippets.
// SPDX-License-Identifier: MIT
#include "core/search_index.hpp"

#include "core/search_plan.hpp"
#include "core/snippet.hpp"

#include <algorithm>
#include <limits>

namespace sage::core {

namespace {

constexpr uint32_t end_of_list = UINT32_MAX;

// Ranking order: score descending, then document path, then section order.
struct ranked {
  double score;
  uint64_t key; // (path rank << 32) | global section: smaller wins a tie
};

bool better(const ranked& a, const ranked& b) {
  return a.score > b.score || (a.score == b.score && a.key < b.key);
}

// Keeps the best k candidates; `front()` is the worst of them.
class top_heap {
public:
  explicit top_heap(size_t k) : k_(k) { items_.reserve(k + 1); }

  bool full() const { return items_.size() >= k_; }
  const ranked& worst() const { return items_.front(); }

  void offer(const ranked& r) {
    if (!full()) {
      items_.push_back(r);
      std::push_heap(items_.begin(), items_.end(), better);
    } else if (better(r, items_.front())) {
      std::pop_heap(items_.begin(), items_.end(), better);
      items_.back() = r;
      std::push_heap(items_.begin(), items_.end(), better);
    }
  }

  std::vector<ranked> sorted() && {
    std::sort(items_.begin(), items_.end(), better);
    return std::move(items_);
  }

private:
  size_t k_;
  std::vector<ranked> items_;
};

// One posting list being walked: a variant of a query group.
struct cursor {
  const uint32_t* section;
  const float* impact;
  uint64_t pos, end;
  uint64_t classes; // analysis classes of the sections where the variant counts

  uint32_t current() const { return pos < end ? section[pos] : end_of_list; }

  // First posting at or after `target`, by galloping then binary search.
  void seek(uint32_t target) {
    if (pos >= end || section[pos] >= target) return;
    uint64_t step = 1, lo = pos, hi = pos + 1;
    while (hi < end && section[hi] < target) {
      lo = hi;
      step *= 2;
      hi = pos + step;
    }
    hi = std::min(hi, end);
    pos = static_cast<uint64_t>(std::lower_bound(section + lo + 1, section + hi, target) - section);
  }
};

// The cursors of one query group: its variants, walked as one list (union, best impact).
struct group_cursor {
  size_t first, count; // range in the cursor array
  uint32_t group;      // index in the plan
  double upper_bound;
  uint32_t doc = end_of_list; // current section: the smallest of the variants

  void refresh(const std::vector<cursor>& cs) {
    doc = end_of_list;
    for (size_t i = first; i < first + count; ++i)
      doc = std::min(doc, cs[i].current());
  }
  // The best impact at `doc` among the variants that count for its class; false if none does.
  bool score(const std::vector<cursor>& cs, uint8_t cls, float& best) const {
    bool present = false;
    best = 0;
    for (size_t i = first; i < first + count; ++i)
      if (cs[i].current() == doc && ((cs[i].classes >> cls) & 1) != 0) {
        best = std::max(best, cs[i].impact[cs[i].pos]);
        present = true;
      }
    return present;
  }
  void next(std::vector<cursor>& cs) {
    for (size_t i = first; i < first + count; ++i)
      if (cs[i].current() == doc) ++cs[i].pos;
    refresh(cs);
  }
  void seek(std::vector<cursor>& cs, uint32_t target) {
    for (size_t i = first; i < first + count; ++i)
      cs[i].seek(target);
    refresh(cs);
  }
};

// A little below `x`, so that rounding in partial sums never prunes a candidate that ties.
double slack(double x) {
  return x - 1e-9 * std::abs(x);
}

} // namespace

// -- proximity ------------------------------------------------------------------------------------

// In [0, 1]: half for the share of adjacent query word pairs found as a phrase in the body, half
// for how tightly the smallest body window holding every matched query word packs them, times
// the share of query words matched. 0 with fewer than two matched words.
double search_index::proximity(const query_plan& plan, uint32_t section) const {
  const auto body = sequence(section, search_field::body);
  const size_t n_groups = plan.groups.size();
  auto& hits = plan.scratch_hits; // (position, group)
  hits.clear();
  const uint64_t cls = uint64_t{1} << section_class_[section];
  for (uint32_t pos = 0; pos < body.size(); ++pos) {
    if (!plan.maybe_query_term(body[pos])) continue;
    for (auto [it, last] = plan.entries_of(body[pos]); it != last; ++it)
      if ((it->classes & cls) != 0) hits.emplace_back(pos, it->group);
  }
  // Smallest window holding every matched group.
  auto& count = plan.scratch_count;
  count.assign(n_groups, 0);
  size_t matched = 0;
  for (const auto& h : hits)
    matched += count[h.second]++ == 0 ? 1 : 0;
  if (matched < 2) return 0;
  std::fill(count.begin(), count.end(), 0);
  size_t inside = 0, width = SIZE_MAX;
  for (size_t lo = 0, hi = 0; hi < hits.size(); ++hi) {
    inside += count[hits[hi].second]++ == 0 ? 1 : 0;
    while (inside == matched) {
      width = std::min<size_t>(width, hits[hi].first - hits[lo].first + 1);
      inside -= --count[hits[lo++].second] == 0 ? 1 : 0;
    }
  }
  // Adjacent pairs in query order.
  size_t phrase_pairs = 0;
  for (const auto& [a, b] : plan.pairs) {
    bool found = false;
    for (size_t i = 0; i < hits.size() && !found; ++i) {
      if (hits[i].second != a) continue;
      for (size_t j = i + 1; j < hits.size() && hits[j].first <= hits[i].first + 1; ++j)
        found |= hits[j].first == hits[i].first + 1 && hits[j].second == b;
    }
    phrase_pairs += found ? 1 : 0;
  }
  const double pair_share =
      plan.pairs.empty() ? 0 : static_cast<double>(phrase_pairs) / plan.pairs.size();
  const double packing = static_cast<double>(matched) / static_cast<double>(width);
  const double coverage = static_cast<double>(matched) / static_cast<double>(n_groups);
  return 0.5 * pair_share + 0.5 * packing * coverage;
}

// `matched` is the number of query groups found in any field of the section: with fewer than
// two, none can be close to another in the body.
double search_index::final_score(const query_plan& plan, uint32_t section, double bm25,
                                 size_t matched) const {
  const double bonus = std::max(config_.proximity_bonus, 0.0);
  if (matched < 2 || bonus == 0) return bm25;
  return bm25 * (1 + bonus * proximity(plan, section));
}

// -- top-k ----------------------------------------------------------------------------------------

// MaxScore (Turtle & Flood): groups sorted by upper bound; the lowest ones whose bounds together
// cannot lift a section into the top k are "non-essential" and only probed (by galloping) for
// sections that one of the essential groups proposes. The threshold is on final scores, and
// since the proximity factor is at most 1 + bonus, pruning stays exact. Contributions are
// summed in query-group order so that scores equal those of the exhaustive scorer bit for bit.
std::vector<std::pair<double, uint32_t>> search_index::top_k(const query_plan& plan,
                                                             const filter& f, size_t k) const {
  const size_t n = plan.groups.size();
  std::vector<cursor> cs;
  std::vector<group_cursor> gs;
  for (uint32_t g = 0; g < n; ++g) {
    const auto& variants = plan.groups[g].variants;
    group_cursor gc{cs.size(), variants.size(), g, plan.groups[g].upper_bound};
    for (const auto& v : variants)
      cs.push_back({posting_section_.data(), posting_impact_.data(), posting_begin_[v.term],
                    posting_begin_[v.term + 1], v.classes});
    gs.push_back(gc);
  }
  for (auto& g : gs)
    g.refresh(cs);
  std::stable_sort(gs.begin(), gs.end(), [](const group_cursor& a, const group_cursor& b) {
    return a.upper_bound < b.upper_bound;
  });
  std::vector<double> prefix(n + 1, 0); // prefix[i]: sum of the i smallest upper bounds
  for (size_t i = 0; i < n; ++i)
    prefix[i + 1] = prefix[i] + gs[i].upper_bound;
  const double factor = n >= 2 ? 1 + std::max(config_.proximity_bonus, 0.0) : 1;

  top_heap heap{k};
  double threshold = -std::numeric_limits<double>::infinity();
  size_t essential = 0; // groups [essential, n) are essential
  std::vector<float> contribution(n, 0);
  while (essential < n) {
    uint32_t d = end_of_list;
    for (size_t i = essential; i < n; ++i)
      d = std::min(d, gs[i].doc);
    if (d == end_of_list) break;
    if (!allowed(f, section_doc_[d])) {
      for (size_t i = essential; i < n; ++i)
        if (gs[i].doc == d) gs[i].next(cs);
      continue;
    }
    std::fill(contribution.begin(), contribution.end(), 0.0f);
    const uint8_t cls = section_class_[d];
    double partial = 0;
    size_t matched = 0;
    float c = 0;
    for (size_t i = essential; i < n; ++i)
      if (gs[i].doc == d) {
        if (gs[i].score(cs, cls, c)) {
          contribution[gs[i].group] = c;
          partial += c;
          ++matched;
        }
        gs[i].next(cs);
      }
    bool pruned = false;
    for (size_t i = essential; i-- > 0;) {
      if ((partial + prefix[i + 1]) * factor < threshold) {
        pruned = true;
        break;
      }
      gs[i].seek(cs, d);
      if (gs[i].doc == d && gs[i].score(cs, cls, c)) {
        contribution[gs[i].group] = c;
        partial += c;
        ++matched;
      }
    }
    if (pruned || matched == 0) continue;
    double bm25 = 0;
    for (auto c : contribution)
      bm25 += c;
    if (bm25 * factor < threshold) continue;
    const uint64_t key = (uint64_t{doc_path_rank_[section_doc_[d]]} << 32) | d;
    heap.offer({final_score(plan, d, bm25, matched), key});
    if (heap.full()) {
      threshold = slack(heap.worst().score);
      while (essential < n && prefix[essential + 1] * factor < threshold)
        ++essential;
    }
  }
  std::vector<std::pair<double, uint32_t>> out;
  for (const auto& r : std::move(heap).sorted())
    out.emplace_back(r.score, static_cast<uint32_t>(r.key));
  return out;
}

// Scores every allowed section from the forward index, counting term frequencies directly.
std::vector<std::pair<double, uint32_t>>
search_index::top_k_exhaustive(const query_plan& plan, const filter& f, size_t k) const {
  top_heap heap{k};
  std::vector<float> contribution(plan.groups.size());
  for (uint32_t s = 0; s < section_doc_.size(); ++s) {
    if (!allowed(f, section_doc_[s])) continue;
    const auto length = field_lengths(s);
    size_t matched = 0;
    for (size_t g = 0; g < plan.groups.size(); ++g) {
      bool present = false;
      float best = 0;
      for (const auto& v : plan.groups[g].variants) {
        if (((v.classes >> section_class_[s]) & 1) == 0) continue;
        const auto t = v.term;
        std::array<uint32_t, field_count> tf{};
        for (size_t fi = 0; fi < field_count; ++fi)
          for (auto id : sequence(s, static_cast<search_field>(fi)))
            tf[fi] += id == t ? 1 : 0;
        if (tf != std::array<uint32_t, field_count>{}) {
          best = std::max(best, impact(tf, length, idf_[t]));
          present = true;
        }
      }
      contribution[g] = best;
      matched += present ? 1 : 0;
    }
    if (matched == 0) continue;
    double bm25 = 0;
    for (auto c : contribution)
      bm25 += c;
    heap.offer({final_score(plan, s, bm25, matched),
                (uint64_t{doc_path_rank_[section_doc_[s]]} << 32) | s});
  }
  std::vector<std::pair<double, uint32_t>> out;
  for (const auto& r : std::move(heap).sorted())
    out.emplace_back(r.score, static_cast<uint32_t>(r.key));
  return out;
}

// -- hits -----------------------------------------------------------------------------------------

std::vector<search_hit> search_index::run(std::string_view query, const search_options& opts,
                                          const std::vector<document>& docs, analyzer& az,
                                          bool exhaustive) const {
  std::vector<search_hit> hits;
  if (opts.limit == 0) return hits;
  filter f;
  if (!compile(opts, f)) return hits;
  const auto plan = this->plan(query, az);
  if (plan.groups.empty()) return hits;
  const size_t k = std::min(opts.limit, section_doc_.size());
  if (k == 0) return hits;
  const auto best = exhaustive ? top_k_exhaustive(plan, f, k) : top_k(plan, f, k);
  token_stream ts;
  std::vector<snippet_match> matches;
  for (const auto& [score, s] : best) {
    search_hit hit;
    std::tie(hit.doc, hit.section) = locate(s);
    hit.score = score;
    if (opts.snippets && hit.doc < docs.size() && hit.section < docs[hit.doc].sections.size()) {
      // Segment the section again for byte offsets: token i of the text is term body[i] of the
      // index (stemming does not change the segmentation), unless the text changed since.
      const auto& text = docs[hit.doc].sections[hit.section].text;
      const auto& language = languages_[doc_language_[hit.doc]];
      const auto body = sequence(s, search_field::body);
      ts.clear();
      az.analyze(text, language, ts, stemming::off);
      const bool aligned = ts.size() == body.size();
      if (!aligned) {
        ts.clear();
        az.analyze(text, language, ts);
      }
      matches.clear();
      for (size_t i = 0; i < ts.size(); ++i) {
        const auto id = aligned ? body[i] : terms_.find(ts.term(i));
        if (id == term_dictionary::npos) continue;
        const uint64_t cls = uint64_t{1} << section_class_[s];
        for (auto [it, last] = plan.entries_of(id); it != last; ++it)
          if ((it->classes & cls) != 0) {
            matches.push_back({ts.tokens[i].begin, ts.tokens[i].end, it->group});
            break;
          }
      }
      hit.snippet = make_snippet(text, matches, snippet_chars);
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

std::vector<search_hit> search_index::search(std::string_view query, const search_options& opts,
                                             const std::vector<document>& docs,
                                             analyzer& az) const {
  return run(query, opts, docs, az, false);
}

std::vector<search_hit> search_index::search_exhaustive(std::string_view query,
                                                        const search_options& opts,
                                                        const std::vector<document>& docs,
                                                        analyzer& az) const {
  return run(query, opts, docs, az, true);
}

} // namespace sage::core
