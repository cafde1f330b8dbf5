// Random (version 4) UUIDs as lower-case text, from libuuid.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace sage::core {

/// A new random UUID (version 4) such as `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
std::string new_uuid();

/// True if `text` is a UUID in the 8-4-4-4-12 hex form (any version, either case).
bool is_uuid(std::string_view text);

} // namespace sage::core
