// Whether the index cache on disk agrees with the knowledge base it was built from.
// SPDX-License-Identifier: MIT
#pragma once

#include "services/ops/check_report.hpp"

#include "core/config.hpp"

namespace sage::services::ops {

/// Compares the index cache of the configured knowledge base (report name `index`) with a
/// fresh build from the files on disk: the cache must have been written under the same parse
/// fingerprint, and every document it holds for an unchanged file, and the search index it
/// would serve when nothing changed, must equal what a fresh parse and build give. A cache that
/// is missing, disabled, or stale because files changed since is no problem (the next load
/// refreshes it; a note says so); a corrupt cache or one that disagrees with a fresh build is.
/// Reads only: the cache is never rewritten here.
check_report check_index(const core::config& cfg);

} // namespace sage::services::ops
