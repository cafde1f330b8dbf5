// Helpers shared by the memory, session and budget commands: checks of ids and text, content
// from standard input, and short forms of long values for tables.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace sage::services::cli {

/// An invalid_argument error unless `id` is a UUID. `what` names the id in the message
/// ("memory entry id"); `hint` says where such ids are listed.
std::optional<core::error> check_uuid(const std::string& id, const std::string& what,
                                      const std::string& hint);

/// An invalid_argument error unless `text` is valid UTF-8; `what` names the argument.
std::optional<core::error> check_utf8(const std::string& text, const std::string& what);

/// An invalid_argument error when `text` is empty or only white space.
std::optional<core::error> check_not_blank(const std::string& text, const std::string& what,
                                           const std::string& hint);

/// `arg` itself, or for `-` everything on standard input. Input longer than `limit` bytes is
/// not read to its end: the error names the limit, and `hint` says what to do instead.
core::result<std::string> text_argument(const std::string& arg, size_t limit,
                                        const std::string& what, const std::string& hint);

/// `text` on one line for a table: runs of white space as one space, cut to at most `width`
/// display columns with a trailing "…".
std::string preview(const std::string& text, size_t width);

/// `1 entry`, `3 entries`: `n` with the singular or plural noun.
std::string count_of(size_t n, const std::string& one, const std::string& many);

/// An ISO 8601 timestamp (`2024-05-01T12:34:56.789Z`) as `2024-05-01 12:34:56` for tables.
std::string short_time(const std::string& timestamp);

} // namespace sage::services::cli
