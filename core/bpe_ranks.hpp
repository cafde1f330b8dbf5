// Rank table of a byte-pair encoding: token bytes -> rank, loaded from a `.tiktoken` file.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// The merge ranks of one encoding. Immutable once loaded, so any number of threads may look
/// tokens up at once. Lookups sit on the hot path of every token count, hence a flat
/// open-addressing table over one byte arena instead of a node-based map of strings: loading
/// makes a handful of allocations instead of one per token, and a probe usually touches one
/// cache line.
class bpe_ranks {
public:
  /// Returned by `find` for byte strings that are not a token.
  static constexpr uint32_t no_rank = UINT32_MAX;

  /// Parses the standard `.tiktoken` format: one "<base64 of the token bytes> <rank>" per line.
  static result<bpe_ranks> load(const std::string& path);

  /// Builds a table from the text of a `.tiktoken` file; `origin` names it in error messages.
  static result<bpe_ranks> parse(std::string_view text, const std::string& origin);

  /// Rank of the token whose bytes are exactly `bytes`, or `no_rank`.
  uint32_t find(std::string_view bytes) const {
    // One- and two-byte strings are most of the lookups of a merge (every merge starts from
    // single bytes and first tries all adjacent pairs): direct arrays, no hashing.
    if (bytes.size() == 1) return byte_rank_[static_cast<unsigned char>(bytes[0])];
    if (bytes.size() == 2) {
      return pair_rank_[static_cast<unsigned char>(bytes[0]) |
                        (static_cast<unsigned char>(bytes[1]) << 8)];
    }
    return find_long(bytes);
  }

  size_t size() const { return tokens_.size(); }

private:
  struct token {
    uint32_t offset; ///< where its bytes start in `arena_`
    uint32_t length;
    uint32_t rank;
  };

  /// One open-addressing slot. It holds the first eight bytes of its token and the length, so
  /// a probe for a token of up to eight bytes (most of them) reads this one cache line only.
  struct slot {
    uint64_t prefix = 0;     ///< first (up to) 8 bytes, zero-padded
    uint32_t rank = no_rank; ///< `no_rank` marks an empty slot
    uint32_t meta = 0;       ///< index into `tokens_` << 8 | min(length, 255)
  };

  uint32_t find_long(std::string_view bytes) const;
  void insert(uint32_t index, uint64_t hash);

  std::string arena_; ///< the bytes of all tokens, back to back
  std::vector<token> tokens_;
  std::vector<slot> slots_; ///< capacity a power of two, load <= 1/2
  uint64_t mask_ = 0;
  std::array<uint32_t, 256> byte_rank_{};
  std::vector<uint32_t> pair_rank_; ///< 65536 entries, indexed by first byte | second << 8
};

} // namespace sage::core
