// Glob patterns for event types: `*` matches any run of characters, `?` exactly one.
// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace sage::core {

/// True when `type` (`loader.changed`) matches `pattern` (`loader.*`, `*.error`, `*`,
/// `timeout.?xceeded`). Matching is on bytes and case-sensitive. Only the last `*` is ever
/// revisited, so the cost is at most pattern length times type length, never exponential.
bool event_matches(std::string_view pattern, std::string_view type);

} // namespace sage::core
