// An immutable snapshot of a loaded knowledge base: documents, their analysis, the search
// index, and lookups by path and by name.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/analyzer.hpp"
#include "core/config.hpp"
#include "core/document.hpp"
#include "core/error.hpp"
#include "core/kb_scan.hpp"
#include "core/load_result.hpp"
#include "core/search_index.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sage::core {

/// The kinds of named documents callers ask for by a short name.
enum class named_kind { guideline, framework, template_ };

/// A file that loaded with something worth reporting (bad front matter, invalid UTF-8), or
/// that the scan refused (a symlink leaving the root).
struct kb_problem {
  std::string path;
  std::string message;
};

/// How a snapshot came to be: for `info`, logs and benchmarks.
struct build_stats {
  size_t files_parsed = 0;     ///< read and parsed in this build
  size_t files_from_cache = 0; ///< reused from the on-disk index cache
  double build_ms = 0;         ///< all of the load
  double scan_ms = 0;          ///< listing files
  double cache_ms = 0;         ///< reading the index cache
  double parse_ms = 0;         ///< reading, parsing and analysing changed files
  double index_ms = 0;         ///< building the inverted index
  bool cache_written = false;
};

/// Read-only after construction, so any number of threads may query it at once.
class knowledge_base {
public:
  std::filesystem::path root;       ///< canonical KB root
  std::vector<layer_config> layers; ///< as configured
  std::vector<document> documents;  ///< sorted by path
  std::vector<kb_file> files;       ///< parallel to `documents`
  /// Parallel to `documents`, or empty when the snapshot came whole from the index cache
  /// (the analyses are only needed to rebuild the index).
  std::vector<analyzed_document> analyses;
  search_index index;
  std::vector<kb_problem> problems;
  index_stamp stamp;
  build_stats stats;

  /// Builds the path lookup table; call once after the members are filled in.
  void finish();

  /// A document by KB-relative path, case-insensitive, `.md` optional. Null when absent.
  const document* find(std::string_view path) const;

  /// A document by a caller's request: a path (checked against traversal) or a
  /// `knowledge://<layer>/<path>` URI. Not found and forbidden are errors with hints.
  result<const document*> resolve(std::string_view request) const;

  /// A guideline, framework or template by name: the alias map, then an exact file name or
  /// path inside the layer, then a unique prefix, then a unique substring. Ambiguous and
  /// unknown names are errors that list the candidates.
  result<const document*> resolve_named(named_kind kind, std::string_view name,
                                        const std::map<std::string, std::string>& aliases) const;

  /// Documents of a layer, in path order.
  std::vector<const document*> layer_documents(std::string_view layer) const;

  /// The `knowledge://<layer>/<path>` URI of a document.
  std::string uri_of(const document& doc) const;

  size_t index_of(const document& doc) const {
    return static_cast<size_t>(&doc - documents.data());
  }

private:
  std::unordered_map<std::string, size_t> by_key_; ///< lower-cased path without `.md`
};

} // namespace sage::core
