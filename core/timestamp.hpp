// ISO 8601 UTC timestamps with milliseconds, as stored by the memory database.
// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sage::core {

/// `2024-05-01T12:34:56.789Z`. Fixed width, so text order is time order.
std::string format_timestamp(std::chrono::system_clock::time_point t);

/// The current time as `format_timestamp` writes it.
std::string now_timestamp();

/// True if `text` has exactly the form `format_timestamp` writes, with fields in range.
bool is_timestamp(std::string_view text);

} // namespace sage::core
