// Safe paths inside a knowledge base: requests are checked before anything touches the disk.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/utf8_repair.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace sage::core {

/// Checks a KB-relative path as a caller wrote it and returns it normalised (`/`-separated, no
/// `.` components, no trailing `/`). Absolute paths, `..` components, backslashes, NUL bytes
/// and invalid UTF-8 are refused with `error_code::forbidden` or `invalid_argument`.
result<std::string> check_relative_path(std::string_view request);

/// Resolves a checked relative path against `root` on disk and refuses it when the real path
/// (symlinks followed) leaves the root.
result<std::filesystem::path> resolve_inside(const std::filesystem::path& root,
                                             std::string_view relative);

/// True when `candidate` (an existing path) lies inside `root` after following symlinks.
bool is_inside(const std::filesystem::path& root, const std::filesystem::path& candidate);

/// Lower-cased ASCII copy, for case-insensitive lookups of paths and names.
std::string ascii_lower(std::string_view text);

} // namespace sage::core
