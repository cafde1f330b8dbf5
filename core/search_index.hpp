// The in-memory full-text index over all sections of a knowledge base: BM25F with pruning.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzed_document.hpp"
#include "core/analyzer.hpp"
#include "core/config.hpp"
#include "core/document.hpp"
#include "core/error.hpp"
#include "core/term_dictionary.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sage::core {

class binary_reader;

/// How to search. Queries are disjunctive (any query term may match).
struct search_options {
  size_t limit = 10;               ///< hits to return; the caller enforces its maximum
  std::vector<std::string> layers; ///< layer names to search (case-insensitive); empty = all
  std::vector<std::string> tags;   ///< keep documents with any of these tags; empty = no filter
  bool include_retired = false;    ///< also search deprecated and archived documents
  bool snippets = true;            ///< make snippets (callers that only rank can skip them)
};

/// One ranked section.
struct search_hit {
  uint32_t doc = 0;     ///< index into the documents the index was built from
  uint32_t section = 0; ///< index into that document's sections
  double score = 0;     ///< BM25F times (1 + proximity_bonus * proximity), proximity in [0, 1]
  std::string snippet;  ///< ~200 characters of the section around the best match, matches in
                        ///< `**bold**`, `…` where cut; always valid UTF-8
};

struct search_stats {
  size_t documents = 0;
  size_t sections = 0;
  size_t terms = 0;        ///< distinct terms
  size_t postings = 0;     ///< (term, section) pairs
  size_t memory_bytes = 0; ///< approximate size of the index in memory
};

/// An immutable inverted index over every section of a set of documents. Built once per index
/// generation; searching is const and safe from several threads at once, each with its own
/// analyzer.
///
/// Ranking is BM25F over the fields title, headings, body and tags with per-field length
/// normalisation (weights, k1 and b from `search_config`), computed per (term, section) at build
/// time. Top-k retrieval uses MaxScore dynamic pruning and is exact: it returns the same hits
/// and scores as scoring every section (`search_exhaustive`). The final score adds a proximity
/// bonus for query terms that occur close together, in order and adjacent (phrases), in the
/// section body. Ties are broken by document path, then section order.
///
/// A query has no declared language: each query word is stemmed with every Snowball algorithm
/// used by the index (and kept unstemmed for languages without one); each variant matches only
/// sections analysed the same way, so `Dateien` finds German pages through the German stemmer
/// and never English pages through a foreign one. A word scores by its best variant. Words in
/// no variant in the index are dropped; English function words (`how`, `to`, `the`, ...) are
/// dropped when the query has other words; at most `max_query_terms` distinct words are used
/// (the rest of a very long query is ignored).
class search_index {
public:
  static constexpr size_t max_query_terms = 64;
  static constexpr size_t snippet_chars = 200;
  /// Version of the `serialize` format; any change to it or to what build computes bumps it, so
  /// an index cached by another version is rejected and rebuilt.
  static constexpr uint32_t serial_version = 1;

  /// An empty index (every search returns no hits).
  search_index() = default;

  /// Builds the index over all sections of `docs`; `analyses[i]` must be `analyze(docs[i], ..)`.
  /// Never fails: a document without a matching, valid analysis (count or section count differ,
  /// broken invariants) is indexed without terms. Uses up to `threads` threads.
  static search_index build(const std::vector<document>& docs,
                            const std::vector<analyzed_document>& analyses,
                            const search_config& cfg, unsigned threads = 2);

  /// The best `opts.limit` sections for `query`, best first. `docs` must be the documents the
  /// index was built from: they provide the snippets (a hit outside `docs` gets none). An empty
  /// query, or one without indexed terms, gives no hits. `az` is the caller's analyzer (one per
  /// thread).
  std::vector<search_hit> search(std::string_view query, const search_options& opts,
                                 const std::vector<document>& docs, analyzer& az) const;

  /// The same as `search` but scores every section without pruning: the reference that `search`
  /// must agree with exactly (tests); far slower on large corpora.
  std::vector<search_hit> search_exhaustive(std::string_view query, const search_options& opts,
                                            const std::vector<document>& docs, analyzer& az) const;

  /// Global section number (position in the flattened list of all sections) of a document's
  /// section; sections of a document are numbered consecutively in document order.
  uint32_t global_section(uint32_t doc, uint32_t section) const {
    return section_first_[doc] + section;
  }

  /// The (document, section) of a global section number.
  std::pair<uint32_t, uint32_t> locate(uint32_t global_section) const {
    const auto doc = section_doc_[global_section];
    return {doc, global_section - section_first_[doc]};
  }

