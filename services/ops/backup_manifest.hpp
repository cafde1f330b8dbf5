// The manifest of a backup folder: what it holds, with the size and SHA-256 of every file it
// holds and of every file of the knowledge base at the time, and the check of a backup folder
// against it.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/ops/check_report.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sage::services::ops {

/// The manifest format this build writes and reads.
constexpr int backup_format_version = 1;

/// File names inside a backup folder. `manifest.sha256` is written last: a folder without it
/// is an incomplete backup. It is in `sha256sum` format, so `sha256sum -c manifest.sha256`
/// checks the manifest without sage.
namespace backup_files {
constexpr const char* database = "memory.db";
constexpr const char* config = "sage.yaml";
constexpr const char* manifest = "manifest.json";
constexpr const char* manifest_sum = "manifest.sha256";
constexpr const char* staging = ".partial"; ///< where a backup is written before it is complete
} // namespace backup_files

/// A file with its size and checksum; `path` is relative to the backup folder or the KB root.
struct manifest_file {
  std::string path;
  uint64_t size = 0;
  std::string sha256;
};

struct backup_manifest {
  int format_version = backup_format_version;
  std::string created_at;   ///< ISO 8601, UTC
  std::string sage_version; ///< of the build that wrote it
  std::string data_dir;     ///< memory.data_dir at backup time
  /// Schema version of the backed-up database; 0 when there was no database to back up.
  int schema_version = 0;
  int64_t entries = 0, sessions = 0;
  std::vector<manifest_file> files; ///< the files of the backup folder besides the manifest
  std::string kb_root;
  std::vector<manifest_file> knowledge; ///< every Markdown file of the knowledge base

  bool has_database() const;
};

nlohmann::json to_json(const backup_manifest& m);

/// Reads a manifest, refusing anything this build did not write: an unknown format or newer
/// version, file names other than `memory.db` and `sage.yaml`, paths that leave their folder,
/// malformed sizes or checksums. Errors are of code parse and name the field.
core::result<backup_manifest> manifest_from_json(const nlohmann::json& j);

/// What checking a backup folder found; `manifest` is set when it could be read.
struct backup_check {
  check_report report; ///< name `backup`
  std::optional<backup_manifest> manifest;
};

/// Checks the backup in `dir`: complete (no `.partial`, `manifest.sha256` present), the manifest
/// matches `manifest.sha256`, every file it lists is a regular file (never a symbolic link) of
/// the recorded size and SHA-256, and the database passes SQLite's integrity check, opened
/// read-only so the backup stays as it was, with a schema this build can read. Every problem
/// names the file. Never changes the folder.
backup_check check_backup(const std::filesystem::path& dir);

/// Notes on how the knowledge base of `cfg` differs from the one recorded in `m` (files added,
/// changed or removed since the backup): worth knowing when restoring, never a problem, since
/// the knowledge base is not part of the backup.
std::vector<std::string> compare_knowledge(const backup_manifest& m, const core::config& cfg);

/// The size and SHA-256 of every Markdown file of the knowledge base at `root`, by path.
core::result<std::vector<manifest_file>> knowledge_checksums(const std::filesystem::path& root);

} // namespace sage::services::ops
