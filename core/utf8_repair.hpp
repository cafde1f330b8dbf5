// UTF-8 validation and repair (invalid bytes -> U+FFFD) for text handed to the tokenizer.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace sage::core {

/// True if `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
/// PCRE2 may only be run on such text once its own check is turned off.
bool is_valid_utf8(std::string_view text);

/// `text` with every maximal ill-formed subsequence replaced by U+FFFD, as the WHATWG Encoding
/// standard's UTF-8 decoder does. That is what Node's `Buffer.toString("utf8")` and
/// `TextDecoder` produce, so a file read by the reference tokenizer and a file counted here
/// see the same characters.
std::string replace_invalid_utf8(std::string_view text);

} // namespace sage::core
