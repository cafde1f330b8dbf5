// Interning of terms: open-addressed hash table over one string buffer.
// SPDX-License-Identifier: MIT
#include "core/term_dictionary.hpp"

#include "core/binary_io.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace sage::core {

namespace {

// A fast hash for short strings: 8 bytes at a time, multiply and xor-shift mixing.
uint32_t hash_of(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    p += 8, n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
  }
  h *= 0xBF58476D1CE4E5B9ull;
  return static_cast<uint32_t>(h >> 32);
}

} // namespace

uint32_t term_dictionary::find(std::string_view term) const {
  if (slots_.empty()) return npos;
  const auto h = hash_of(term);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const auto slot = slots_[i];
    if (slot == 0) return npos;
    if (static_cast<uint32_t>(slot >> 32) == h) {
      const auto id = static_cast<uint32_t>(slot) - 1;
      if (this->term(id) == term) return id;
    }
  }
}

uint32_t term_dictionary::intern(std::string_view term) {
  if ((ends_.size() + 1) * 2 > slots_.size()) grow();
  const auto h = hash_of(term);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    const auto slot = slots_[i];
    if (slot == 0) break;
    if (static_cast<uint32_t>(slot >> 32) == h) {
      const auto id = static_cast<uint32_t>(slot) - 1;
      if (this->term(id) == term) return id;
    }
  }
  const auto id = static_cast<uint32_t>(ends_.size());
  blob_.append(term);
  ends_.push_back(static_cast<uint32_t>(blob_.size()));
  slots_[i] = (static_cast<uint64_t>(h) << 32) | (static_cast<uint64_t>(id) + 1);
  return id;
}

void term_dictionary::grow() {
  size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
  while (capacity < (ends_.size() + 1) * 2)
    capacity *= 2;
  rehash(capacity);
}

void term_dictionary::rehash(size_t capacity) {
  std::vector<uint64_t> slots(capacity, 0);
  const size_t mask = capacity - 1;
  for (auto slot : slots_) {
    if (slot == 0) continue;
    size_t i = static_cast<uint32_t>(slot >> 32) & mask;
    while (slots[i] != 0)
      i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_ = std::move(slots);
}

void term_dictionary::reserve(size_t terms, size_t bytes) {
  blob_.reserve(bytes);
  ends_.reserve(terms);
  size_t capacity = slots_.empty() ? 16 : slots_.size();
  while (capacity < terms * 2)
    capacity *= 2;
  if (capacity > slots_.size()) rehash(capacity);
}

void term_dictionary::clear() {
  blob_.clear();
  ends_.clear();
  std::fill(slots_.begin(), slots_.end(), 0);
}

void term_dictionary::serialize(binary_writer& w) const {
  w.put(std::string_view{blob_});
  w.put_vector(ends_);
  w.put_vector(slots_);
}

bool term_dictionary::deserialize(binary_reader& r) {
  blob_ = r.get_string();
  ends_ = r.get_vector<uint32_t>();
  slots_ = r.get_vector<uint64_t>();
  if (!r.ok()) return false;
  // Term ends: monotone, the last one at the end of the buffer.
  uint32_t previous = 0;
  bool monotone = true;
  for (auto end : ends_) {
    monotone &= end >= previous;
    previous = end;
  }
  if (!monotone || previous != blob_.size()) return false;
  // The table: empty for an empty dictionary, else a power of two larger than the term count
  // (at least one free slot), every occupied slot naming an existing id.
  if (slots_.empty()) return ends_.empty();
  if (!std::has_single_bit(slots_.size()) || slots_.size() <= ends_.size()) return false;
  // Branch-free: an occupied slot holds id + 1 with id < size (id + 1 == 0 wraps and fails).
  const uint64_t ids = ends_.size();
  bool out_of_range = false;
  size_t free = 0;
  for (auto slot : slots_) {
    const auto id = static_cast<uint32_t>(static_cast<uint32_t>(slot) - 1u);
    out_of_range |= (slot != 0) & (id >= ids);
    free += slot == 0 ? 1 : 0;
  }
  return !out_of_range && free > 0;
}

} // namespace sage::core
