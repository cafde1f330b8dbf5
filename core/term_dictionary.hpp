// Interning of terms: a compact string -> dense id map used by analysis and the search index.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

class binary_reader;
class binary_writer;

/// Maps distinct strings to dense ids 0, 1, 2, ... in insertion order and back. All strings live
/// in one buffer and the table is open-addressed, so millions of short terms cost little memory
/// and no allocation per term. Not thread-safe for writers; concurrent `find` calls are fine.
class term_dictionary {
public:
  /// Returned by `find` for a term that is not in the dictionary.
  static constexpr uint32_t npos = UINT32_MAX;

  /// The id of `term`, adding it with the next free id when it is new.
  uint32_t intern(std::string_view term);

  /// The id of `term`, or `npos`.
  uint32_t find(std::string_view term) const;

  /// The string of an id returned by `intern`; valid until the next `intern` or `clear`.
  std::string_view term(uint32_t id) const {
    return std::string_view{blob_}.substr(ends_[id] - length(id), length(id));
  }

  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }

  /// Total bytes of all terms.
  size_t bytes() const { return blob_.size(); }

  /// Prepares for about `terms` entries of `bytes` total length.
  void reserve(size_t terms, size_t bytes);

  /// Forgets all terms but keeps the allocated memory.
  void clear();

  /// Appends the terms and the hash table to `w` as raw arrays, so loading is a few copies.
  void serialize(binary_writer& w) const;

  /// Replaces the contents with what `serialize` wrote. False (contents unspecified) when the
  /// input is truncated or breaks an invariant `find` and `term` rely on: term ends monotone and
  /// inside the buffer, a power-of-two table with a free slot (so probing stops), ids in range.
  /// A well-formed table with wrong hashes only makes lookups miss; it never reads out of bounds.
  bool deserialize(binary_reader& r);

private:
  uint32_t length(uint32_t id) const { return ends_[id] - (id == 0 ? 0 : ends_[id - 1]); }
  void grow();
  void rehash(size_t capacity);

  std::string blob_;            // all terms back to back
  std::vector<uint32_t> ends_;  // end offset of term i in blob_
  std::vector<uint64_t> slots_; // (hash << 32) | (id + 1); 0 = empty; size is a power of two
};

} // namespace sage::core
