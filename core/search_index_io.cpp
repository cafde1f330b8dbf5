// Binary serialisation of the search index: flat arrays written raw, invariants checked on load.
// SPDX-License-Identifier: MIT
#include "core/binary_io.hpp"
#include "core/search_index.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>

namespace sage::core {

namespace {

constexpr uint32_t magic = 0x58444953; // "SIDX" in file order

// Finite and not negative: what build computes for weights, lengths, idf and impacts. NaN fails
// both comparisons, and a NaN score would break the ordering that the top-k heap and the sort of
// hits rely on.
bool non_negative_finite(double x) {
  return x >= 0 && x <= DBL_MAX;
}

// An offsets array of `count` ranges: `count + 1` entries, from 0, never decreasing, ending at
// `total`.
template <class T> bool valid_offsets(const std::vector<T>& v, uint64_t count, uint64_t total) {
  if (v.size() != count + 1 || v.front() != 0 || v.back() != total) return false;
  bool monotone = true;
  for (size_t i = 1; i < v.size(); ++i)
    monotone &= v[i - 1] <= v[i];
  return monotone;
}

// Every id below `limit`. Four running maxima without early exit: the forward index holds
// millions of ids and this runs at memory speed.
bool ids_below(const std::vector<uint32_t>& ids, uint64_t limit) {
  uint32_t m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  const uint32_t* p = ids.data();
  const size_t n = ids.size();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    m0 = std::max(m0, p[i]);
    m1 = std::max(m1, p[i + 1]);
    m2 = std::max(m2, p[i + 2]);
    m3 = std::max(m3, p[i + 3]);
  }
  for (; i < n; ++i)
    m0 = std::max(m0, p[i]);
  return n == 0 || std::max(std::max(m0, m1), std::max(m2, m3)) < limit;
}

// Offsets of a default-constructed index are empty; they are written as one 0, the form build
// gives for no entries, so the reader has a single shape to check.
template <class T> void put_offsets(binary_writer& w, const std::vector<T>& v) {
  if (v.empty())
    w.put_vector(std::vector<T>{0});
  else
    w.put_vector(v);
}

void put_config(binary_writer& w, const search_config& c) {
  w.put(static_cast<int32_t>(c.default_limit));
  w.put(static_cast<int32_t>(c.max_limit));
  for (double x : {c.k1, c.b, c.weight_title, c.weight_headings, c.weight_body, c.weight_tags,
                   c.proximity_bonus})
    w.put(x);
}

bool get_config(binary_reader& r, search_config& c) {
  c.default_limit = r.get<int32_t>();
  c.max_limit = r.get<int32_t>();
  bool finite = true;
  for (double* x : {&c.k1, &c.b, &c.weight_title, &c.weight_headings, &c.weight_body,
                    &c.weight_tags, &c.proximity_bonus}) {
    *x = r.get<double>();
    finite &= std::isfinite(*x);
  }
  return r.ok() && finite;
}

} // namespace

// Layout: magic, version, config, field statistics, then the members in the order below; arrays
// as a 64-bit count and their raw bytes. section_doc_ and max_impact_ are derived on load.
void search_index::serialize(std::string& out) const {
  out.reserve(out.size() + 256 + terms_.bytes() + tag_names_.bytes() +
              (terms_.size() + tag_names_.size()) * 40 + posting_begin_.size() * 16 +
              posting_section_.size() * 8 + forward_.size() * 4 + sequence_begin_.size() * 8 +
              doc_retired_.size() * 21 + doc_tags_.size() * 4 + section_class_.size());
  binary_writer w(out);
  w.put(magic);
  w.put(serial_version);
  put_config(w, config_);
  for (double x : weight_)
    w.put(x);
  for (double x : average_length_)
    w.put(x);

  terms_.serialize(w);
  put_offsets(w, posting_begin_);
  w.put_vector(posting_section_);
  w.put_vector(posting_impact_);
  w.put_vector(idf_);

  w.put_vector(forward_);
  put_offsets(w, sequence_begin_);

  put_offsets(w, section_first_);
  w.put_vector(doc_retired_);
  w.put_vector(doc_path_rank_);
  w.put_vector(doc_layer_);
  w.put(layer_names_);
  w.put_vector(doc_language_);
  w.put(languages_);

  w.put_vector(section_class_);
  w.put(static_cast<uint32_t>(stem_classes_.size()));
  for (const auto& [code, cls] : stem_classes_) {
    w.put(std::string_view{code});
    w.put(cls);
  }
  w.put(static_cast<int32_t>(unstemmed_class_));
  w.put(all_classes_);

  tag_names_.serialize(w);
  w.put_vector(doc_tags_);
  put_offsets(w, doc_tag_begin_);
}

