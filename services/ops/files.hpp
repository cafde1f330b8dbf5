// File steps of backups and restores: private files written and synced to disk, folders
// synced, and checks of paths a user passes in.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sage::services::ops {

/// Writes `data` to a new file (mode 0600; an existing file is an error) and syncs it to disk.
std::optional<core::error> write_private_file(const std::filesystem::path& path,
                                              std::string_view data);

/// Copies `from` to a new file `to` (mode 0600; an existing file is an error), synced to disk.
std::optional<core::error> copy_private_file(const std::filesystem::path& from,
                                             const std::filesystem::path& to);

/// Syncs a folder, so that the files created or renamed in it survive a crash.
std::optional<core::error> sync_folder(const std::filesystem::path& dir);

/// Creates a folder with mode 0700 (its parents with the default mode).
std::optional<core::error> create_private_folder(const std::filesystem::path& dir);

/// `dir/` as `dir`: a trailing slash would make the system follow a symbolic link at `dir` and
/// name an empty last component.
std::filesystem::path folder_path(const std::filesystem::path& dir);

/// What is at a path, without following a symbolic link there.
enum class path_kind { missing, folder, file, symlink, other };
path_kind kind_of(const std::filesystem::path& path);

/// True when `dir` (a folder) holds nothing.
bool folder_is_empty(const std::filesystem::path& dir);

} // namespace sage::services::ops
