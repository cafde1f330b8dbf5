// The on-disk index cache: parsed and analysed files, reused while a file is unchanged, so a
// cold CLI call does not re-parse an unchanged knowledge base.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzed_document.hpp"
#include "core/document.hpp"
#include "core/kb_scan.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace sage::core {

/// One file as the cache remembers it: the version seen, and what parsing it gave.
struct cache_entry {
  kb_file file;
  document doc;
  std::string problem;
  analyzed_document analysis;
};

/// Reads a whole file into `out` in one go; false when it cannot be opened or read.
bool read_whole_file(const std::filesystem::path& path, std::string& out);

/// The cache file for a KB root: one per root, named by a hash of its canonical path.
std::filesystem::path cache_file_for(const std::filesystem::path& cache_dir,
                                     const std::filesystem::path& kb_root);

/// Reads the cache. `fingerprint` covers everything besides file content that changes the parse
/// (layers, heading depth, analyzer and format versions): a cache written under another
/// fingerprint is foreign and ignored. A missing, truncated, corrupt or foreign file gives an empty map and a
/// reason in `why_not` (never trusted, never an error: the caller rebuilds).
std::unordered_map<std::string, cache_entry> read_index_cache(const std::filesystem::path& file,
                                                              uint64_t fingerprint,
                                                              std::string& why_not);

/// Writes the cache atomically (temporary file, then rename). False when the folder is not
/// writable; a cache is an optimisation, so callers log and go on.
bool write_index_cache(const std::filesystem::path& file, uint64_t fingerprint,
                       const std::vector<const cache_entry*>& entries, std::string& why_not);

} // namespace sage::core
