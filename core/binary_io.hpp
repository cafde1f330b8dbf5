// Little binary writer and bounds-checked reader for the on-disk index cache.
// SPDX-License-Identifier: MIT
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sage::core {

// Values are written in host byte order; the formats are only read back on the same kind of
// machine, and every supported target is little-endian.
static_assert(std::endian::native == std::endian::little, "binary_io assumes little-endian");

/// Values written as their bytes: integers and floating-point numbers.
template <class T>
concept arithmetic = std::is_arithmetic_v<T>;

/// Element types whose arrays are written as their bytes in one copy.
template <class T>
concept trivially_copyable = std::is_trivially_copyable_v<T>;

/// Appends fixed-width integers, doubles and length-prefixed strings to a byte string.
class binary_writer {
public:
  explicit binary_writer(std::string& out) : out_(out) {}

  template <arithmetic T> void put(T value) {
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

  /// A 64-bit element count, then the elements' bytes in one copy: large arrays cost a memcpy.
  template <trivially_copyable T> void put_vector(const std::vector<T>& items) {
    put(static_cast<uint64_t>(items.size()));
    out_.append(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(T));
  }

private:
  std::string& out_;
};

/// Reads what binary_writer wrote. Every read is bounds-checked: on truncated or corrupt
/// input `ok()` turns false and reads return zero values, so callers check once at the end.
class binary_reader {
public:
  explicit binary_reader(std::string_view in, size_t offset = 0) : in_(in), pos_(offset) {}

  template <arithmetic T> T get() {
    T value{};
    if (!take(sizeof(T))) return value;
    std::memcpy(&value, in_.data() + pos_ - sizeof(T), sizeof(T));
    return value;
  }

  std::string get_string() {
    auto n = get<uint32_t>();
    if (!take(n)) return {};
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

  /// Reads what `put_vector` wrote. The count is checked against the bytes left before anything
  /// is allocated, so corrupt input never makes it allocate more than the input holds.
  template <trivially_copyable T> std::vector<T> get_vector() {
    const auto n = get<uint64_t>();
    std::vector<T> out;
    if (!ok_ || n > remaining() / sizeof(T)) {
      ok_ = false;
      return out;
    }
    out.resize(static_cast<size_t>(n));
    if (n > 0) std::memcpy(out.data(), in_.data() + pos_, out.size() * sizeof(T));
    pos_ += out.size() * sizeof(T);
    return out;
  }

  /// Guards element counts read from the input before reserving memory for them.
  bool plausible_count(uint64_t n, size_t min_bytes_each) {
    if (min_bytes_each != 0 && n > remaining() / min_bytes_each) // no overflow on huge n
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
