// Pre-splitting of text into pieces with an encoding's regular expression (PCRE2, JIT).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sage::core {

/// The regular expression an encoding cuts text with before byte-pair merging: words with their
/// leading space, runs of up to three digits, punctuation runs, whitespace runs. Compiled once
/// and shared; `next` may be called from several threads at once.
class bpe_splitter {
public:
  /// The pre-split pattern of `encoding` as tiktoken ships it, or an empty string if unknown.
  static std::string_view pattern_of(const std::string& encoding);

  /// Compiles `pattern` (with `\s` pinned down, see `pin_whitespace`).
  static result<bpe_splitter> compile(std::string_view pattern);

  /// Finds the first piece at or after `from` in `text`, which must be valid UTF-8 (it is not
  /// checked again: callers validate once per text, not once per piece). Returns false when
  /// there is none; otherwise sets [start, end). Characters no alternative matches are skipped,
  /// as the reference does.
  bool next(std::string_view text, size_t from, size_t& start, size_t& end) const;

  /// Rewrites `\s` and `\S` into explicit classes of the whitespace of JavaScript regular
  /// expressions, which the reference tokenizer (js-tiktoken) uses. Engines disagree on a few
  /// characters (PCRE2 has no U+FEFF in `\s`, Rust's regex adds U+0085), and the counts must not
  /// depend on which engine runs the pattern.
  static std::string pin_whitespace(std::string_view pattern);

  struct compiled;

private:
  explicit bpe_splitter(std::shared_ptr<const compiled> c) : code_(std::move(c)) {}
  std::shared_ptr<const compiled> code_;
};

} // namespace sage::core
