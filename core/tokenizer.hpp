// Exact byte-pair-encoding token counts for the cl100k_base and o200k_base encodings.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sage::core {

/// Counts tokens as the reference tokenizer (tiktoken) does. Cheap to copy (shared tables);
/// `count` and `encode` are safe to call from several threads at once.
class token_counter {
public:
  /// Loads the rank table of `encoding` (`cl100k_base`, `o200k_base`) from `data_dir`
  /// (the repo's `data/` folder), or makes the `estimate` counter (bytes / 4, rounded up).
  static result<token_counter> load(const std::string& encoding, const std::string& data_dir);

  /// Number of tokens in `text`, which must be valid UTF-8 (invalid bytes are counted as the
  /// reference does for the bytes given).
  size_t count(std::string_view text) const;

  /// Token ids of `text` (empty for the `estimate` counter).
  std::vector<uint32_t> encode(std::string_view text) const;

  const std::string& encoding() const;

  struct impl;

private:
  explicit token_counter(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;
};

} // namespace sage::core
