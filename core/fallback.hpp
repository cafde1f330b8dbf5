// The built-in answer when a deadline passes with nothing ready (docs/architecture.md).
// SPDX-License-Identifier: MIT
#pragma once

#include "core/load_result.hpp"
#include "core/tokenizer.hpp"

#include <string>
#include <string_view>

namespace sage::core {

/// The short core text compiled into the binary (`config/fallback.md`).
std::string_view fallback_core_text();

/// A `fallback` answer: the core text (cut at a line so it fits `budget` when one is given),
/// `complete` false and `reason` in `errors`.
load_result fallback_result(const token_counter& tokens, size_t budget, std::string reason);

/// Turns what was ready into a `partial` answer that says why it stopped.
void mark_partial(load_result& ready, std::string reason);

} // namespace sage::core