// Reads the fields in the order serialize writes them; no checks beyond the reader's bounds.
const char* search_index::read(binary_reader& r) {
  if (r.get<uint32_t>() != magic) return r.ok() ? "not a search index" : "truncated search index";
  if (const auto version = r.get<uint32_t>(); version != serial_version)
    return r.ok() ? "search index of another format version" : "truncated search index";
  if (!get_config(r, config_)) return r.ok() ? "search index config not finite" : nullptr;
  for (auto& x : weight_)
    x = r.get<double>();
  for (auto& x : average_length_)
    x = r.get<double>();

  if (!terms_.deserialize(r)) return r.ok() ? "corrupt search index terms" : nullptr;
  posting_begin_ = r.get_vector<uint64_t>();
  posting_section_ = r.get_vector<uint32_t>();
  posting_impact_ = r.get_vector<float>();
  idf_ = r.get_vector<double>();

  forward_ = r.get_vector<uint32_t>();
  sequence_begin_ = r.get_vector<uint64_t>();

  section_first_ = r.get_vector<uint32_t>();
  doc_retired_ = r.get_vector<uint8_t>();
  doc_path_rank_ = r.get_vector<uint32_t>();
  doc_layer_ = r.get_vector<uint32_t>();
  layer_names_ = r.get_strings();
  doc_language_ = r.get_vector<uint32_t>();
  languages_ = r.get_strings();

  section_class_ = r.get_vector<uint8_t>();
  const auto n_stem = r.get<uint32_t>();
  if (!r.plausible_count(n_stem, 5)) return nullptr;
  stem_classes_.resize(n_stem);
  for (auto& [code, cls] : stem_classes_) {
    code = r.get_string();
    cls = r.get<uint8_t>();
  }
  unstemmed_class_ = r.get<int32_t>();
  all_classes_ = r.get<uint64_t>();

  if (!tag_names_.deserialize(r)) return r.ok() ? "corrupt search index tag names" : nullptr;
  doc_tags_ = r.get_vector<uint32_t>();
  doc_tag_begin_ = r.get_vector<uint32_t>();
  return nullptr;
}