  /// Appends the whole index to `out` (format versioned; includes the search_config it was
  /// built with), so an unchanged knowledge base can load it instead of rebuilding it.
  void serialize(std::string& out) const;

  /// Reads an index written by serialize at `offset`, advancing it. Truncated, corrupt or
  /// other-version input is an error (code parse) and never reads out of bounds, never crashes
  /// and never allocates more than the input can describe; every invariant the search code
  /// relies on (sizes of parallel arrays, offsets monotone and in range, ids in range,
  /// power-of-two hash table sizes, finite scores, ...) is checked, so a deserialised index is
  /// as safe to query as a built one. `offset` is left unchanged on error.
  static result<search_index> deserialize(std::string_view data, size_t& offset);

  /// The configuration the index was built with (impacts are precomputed from it, so an index
  /// built under other weights must not be reused).
  const search_config& config() const { return config_; }

  size_t document_count() const { return doc_retired_.size(); }
  size_t section_count() const { return section_doc_.size(); }
  search_stats stats() const;

  struct query_plan; // defined in search_plan.hpp (internal)

private:
  struct filter;

  // Deserialisation steps (search_index_io.cpp); each returns why the input is refused, or null.
  const char* read(binary_reader& r);
  const char* check_and_derive();

  void add_documents(const std::vector<document>& docs,
                     const std::vector<const analyzed_document*>& analyses);
  float impact(const std::array<uint32_t, field_count>& tf,
               const std::array<uint32_t, field_count>& length, double idf) const;
  std::array<uint32_t, field_count> field_lengths(uint32_t section) const;
  std::span<const uint32_t> sequence(uint32_t section, search_field f) const;
  query_plan plan(std::string_view query, analyzer& az) const;
  bool compile(const search_options& opts, filter& out) const;
  bool allowed(const filter& f, uint32_t doc) const;
  double proximity(const query_plan& plan, uint32_t section) const;
  double final_score(const query_plan& plan, uint32_t section, double bm25, size_t matched) const;
  std::vector<std::pair<double, uint32_t>> top_k(const query_plan& plan, const filter& f,
                                                 size_t k) const;
  std::vector<std::pair<double, uint32_t>> top_k_exhaustive(const query_plan& plan, const filter& f,
                                                            size_t k) const;
  std::vector<search_hit> run(std::string_view query, const search_options& opts,
                              const std::vector<document>& docs, analyzer& az,
                              bool exhaustive) const;

  search_config config_;
  std::array<double, field_count> weight_{};
  std::array<double, field_count> average_length_{};

  // Terms and postings: the postings of term t are [posting_begin_[t], posting_begin_[t + 1]),
  // sorted by section, each with its precomputed BM25F contribution.
  term_dictionary terms_;
  std::vector<uint64_t> posting_begin_;
  std::vector<uint32_t> posting_section_;
  std::vector<float> posting_impact_;
  std::vector<float> max_impact_; // per term
  std::vector<double> idf_;       // per term

  // Forward index in global term ids: per document its title and tags, per section its
  // headings and body (for proximity and the reference scorer). Sequence i spans
  // [sequence_begin_[i], sequence_begin_[i + 1]); documents first (2 each), then sections.
  std::vector<uint32_t> forward_;
  std::vector<uint64_t> sequence_begin_;

  // Sections and documents.
  std::vector<uint32_t> section_first_; // per document, + total
  std::vector<uint32_t> section_doc_;   // per section
  std::vector<uint8_t> doc_retired_;
  std::vector<uint32_t> doc_path_rank_;  // position of the document in path order
  std::vector<uint32_t> doc_layer_;      // index into layer_names_
  std::vector<std::string> layer_names_; // case-folded
  std::vector<uint32_t> doc_language_;   // index into languages_
  std::vector<std::string> languages_;   // codes as analysed
  // Analysis classes: documents analysed with the same Snowball algorithm (or none) form a class;
  // a query word stemmed by one algorithm only matches sections of that class.
  std::vector<uint8_t> section_class_;                        // per section
  std::vector<std::pair<std::string, uint8_t>> stem_classes_; // a language code per algorithm
  int unstemmed_class_ = -1; // the class of languages without stemmer; -1 if there is none
  uint64_t all_classes_ = 0;
  term_dictionary tag_names_;      // case-folded
  std::vector<uint32_t> doc_tags_; // tag ids; document d's are [doc_tag_begin_[d], +1)
  std::vector<uint32_t> doc_tag_begin_;
};

} // namespace sage::core
