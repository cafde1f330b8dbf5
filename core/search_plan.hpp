// Internal to the search index: the analysed form of a query and of its filters.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/search_index.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sage::core {

/// One index term a query word may match, and the analysis classes (bit per class: the Snowball
/// algorithm, or none) of the sections where it counts. A variant made by the German stemmer
/// only matches German sections, so a word never matches through another language's stemmer.
struct query_variant {
  uint32_t term = 0;
  uint64_t classes = 0;

  bool operator==(const query_variant&) const = default;
};

/// One distinct query word: its variants (sorted by term). A section scores the best of them.
struct query_group {
  std::vector<query_variant> variants;
  float upper_bound = 0; ///< the largest contribution any section gets from this group
};

struct search_index::query_plan {
  static constexpr uint32_t no_group = UINT32_MAX;

  /// A variant of a group, for looking up which groups a term of a section belongs to.
  struct entry {
    uint32_t term;
    uint32_t group;
    uint64_t classes;
  };

  std::vector<query_group> groups;
  /// The group of each query word in query order, `no_group` for a dropped word (it breaks a
  /// phrase).
  std::vector<uint32_t> sequence;
  /// Every variant of every group, sorted by term.
  std::vector<entry> entries;
  /// Adjacent pairs of different groups in `sequence`: the phrase pairs a section can match.
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  /// Bit `t % bloom_bits` is set for every term t in `entries`: a quick "not a query term".
  static constexpr uint32_t bloom_bits = 4096;
  std::vector<uint64_t> bloom = std::vector<uint64_t>(bloom_bits / 64, 0);

  /// Scratch buffers of the proximity computation, reused across the sections of one query.
  mutable std::vector<std::pair<uint32_t, uint32_t>> scratch_hits;
  mutable std::vector<uint32_t> scratch_count;

  bool maybe_query_term(uint32_t term) const {
    return (bloom[(term % bloom_bits) / 64] >> (term % 64)) & 1;
  }

  /// The entries of `term`, as a [first, last) range.
  std::pair<const entry*, const entry*> entries_of(uint32_t term) const {
    if (!maybe_query_term(term)) return {nullptr, nullptr};
    const auto* first = std::lower_bound(entries.data(), entries.data() + entries.size(), term,
                                         [](const entry& e, uint32_t t) { return e.term < t; });
    const auto* last = first;
    while (last != entries.data() + entries.size() && last->term == term)
      ++last;
    return {first, last};
  }
};

struct search_index::filter {
  bool include_retired = false;
  std::vector<uint8_t> layer_ok; ///< per layer id; empty = every layer
  std::vector<uint32_t> tags;    ///< sorted tag ids; empty = no tag filter
};

/// Case-folded form of a layer or tag name, so filters ignore case.
std::string fold_label(std::string_view label);

} // namespace sage::core
