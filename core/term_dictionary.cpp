// Interning of terms: open-addressed hash table over one string buffer.
// SPDX-License-Identifier: MIT
#include "core/term_dictionary.hpp"

#include <algorithm>
#include <functional>

namespace sage::core {

namespace {

uint32_t hash_of(std::string_view s) {
  auto h = std::hash<std::string_view>{}(s);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

} // namespace

uint32_t term_dictionary::find(std::string_view term) const {
  if (slots_.empty())
    return npos;
  const auto h = hash_of(term);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const auto slot = slots_[i];
    if (slot == 0)
      return npos;
    if (static_cast<uint32_t>(slot >> 32) == h) {
      const auto id = static_cast<uint32_t>(slot) - 1;
      if (this->term(id) == term)
        return id;
    }
  }
}

uint32_t term_dictionary::intern(std::string_view term) {
  if ((ends_.size() + 1) * 2 > slots_.size())
    grow();
  const auto h = hash_of(term);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    const auto slot = slots_[i];
    if (slot == 0)
      break;
    if (static_cast<uint32_t>(slot >> 32) == h) {
      const auto id = static_cast<uint32_t>(slot) - 1;
      if (this->term(id) == term)
        return id;
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
    if (slot == 0)
      continue;
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
  if (capacity > slots_.size())
    rehash(capacity);
}

void term_dictionary::clear() {
  blob_.clear();
  ends_.clear();
  std::fill(slots_.begin(), slots_.end(), 0);
}

} // namespace sage::core
