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

/// One distinct query word: the index terms it may match (its stemming variants in the
/// languages of the index). A section scores the best of them.
struct query_group {
  std::vector<uint32_t> terms; ///< sorted global term ids, at least one
  float upper_bound = 0;       ///< the largest contribution any section gets from this group
};

struct search_index::query_plan {
  static constexpr uint32_t no_group = UINT32_MAX;

  std::vector<query_group> groups;
  /// The group of each query word in query order, `no_group` for a dropped word (it breaks a
  /// phrase).
  std::vector<uint32_t> sequence;
  /// (term, group) for every variant, sorted: which groups a term in a section belongs to.
  std::vector<std::pair<uint32_t, uint32_t>> term_groups;
  /// Adjacent pairs of different groups in `sequence`: the phrase pairs a section can match.
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  /// Bit `t % bloom_bits` is set for every term t in `term_groups`: a quick "not a query term".
  static constexpr uint32_t bloom_bits = 4096;
  std::vector<uint64_t> bloom = std::vector<uint64_t>(bloom_bits / 64, 0);

  /// Scratch buffers of the proximity computation, reused across the sections of one query.
  mutable std::vector<std::pair<uint32_t, uint32_t>> scratch_hits;
  mutable std::vector<uint32_t> scratch_count;

  bool maybe_query_term(uint32_t term) const {
    return (bloom[(term % bloom_bits) / 64] >> (term % 64)) & 1;
  }

  /// The (term, group) entries of `term`.
  std::pair<const std::pair<uint32_t, uint32_t>*, const std::pair<uint32_t, uint32_t>*>
  groups_of(uint32_t term) const {
    if (!maybe_query_term(term))
      return {nullptr, nullptr};
    auto range = std::equal_range(term_groups.data(), term_groups.data() + term_groups.size(),
                                  std::pair<uint32_t, uint32_t>{term, 0},
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    return range;
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
