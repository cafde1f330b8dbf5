// The in-memory full-text index: parallel construction of postings with BM25F impacts.
// SPDX-License-Identifier: MIT
#include "core/search_index.hpp"

#include "core/search_plan.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <thread>

namespace sage::core {

std::string fold_label(std::string_view label) {
  utf8proc_uint8_t* out = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                      UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(label.data()),
                              static_cast<utf8proc_ssize_t>(label.size()), &out, options);
  std::string result;
  if (n >= 0 && out != nullptr) {
    result.assign(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  } else { // invalid UTF-8: fold ASCII only
    result.assign(label);
    for (auto& c : result)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  std::free(out);
  return result;
}

namespace {

// Runs `fn(chunk)` for every chunk in [0, n), chunk 0 on the calling thread.
template <class F> void run_parallel(size_t n, F&& fn) {
  std::vector<std::thread> pool;
  for (size_t c = 1; c < n; ++c)
    pool.emplace_back([&fn, c] { fn(c); });
  if (n > 0) fn(0);
  for (auto& t : pool)
    t.join();
}

} // namespace

// -- scoring --------------------------------------------------------------------------------------

std::array<uint32_t, field_count> search_index::field_lengths(uint32_t section) const {
  std::array<uint32_t, field_count> len{};
  for (size_t f = 0; f < field_count; ++f)
    len[f] = static_cast<uint32_t>(sequence(section, static_cast<search_field>(f)).size());
  return len;
}

std::span<const uint32_t> search_index::sequence(uint32_t section, search_field f) const {
  size_t i;
  switch (f) {
  case search_field::title:
    i = 2 * size_t{section_doc_[section]};
    break;
  case search_field::tags:
    i = 2 * size_t{section_doc_[section]} + 1;
    break;
  case search_field::headings:
    i = 2 * doc_retired_.size() + 2 * size_t{section};
    break;
  default:
    i = 2 * doc_retired_.size() + 2 * size_t{section} + 1;
    break;
  }
  return std::span<const uint32_t>{forward_}.subspan(sequence_begin_[i],
                                                     sequence_begin_[i + 1] - sequence_begin_[i]);
}

// BM25F: field frequencies are weighted and length-normalised per field, then saturated once.
// Both the index build and the reference scorer call this one function, so their scores are
// bit-identical.
float search_index::impact(const std::array<uint32_t, field_count>& tf,
                           const std::array<uint32_t, field_count>& length, double idf) const {
  const double b = std::clamp(config_.b, 0.0, 1.0);
  const double k1 = std::max(config_.k1, 0.0);
  double weighted = 0;
  for (size_t f = 0; f < field_count; ++f) {
    if (tf[f] == 0) continue;
    const double norm = average_length_[f] > 0 ? 1 - b + b * length[f] / average_length_[f] : 1;
    weighted += weight_[f] * tf[f] / norm;
  }
  if (weighted <= 0) return 0;
  return static_cast<float>(idf * weighted / (k1 + weighted));
}

// -- documents ------------------------------------------------------------------------------------

// Per-document data for filters and ordering. Names repeat across documents, so each distinct
// raw name is folded once.
void search_index::add_documents(const std::vector<document>& docs,
                                 const std::vector<const analyzed_document*>& an) {
  const size_t n_docs = docs.size();
  doc_retired_.resize(n_docs);
  doc_layer_.resize(n_docs);
  doc_language_.resize(n_docs);
  doc_tag_begin_.assign(1, 0);
  term_dictionary raw_layers, raw_tags, languages;
  std::vector<uint32_t> layer_of_raw, tag_of_raw;
  auto name_id = [](term_dictionary& raw, std::vector<uint32_t>& ids, std::string_view name,
                    auto&& make) {
    const auto r = raw.intern(name);
    if (r == ids.size()) ids.push_back(make(name));
    return ids[r];
  };
  for (size_t d = 0; d < n_docs; ++d) {
    const auto& doc = docs[d];
    doc_retired_[d] = is_retired(doc) ? 1 : 0;
    doc_layer_[d] = name_id(raw_layers, layer_of_raw, doc.layer, [&](std::string_view name) {
      const auto folded = fold_label(name);
      const auto it = std::find(layer_names_.begin(), layer_names_.end(), folded);
      if (it != layer_names_.end()) return static_cast<uint32_t>(it - layer_names_.begin());
      layer_names_.push_back(folded);
      return static_cast<uint32_t>(layer_names_.size() - 1);
    });
    std::string_view lang = an[d] != nullptr ? an[d]->language : doc.language;
    doc_language_[d] = languages.intern(lang.empty() ? "en" : lang);
    const size_t first_tag = doc_tags_.size();
    for (const auto& tag : doc.tags) {
      const auto id = name_id(raw_tags, tag_of_raw, tag, [&](std::string_view name) {
        return tag_names_.intern(fold_label(name));
      });
      if (std::find(doc_tags_.begin() + first_tag, doc_tags_.end(), id) == doc_tags_.end())
        doc_tags_.push_back(id);
    }
    doc_tag_begin_.push_back(static_cast<uint32_t>(doc_tags_.size()));
  }
  for (uint32_t l = 0; l < languages.size(); ++l)
    languages_.emplace_back(languages.term(l));
  // Loaders usually give documents in path order already.
  std::vector<uint32_t> by_path(n_docs);
  std::iota(by_path.begin(), by_path.end(), 0u);
  auto path_less = [&](uint32_t a, uint32_t b) { return docs[a].path < docs[b].path; };
  if (!std::is_sorted(by_path.begin(), by_path.end(), path_less))
    std::stable_sort(by_path.begin(), by_path.end(), path_less);
  doc_path_rank_.resize(n_docs);
  for (uint32_t r = 0; r < n_docs; ++r)
    doc_path_rank_[by_path[r]] = r;
}

// -- build ----------------------------------------------------------------------------------------

search_index search_index::build(const std::vector<document>& docs,
                                 const std::vector<analyzed_document>& analyses,
                                 const search_config& cfg, unsigned threads) {
  search_index ix;
  ix.config_ = cfg;
  ix.weight_ = {std::max(cfg.weight_title, 0.0), std::max(cfg.weight_headings, 0.0),
                std::max(cfg.weight_body, 0.0), std::max(cfg.weight_tags, 0.0)};
  const size_t n_docs = docs.size();

  // Analyses that can be used; other documents are indexed without terms.
  std::vector<const analyzed_document*> an(n_docs, nullptr);
  for (size_t d = 0; d < n_docs && d < analyses.size(); ++d)
    if (analyses[d].section_count() == docs[d].sections.size() && analyses[d].valid())
      an[d] = &analyses[d];

  // Documents and sections.
  ix.section_first_.resize(n_docs + 1, 0);
  for (size_t d = 0; d < n_docs; ++d)
    ix.section_first_[d + 1] =
        ix.section_first_[d] + static_cast<uint32_t>(docs[d].sections.size());
  const uint32_t n_sections = ix.section_first_[n_docs];
  ix.section_doc_.resize(n_sections);
  for (uint32_t d = 0; d < n_docs; ++d)
    std::fill(ix.section_doc_.begin() + ix.section_first_[d],
              ix.section_doc_.begin() + ix.section_first_[d + 1], d);
  ix.add_documents(docs, an);
  std::vector<uint8_t> language_class(ix.languages_.size());
  std::vector<std::string_view> algorithms; // of each class; empty = not stemmed
  for (size_t l = 0; l < ix.languages_.size(); ++l) {
    const auto algorithm = analyzer::stemmer_name(ix.languages_[l]);
    auto it = std::find(algorithms.begin(), algorithms.end(), algorithm);
    if (it == algorithms.end()) {
      const auto cls = static_cast<uint8_t>(algorithms.size());
      algorithms.push_back(algorithm);
      if (algorithm.empty())
        ix.unstemmed_class_ = cls;
      else
        ix.stem_classes_.emplace_back(ix.languages_[l], cls);
      ix.all_classes_ |= uint64_t{1} << cls;
      it = algorithms.end() - 1;
    }
    language_class[l] = static_cast<uint8_t>(it - algorithms.begin());
  }
  ix.section_class_.resize(n_sections);
  for (uint32_t s = 0; s < n_sections; ++s)
    ix.section_class_[s] = language_class[ix.doc_language_[ix.section_doc_[s]]];

  // Chunks of documents of about equal token counts, one per thread.
  size_t total_ids = 0;
  for (const auto* a : an)
    total_ids += a != nullptr ? a->ids.size() : 0;
  const size_t n_chunks = std::clamp<size_t>(std::min<size_t>(threads, n_docs), 1, 16);
  std::vector<size_t> chunk_first(n_chunks + 1, n_docs);
  chunk_first[0] = 0;
  for (size_t d = 0, seen = 0, c = 1; d < n_docs && c < n_chunks; ++d) {
    seen += an[d] != nullptr ? an[d]->ids.size() : 0;
    if (seen * n_chunks >= total_ids * c) chunk_first[c++] = d + 1;
  }

  // 1. Global term ids: per-chunk dictionaries in parallel, merged in chunk order.
  std::vector<uint64_t> local_begin(n_docs + 1, 0);
  size_t max_vocabulary = 0;
  for (size_t d = 0; d < n_docs; ++d) {
    const size_t v = an[d] != nullptr ? an[d]->term_count() : 0;
    local_begin[d + 1] = local_begin[d] + v;
    max_vocabulary = std::max(max_vocabulary, v);
  }
  std::vector<uint32_t> local_to_global(local_begin[n_docs]);
  std::vector<term_dictionary> chunk_terms(n_chunks);
  run_parallel(n_chunks, [&](size_t c) {
    for (size_t d = chunk_first[c]; d < chunk_first[c + 1]; ++d)
      if (an[d] != nullptr)
        for (uint32_t i = 0; i < an[d]->term_count(); ++i)
          local_to_global[local_begin[d] + i] = chunk_terms[c].intern(an[d]->term(i));
  });
  std::vector<std::vector<uint32_t>> chunk_to_global(n_chunks);
  if (n_chunks == 1) { // chunk ids are global ids
    ix.terms_ = std::move(chunk_terms[0]);
    chunk_to_global[0].resize(ix.terms_.size());
    std::iota(chunk_to_global[0].begin(), chunk_to_global[0].end(), 0u);
  } else {
    for (size_t c = 0; c < n_chunks; ++c) {
      chunk_to_global[c].resize(chunk_terms[c].size());
      for (uint32_t i = 0; i < chunk_terms[c].size(); ++i)
        chunk_to_global[c][i] = ix.terms_.intern(chunk_terms[c].term(i));
      chunk_terms[c] = term_dictionary{};
    }
  }
  const size_t n_terms = ix.terms_.size();

  // 2. Forward index in global ids.
  ix.sequence_begin_.assign(2 * n_docs + 2 * size_t{n_sections} + 1, 0);
  {
    size_t i = 0;
    uint64_t at = 0;
    auto put = [&](size_t length) {
      ix.sequence_begin_[i++] = at;
      at += length;
    };
    for (size_t d = 0; d < n_docs; ++d) {
      put(an[d] != nullptr ? an[d]->title().size() : 0);
      put(an[d] != nullptr ? an[d]->tags().size() : 0);
    }
    for (size_t d = 0; d < n_docs; ++d)
      for (size_t s = 0; s < docs[d].sections.size(); ++s) {
        put(an[d] != nullptr ? an[d]->headings(s).size() : 0);
        put(an[d] != nullptr ? an[d]->body(s).size() : 0);
      }
    ix.sequence_begin_[i] = at;
    ix.forward_.resize(at);
  }
  run_parallel(n_chunks, [&](size_t c) {
    for (size_t d = chunk_first[c]; d < chunk_first[c + 1]; ++d) {
      if (an[d] == nullptr) continue;
      const auto& map = chunk_to_global[c];
      auto* local = local_to_global.data() + local_begin[d];
      for (uint32_t i = 0; i < an[d]->term_count(); ++i)
        local[i] = map[local[i]];
      auto copy = [&](std::span<const uint32_t> ids, size_t sequence) {
        auto* out = ix.forward_.data() + ix.sequence_begin_[sequence];
        for (auto id : ids)
          *out++ = local[id];
      };
      copy(an[d]->title(), 2 * d);
      copy(an[d]->tags(), 2 * d + 1);
      for (size_t s = 0; s < docs[d].sections.size(); ++s) {
        const size_t global = ix.section_first_[d] + s;
        copy(an[d]->headings(s), 2 * n_docs + 2 * global);
        copy(an[d]->body(s), 2 * n_docs + 2 * global + 1);
      }
    }
  });
  chunk_to_global.clear();

  // 3. Average field lengths.
  if (n_sections > 0) {
    std::array<double, field_count> sum{};
    for (uint32_t s = 0; s < n_sections; ++s) {
      const auto len = ix.field_lengths(s);
      for (size_t f = 0; f < field_count; ++f)
        sum[f] += len[f];
    }
    for (size_t f = 0; f < field_count; ++f)
      ix.average_length_[f] = sum[f] / n_sections;
  }

  // 4. Document frequencies per chunk, then posting ranges; chunk c writes its postings of a
  // term after those of the chunks before it, so every list stays sorted by section.
  std::vector<std::vector<uint64_t>> cursor(n_chunks, std::vector<uint64_t>(n_terms, 0));
  run_parallel(n_chunks, [&](size_t c) {
    std::vector<uint32_t> stamp(max_vocabulary, UINT32_MAX);
    auto& df = cursor[c];
    for (size_t d = chunk_first[c]; d < chunk_first[c + 1]; ++d) {
      if (an[d] == nullptr) continue;
      const auto* local = local_to_global.data() + local_begin[d];
      for (size_t s = 0; s < docs[d].sections.size(); ++s) {
        const auto global = static_cast<uint32_t>(ix.section_first_[d] + s);
        for (size_t f = 0; f < field_count; ++f)
          for (auto id : an[d]->terms(s, static_cast<search_field>(f)))
            if (stamp[id] != global) {
              stamp[id] = global;
              ++df[local[id]];
            }
      }
    }
  });
  ix.idf_.assign(n_terms, 0);
  ix.posting_begin_.assign(n_terms + 1, 0);
  for (size_t t = 0; t < n_terms; ++t) {
    uint64_t at = ix.posting_begin_[t];
    for (size_t c = 0; c < n_chunks; ++c) {
      const auto count = cursor[c][t];
      cursor[c][t] = at;
      at += count;
    }
    // Robertson-Sparck Jones idf, kept positive for terms in most sections.
    const double df = static_cast<double>(at - ix.posting_begin_[t]);
    ix.idf_[t] = std::log(1.0 + (n_sections - df + 0.5) / (df + 0.5));
    ix.posting_begin_[t + 1] = at;
  }
  ix.posting_section_.resize(ix.posting_begin_[n_terms]);
  ix.posting_impact_.resize(ix.posting_begin_[n_terms]);

  // 5. Postings with their BM25F impacts.
  run_parallel(n_chunks, [&](size_t c) {
    std::vector<std::array<uint32_t, field_count>> tf(max_vocabulary);
    std::vector<uint32_t> touched;
    auto& at = cursor[c];
    for (size_t d = chunk_first[c]; d < chunk_first[c + 1]; ++d) {
      if (an[d] == nullptr) continue;
      const auto* local = local_to_global.data() + local_begin[d];
      for (size_t s = 0; s < docs[d].sections.size(); ++s) {
        const auto global = static_cast<uint32_t>(ix.section_first_[d] + s);
        const auto length = ix.field_lengths(global);
        touched.clear();
        for (size_t f = 0; f < field_count; ++f)
          for (auto id : an[d]->terms(s, static_cast<search_field>(f))) {
            auto& counts = tf[id];
            if (counts == std::array<uint32_t, field_count>{}) touched.push_back(id);
            ++counts[f];
          }
        for (auto id : touched) {
          const auto term = local[id];
          const auto p = at[term]++;
          ix.posting_section_[p] = global;
          ix.posting_impact_[p] = ix.impact(tf[id], length, ix.idf_[term]);
          tf[id] = {};
        }
      }
    }
  });
  cursor.clear();

  // 6. Upper bounds per term for pruning.
  ix.max_impact_.assign(n_terms, 0);
  run_parallel(n_chunks, [&](size_t c) {
    for (size_t t = c; t < n_terms; t += n_chunks) {
      float m = 0;
      for (auto p = ix.posting_begin_[t]; p < ix.posting_begin_[t + 1]; ++p)
        m = std::max(m, ix.posting_impact_[p]);
      ix.max_impact_[t] = m;
    }
  });
  return ix;
}

search_stats search_index::stats() const {
  search_stats st;
  st.documents = doc_retired_.size();
  st.sections = section_doc_.size();
  st.terms = terms_.size();
  st.postings = posting_section_.size();
  st.memory_bytes = terms_.bytes() + terms_.size() * 20 + posting_begin_.size() * 8 +
                    posting_section_.size() * 4 + posting_impact_.size() * 4 +
                    max_impact_.size() * 4 + idf_.size() * 8 + forward_.size() * 4 +
                    sequence_begin_.size() * 8 + section_doc_.size() * 4 +
                    section_first_.size() * 4 + doc_retired_.size() * 13;
  return st;
}

} // namespace sage::core
