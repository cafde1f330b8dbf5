// Random (version 4) UUIDs as lower-case text, from libuuid.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sage::core {

/// A new random UUID (version 4) such as `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
std::string new_uuid();

/// True if `text` is a UUID in the 8-4-4-4-12 hex form (any version, either case).
bool is_uuid(std::string_view text);

/// The one check of an id given from outside (a CLI option, a REST path or body, an MCP
/// argument, an import line): an `invalid_argument` error naming `what` and showing the id (cut,
/// and hidden when not UTF-8) unless it is a UUID. Ids end up in file-like places (exports,
/// logs), so `../x` must never pass. `hint` says where valid ids come from.
std::optional<error> check_uuid(std::string_view id, std::string_view what, std::string_view hint);

} // namespace sage::core
