// Byte-pair merging of one pre-split piece: a linear scan for short pieces, a heap for long ones.
// SPDX-License-Identifier: MIT
#include "core/bpe_merge.hpp"

#include <algorithm>
#include <array>

namespace sage::core {
namespace detail {
namespace {

/// A token boundary of the piece being merged, with the rank of the pair of tokens that starts
/// here (this token joined with the next one), or `no_rank` if that pair is not a token.
struct boundary {
  uint32_t start;
  uint32_t pair_rank;
};

size_t scan(const bpe_ranks& ranks, std::string_view piece, boundary* b,
            std::vector<uint32_t>* out) {
  constexpr uint32_t none = bpe_ranks::no_rank;
  size_t m = piece.size() + 1; // boundaries, including the end of the piece
  for (size_t i = 0; i < m; ++i)
    b[i].start = static_cast<uint32_t>(i);
  // Rank of the token that would result from joining the tokens at boundaries i and i+1.
  auto joined_rank = [&](size_t i) {
    if (i + 2 >= m) return none;
    return ranks.find(piece.substr(b[i].start, b[i + 2].start - b[i].start));
  };
  for (size_t i = 0; i < m; ++i)
    b[i].pair_rank = joined_rank(i);

  while (m > 2) {
    uint32_t best = none;
    size_t at = 0;
    for (size_t i = 0; i + 2 < m; ++i) {
      if (b[i].pair_rank < best) { // strict: the leftmost of equal ranks wins
        best = b[i].pair_rank;
        at = i;
      }
    }
    if (best == none) break;
    std::copy(b + at + 2, b + m, b + at + 1);
    --m;
    b[at].pair_rank = joined_rank(at);
    if (at > 0) b[at - 1].pair_rank = joined_rank(at - 1);
  }
  if (out) {
    for (size_t i = 0; i + 1 < m; ++i)
      out->push_back(ranks.find(piece.substr(b[i].start, b[i + 1].start - b[i].start)));
  }
  return m - 1;
}

} // namespace

size_t bpe_merge_scan(const bpe_ranks& ranks, std::string_view piece, std::vector<uint32_t>* out) {
  if (piece.size() <= bpe_small_piece) {
    std::array<boundary, bpe_small_piece + 1> b;
    return scan(ranks, piece, b.data(), out);
  }
  thread_local std::vector<boundary> big;
  big.resize(piece.size() + 1);
  return scan(ranks, piece, big.data(), out);
}

size_t bpe_merge_heap(const bpe_ranks& ranks, std::string_view piece, std::vector<uint32_t>* out) {
  constexpr uint32_t none = bpe_ranks::no_rank;
  const uint32_t n = static_cast<uint32_t>(piece.size());
  // Tokens form a linked list indexed by their start byte; `end[s]` is where the token that
  // starts at s ends and `prev[s]` where the one before it starts. Start bytes never move:
  // a merge grows the left token and retires the right one.
  thread_local std::vector<uint32_t> end, prev;
  thread_local std::vector<bool> alive;
  end.resize(n);
  prev.resize(n);
  alive.assign(n, true);
  for (uint32_t i = 0; i < n; ++i) {
    end[i] = i + 1;
    prev[i] = i == 0 ? none : i - 1;
  }

  // A candidate merge of the token [left, mid) with [mid, right). It is stale, and skipped,
  // once either side has changed since it was pushed.
  struct candidate {
    uint32_t rank, left, mid, right;
    bool operator>(const candidate& o) const {
      return rank != o.rank ? rank > o.rank : left > o.left;
    }
  };
  // A min-heap on (rank, left) kept in a per-thread buffer, so long pieces do not allocate
  // once the buffer has grown.
  thread_local std::vector<candidate> heap;
  heap.clear();
  const auto later = [](const candidate& a, const candidate& b) { return a > b; };
  auto push = [&](uint32_t left, uint32_t mid, uint32_t right) {
    const uint32_t r = ranks.find(piece.substr(left, right - left));
    if (r == none) return;
    heap.push_back({r, left, mid, right});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (uint32_t i = 0; i + 1 < n; ++i) {
    const uint32_t r = ranks.find(piece.substr(i, 2));
    if (r != none) heap.push_back({r, i, i + 1, i + 2});
  }
  std::make_heap(heap.begin(), heap.end(), later);

  size_t tokens = n;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const candidate c = heap.back();
    heap.pop_back();
    if (!alive[c.left] || end[c.left] != c.mid || !alive[c.mid] || end[c.mid] != c.right) continue;
    end[c.left] = c.right;
    alive[c.mid] = false;
    if (c.right < n) prev[c.right] = c.left;
    --tokens;
    if (prev[c.left] != none) push(prev[c.left], c.left, c.right);
    if (c.right < n) push(c.left, c.right, end[c.right]);
  }
  if (out) {
    for (uint32_t s = 0; s < n; s = end[s])
      out->push_back(ranks.find(piece.substr(s, end[s] - s)));
  }
  return tokens;
}

} // namespace detail

size_t bpe_merge(const bpe_ranks& ranks, std::string_view piece, std::vector<uint32_t>* out) {
  if (piece.empty()) return 0;
  if (piece.size() == 1) {
    if (out) out->push_back(ranks.find(piece));
    return 1;
  }
  if (piece.size() <= detail::bpe_small_piece) return detail::bpe_merge_scan(ranks, piece, out);
  if (piece.size() <= bpe_max_piece) return detail::bpe_merge_heap(ranks, piece, out);
  // Slices cut between characters (a slice of invalid UTF-8 never backs off more than three
  // bytes).
  auto slice_end = [&](std::string_view rest) {
    size_t cut = std::min(rest.size(), bpe_max_piece);
    for (size_t back = 0;
         cut < rest.size() && back < 3 && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80;
         ++back)
      --cut;
    return cut;
  };
  if (!out) {
    // Counting only: the first slice exactly, the rest at its rate of tokens per byte.
    const size_t first = slice_end(piece);
    const size_t tokens = bpe_merge(ranks, piece.substr(0, first), nullptr);
    const size_t rest = piece.size() - first;
    return tokens + (rest * tokens + first - 1) / first;
  }
  size_t tokens = 0;
  while (!piece.empty()) {
    const size_t cut = slice_end(piece);
    tokens += bpe_merge(ranks, piece.substr(0, cut), out);
    piece.remove_prefix(cut);
  }
  return tokens;
}

} // namespace sage::core