// Checks what search relies on and derives what is not stored (section_doc_, max_impact_).
// Sizes come first, so that nothing is allocated or indexed before the arrays it depends on
// are known to match.
const char* search_index::check_and_derive() {
  for (size_t f = 0; f < field_count; ++f)
    if (!non_negative_finite(weight_[f]) || !non_negative_finite(average_length_[f]))
      return "search index field statistics out of range";

  // Documents and sections.
  const uint64_t n_docs = doc_retired_.size();
  if (section_first_.size() != n_docs + 1) return "search index document arrays differ in size";
  const uint64_t n_sections = section_first_.back();
  // UINT32_MAX marks the end of a posting list, so it cannot be a section.
  if (n_sections >= UINT32_MAX || !valid_offsets(section_first_, n_docs, n_sections))
    return "search index section ranges out of order";
  if (doc_path_rank_.size() != n_docs || doc_layer_.size() != n_docs ||
      doc_language_.size() != n_docs || doc_tag_begin_.size() != n_docs + 1 ||
      section_class_.size() != n_sections)
    return "search index document arrays differ in size";
  // Before section_doc_ is allocated: sequence_begin_ has two entries per section, so
  // n_sections is bounded by the input.
  if (!valid_offsets(sequence_begin_, 2 * n_docs + 2 * n_sections, forward_.size()))
    return "search index sequence ranges out of order";
  uint8_t retired_bits = 0;
  for (auto flag : doc_retired_)
    retired_bits |= flag;
  if (retired_bits > 1) return "search index retired flags out of range";
  if (!ids_below(doc_layer_, layer_names_.size()) || !ids_below(doc_language_, languages_.size()))
    return "search index layer or language ids out of range";
  {
    std::vector<uint8_t> seen(n_docs, 0); // path ranks form a permutation: ties stay ordered
    for (auto rank : doc_path_rank_) {
      if (rank >= n_docs || seen[rank] != 0) return "search index path order is not a permutation";
      seen[rank] = 1;
    }
  }
  if (!valid_offsets(doc_tag_begin_, n_docs, doc_tags_.size()) ||
      !ids_below(doc_tags_, tag_names_.size()))
    return "search index document tags out of range";
  section_doc_.resize(n_sections);
  for (size_t d = 0; d < n_docs; ++d)
    std::fill(section_doc_.begin() + section_first_[d],
              section_doc_.begin() + section_first_[d + 1], static_cast<uint32_t>(d));

  // Analysis classes: bits 0..k-1 of all_classes_, one class per language (shifts by a class
  // must stay below 64).
  const auto n_classes = static_cast<unsigned>(std::popcount(all_classes_));
  if (all_classes_ != (n_classes == 64 ? ~uint64_t{0} : (uint64_t{1} << n_classes) - 1) ||
      unstemmed_class_ < -1 || unstemmed_class_ >= static_cast<int>(n_classes))
    return "search index analysis classes out of range";
  for (const auto& sc : stem_classes_)
    if (sc.second >= n_classes) return "search index analysis classes out of range";
  {
    std::vector<uint8_t> class_of_language(languages_.size(), UINT8_MAX);
    for (uint32_t s = 0; s < n_sections; ++s) {
      auto& cls = class_of_language[doc_language_[section_doc_[s]]];
      if (section_class_[s] >= n_classes || (cls != UINT8_MAX && cls != section_class_[s]))
        return "search index analysis classes out of range";
      cls = section_class_[s];
    }
  }

  // Terms: postings sorted by section and in range, finite impacts; the forward index in ids.
  const uint64_t n_terms = terms_.size();
  const uint64_t n_postings = posting_section_.size();
  if (posting_impact_.size() != n_postings || idf_.size() != n_terms ||
      !valid_offsets(posting_begin_, n_terms, n_postings))
    return "search index posting ranges out of order";
  if (!ids_below(forward_, n_terms)) return "search index term ids out of range";
  bool finite = true;
  for (auto x : idf_)
    finite &= non_negative_finite(x);
  if (!finite) return "search index scores out of range";
  // One pass over the postings: sections strictly increasing and below n_sections, and the
  // largest impact of each term (its pruning bound). Non-negative floats order like their bit
  // patterns, and every pattern from +inf (0x7F800000) up is +inf, NaN or negative: an integer
  // maximum checks and computes at once, without a floating-point dependency chain.
  max_impact_.assign(n_terms, 0);
  const uint32_t* section = posting_section_.data();
  const float* impact = posting_impact_.data();
  bool sorted = true;
  uint32_t all_bits = 0;
  for (size_t t = 0; t < n_terms; ++t) {
    const auto begin = posting_begin_[t], end = posting_begin_[t + 1];
    if (begin == end) continue;
    sorted &= section[end - 1] < n_sections;
    uint32_t bits = std::bit_cast<uint32_t>(impact[begin]);
    for (auto p = begin + 1; p < end; ++p) {
      sorted &= section[p - 1] < section[p];
      bits = std::max(bits, std::bit_cast<uint32_t>(impact[p]));
    }
    all_bits = std::max(all_bits, bits);
    max_impact_[t] = std::bit_cast<float>(bits);
  }
  if (!sorted) return "search index posting lists out of order";
  if (all_bits >= 0x7F800000u) return "search index scores out of range";
  return nullptr;
}

result<search_index> search_index::deserialize(std::string_view data, size_t& offset) {
  if (offset > data.size()) return make_error(error_code::parse, "truncated search index");
  binary_reader r(data, offset);
  search_index ix;
  const char* why = ix.read(r);
  if (why == nullptr && !r.ok()) why = "truncated search index";
  if (why == nullptr) why = ix.check_and_derive();
  if (why != nullptr) return make_error(error_code::parse, why);
  offset = r.offset();
  return ix;
}

} // namespace sage::core
