// Little binary writer and bounds-checked reader for the on-disk index cache.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sage::core {

/// Appends fixed-width integers, doubles and length-prefixed strings to a byte string.
class binary_writer {
public:
  explicit binary_writer(std::string& out) : out_(out) {}

  template <class T>
    requires std::is_arithmetic_v<T>
  void put(T value) {
    char buf[sizeof(T)];
    std::memcpy(buf, &value, sizeof(T));
    out_.append(buf, sizeof(T));
  }

  void put(std::string_view s) {
    put(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }

  void put(const std::vector<std::string>& items) {
    put(static_cast<uint32_t>(items.size()));
    for (const auto& s : items)
      put(std::string_view{s});
  }

private:
  std::string& out_;
};

/// Reads what binary_writer wrote. Every read is bounds-checked: on truncated or corrupt
/// input `ok()` turns false and reads return zero values, so callers check once at the end.
class binary_reader {
public:
  explicit binary_reader(std::string_view in, size_t offset = 0) : in_(in), pos_(offset) {}

  template <class T>
    requires std::is_arithmetic_v<T>
  T get() {
    T value{};
    if (!take(sizeof(T)))
      return value;
    std::memcpy(&value, in_.data() + pos_ - sizeof(T), sizeof(T));
    return value;
  }

  std::string get_string() {
    auto n = get<uint32_t>();
    if (!take(n))
      return {};
    return std::string(in_.substr(pos_ - n, n));
  }

  std::vector<std::string> get_strings() {
    auto n = get<uint32_t>();
    std::vector<std::string> out;
    if (n > remaining()) { // each string needs at least its 4-byte length
      ok_ = false;
      return out;
    }
    out.reserve(n);
    for (uint32_t i = 0; i < n && ok_; ++i)
      out.push_back(get_string());
    return out;
  }

  /// Guards element counts read from the input before reserving memory for them.
  bool plausible_count(uint64_t n, size_t min_bytes_each) {
    if (n * min_bytes_each > remaining())
      ok_ = false;
    return ok_;
  }

  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

private:
  bool take(size_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }

  std::string_view in_;
  size_t pos_;
  bool ok_ = true;
};

/// A stable 64-bit checksum for cache payloads (not for security): FNV-1a over 8-byte words,
/// then over the tail bytes, so a 40 MB cache is checked in a few milliseconds.
inline uint64_t fnv1a64(std::string_view data, uint64_t seed = 1469598103934665603ull) {
  constexpr uint64_t prime = 1099511628211ull;
  uint64_t h = seed;
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, data.data() + i, 8);
    h = (h ^ word) * prime;
    h ^= h >> 29;
  }
  for (; i < data.size(); ++i)
    h = (h ^ static_cast<unsigned char>(data[i])) * prime;
  return h;
}

} // namespace sage::core
