// Building a knowledge-base snapshot from disk, reusing the index cache where files are
// unchanged.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/knowledge_base.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace sage::core {

struct kb_load_options {
  std::filesystem::path root;
  std::filesystem::path cache_dir; ///< empty = no cache
  uint64_t generation = 1;         ///< stamped on the snapshot
  unsigned threads = 2;            ///< parse and analyse in parallel
  /// A previous snapshot of the same root whose unchanged files are reused (in-process
  /// rebuilds); null for a cold load.
  std::shared_ptr<const knowledge_base> previous;
};

/// Everything besides file content that changes what a parse produces (heading depth, layers,
/// analyzer version): the index cache is only valid under the same fingerprint.
uint64_t parse_fingerprint(const config& cfg);

/// The KB root a configuration names: `knowledge.path`, else the bundled knowledge base.
std::filesystem::path configured_kb_root(const config& cfg);

/// Loads the knowledge base. Unreadable single files become `problems`; only a missing root
/// or an unlistable folder is an error.
result<std::shared_ptr<const knowledge_base>> load_knowledge_base(const config& cfg,
                                                                  const kb_load_options& opts);

} // namespace sage::core
