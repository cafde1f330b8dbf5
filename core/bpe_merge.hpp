// Byte-pair merging of one pre-split piece into tokens, by rank.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/bpe_ranks.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace sage::core {

/// Splits `piece` into tokens the way tiktoken does: start from single bytes and repeatedly
/// merge the adjacent pair whose concatenation has the lowest rank (the leftmost one on ties)
/// until no adjacent pair is a token. Returns the number of tokens; when `out` is given, also
/// appends their ranks. Allocation-free for the short pieces that make up almost all text.
/// A piece longer than `bpe_max_piece` (a word of thousands of letters without a space: data,
/// not prose) is cut between UTF-8 characters into slices of at most that size. Its tokens are
/// those of each slice (about one more per slice than tiktoken's); its count, when `out` is
/// not asked for, is the first slice's exactly and the rest at the same tokens per byte. A
/// 50 MB piece took a minute and a gigabyte; now counting it costs one slice.
inline constexpr size_t bpe_max_piece = 4096;
size_t bpe_merge(const bpe_ranks& ranks, std::string_view piece, std::vector<uint32_t>* out);

namespace detail {

/// Pieces up to this many bytes use the quadratic scan (no allocation, tiny constant);
/// longer ones (runs of CJK letters, long symbol runs) use the heap, O(n log n).
inline constexpr size_t bpe_small_piece = 96;

/// The two strategies behind `bpe_merge`, exposed so tests can check they agree.
size_t bpe_merge_scan(const bpe_ranks& ranks, std::string_view piece, std::vector<uint32_t>* out);
size_t bpe_merge_heap(const bpe_ranks& ranks, std::string_view piece, std::vector<uint32_t>* out);

} // namespace detail
} // namespace sage::core
