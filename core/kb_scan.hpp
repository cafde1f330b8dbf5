// Listing the Markdown files of a knowledge base, with what identifies each file's version.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sage::core {

/// A Markdown file found under the KB root. Size, modification and change time together say
/// whether a cached parse of the file is still valid.
struct kb_file {
  std::string path; ///< relative, `/`-separated
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;

  bool same_version(const kb_file& other) const {
    return size == other.size && mtime_ns == other.mtime_ns && ctime_ns == other.ctime_ns &&
           inode == other.inode;
  }
};

/// What the scan skipped and why (symlinks leaving the root, unreadable folders).
struct scan_result {
  std::vector<kb_file> files; ///< sorted by path
  std::vector<std::string> refused;
};

/// Lists every `.md` file under `root`, hidden ones too (tldr's `..md` is the page of `.`);
/// hidden folders like `.git` are skipped. Symlinks whose target leaves the root are refused
/// and listed, never followed.
result<scan_result> scan_knowledge_base(const std::filesystem::path& root);

} // namespace sage::core
