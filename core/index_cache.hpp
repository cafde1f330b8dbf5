// The on-disk index cache: parsed and analysed files, reused while a file is unchanged, so a
// cold CLI call does not re-parse an unchanged knowledge base.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzed_document.hpp"
#include "core/document.hpp"
#include "core/kb_scan.hpp"
#include "core/search_index.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sage::core {

/// One file as the cache remembers it: the version seen, and what parsing it gave.
struct cache_entry {
  kb_file file;
  document doc;
  std::string problem;
  analyzed_document analysis; ///< empty when read on the fast path (see cache_contents)
};

/// What a cache file held that is still valid.
struct cache_contents {
  std::vector<cache_entry> entries; ///< sorted by path, like a scan
  /// The inverted index as it was saved, present only on the fast path: every file of the
  /// current scan is unchanged and no other file was cached. Then the per-file analyses are
  /// not read at all (they are only needed to rebuild the index).
  std::optional<search_index> index;
};

/// Reads whole files in one go; false when the file cannot be opened or read.
bool read_whole_file(const std::filesystem::path& path, std::string& out);

/// The cache file for a KB root: one per root, named by a hash of its canonical path.
std::filesystem::path cache_file_for(const std::filesystem::path& cache_dir,
                                     const std::filesystem::path& kb_root);

/// Reads the cache for the files of a fresh scan. `fingerprint` covers everything besides file
/// content that changes the parse (layers, heading depth, analyzer and format versions): a
/// cache written under another fingerprint is foreign and ignored; an index built with other
/// search settings than `search` is not used. A missing, truncated, corrupt (the payload is
/// checksummed) or foreign file gives empty contents and a reason in `why_not`: never trusted,
/// never an error, the caller rebuilds.
cache_contents read_index_cache(const std::filesystem::path& file, uint64_t fingerprint,
                                const std::vector<kb_file>& scanned, const search_config& search,
                                std::string& why_not);

/// What a cache file is, judged whole.
enum class index_cache_state {
  missing, ///< no file (or an empty one)
  foreign, ///< written by another format version or under another parse fingerprint
  corrupt, ///< not a cache file, truncated, or a block that does not match its checksum
  sound,
};

/// Checks a cache file's header and the checksum of every block, without using it; `why_not`
/// says what is wrong. Loading never reads the analyses block on the fast path, so damage
/// there would go unnoticed until a file changes: this is for `sage verify`.
index_cache_state inspect_index_cache(const std::filesystem::path& file, uint64_t fingerprint,
                                      std::string& why_not);

/// Writes the cache atomically (temporary file, then rename): every entry with its analysis,
/// and the index built from them. False when the folder is not writable; a cache is an
/// optimisation, so callers log and go on.
bool write_index_cache(const std::filesystem::path& file, uint64_t fingerprint,
                       const std::vector<const cache_entry*>& entries, const search_index& index,
                       std::string& why_not);

} // namespace sage::core
