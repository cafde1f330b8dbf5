// Whether the index cache on disk agrees with the knowledge base.
// SPDX-License-Identifier: MIT
#include "services/ops/index_check.hpp"

#include "core/index_cache.hpp"
#include "core/kb_loader.hpp"
#include "core/kb_scan.hpp"

#include <algorithm>
#include <filesystem>

namespace sage::services::ops {
namespace fs = std::filesystem;

namespace {

/// The serialised search index, so that two indexes compare byte for byte.
std::string bytes_of(const core::search_index& index) {
  std::string out;
  index.serialize(out);
  return out;
}

/// Cached documents of unchanged files against a fresh parse; names the first that differs.
void compare_documents(const std::vector<core::cache_entry>& cached,
                       const core::knowledge_base& fresh, size_t& compared, check_report& r,
                       const std::string& hint) {
  for (const auto& e : cached) {
    auto it = std::lower_bound(
        fresh.files.begin(), fresh.files.end(), e.file.path,
        [](const core::kb_file& f, const std::string& path) { return f.path < path; });
    if (it == fresh.files.end() || it->path != e.file.path || !it->same_version(e.file)) continue;
    ++compared;
    if (e.doc != fresh.documents[static_cast<size_t>(it - fresh.files.begin())]) {
      r.fail("index cache holds another version of " + e.file.path +
                 " than a fresh parse of the unchanged file",
             hint);
      return;
    }
  }
}

} // namespace

check_report check_index(const core::config& cfg) {
  check_report r;
  r.name = "index";
  if (!cfg.cache_enabled) {
    r.details["cache"] = "disabled";
    r.summary = "index cache disabled (cache.enabled: false); nothing to compare";
    return r;
  }
  auto root = core::configured_kb_root(cfg);
  core::kb_load_options opts;
  opts.root = root;
  auto fresh = core::load_knowledge_base(cfg, opts); // no cache_dir: a fresh build, no writes
  if (!fresh) {
    r.fail("failed to build the knowledge base: " + fresh.err().message, fresh.err().hint);
    r.summary = "knowledge base not readable";
    return r;
  }
  const auto& kb = **fresh;
  auto file = core::cache_file_for(cfg.cache_dir, kb.root);
  r.details["kb_root"] = kb.root.string();
  r.details["cache_file"] = file.string();
  r.details["documents"] = kb.documents.size();
  auto delete_hint = "delete " + file.string() + "; the next sage command rebuilds it";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    r.details["cache"] = "missing";
    r.summary = "no index cache yet for " + kb.root.string() + "; the next command writes it";
    return r;
  }
  r.details["bytes"] = fs::file_size(file, ec);

  auto fingerprint = core::parse_fingerprint(cfg);
  std::string why_not;
  auto state = core::inspect_index_cache(file, fingerprint, why_not);
  if (state == core::index_cache_state::corrupt) {
    r.details["cache"] = "corrupt";
    r.fail("index cache " + file.string() + " is damaged: " + why_not, delete_hint);
    r.summary = "damaged";
    return r;
  }
  if (state != core::index_cache_state::sound) {
    r.details["cache"] = "foreign";
    r.notes.push_back("index cache was written by another version or configuration; the next "
                      "command rewrites it");
    r.summary = "stale: written by another version or configuration";
    return r;
  }
  auto cached = core::read_index_cache(file, fingerprint, kb.files, cfg.search, why_not);
  size_t compared = 0;
  compare_documents(cached.entries, kb, compared, r, delete_hint);
  r.details["cached_documents"] = cached.entries.size();
  r.details["unchanged_documents"] = compared;
  if (!r.ok()) {
    r.details["cache"] = "inconsistent";
    r.summary = "does not match the knowledge base";
    return r;
  }
  if (!cached.index) {
    r.details["cache"] = "stale";
    size_t removed = 0;
    for (const auto& e : cached.entries)
      removed += kb.find(e.file.path) == nullptr;
    if (compared == kb.files.size() && removed == 0)
      r.notes.push_back("index cache holds a search index built with other search settings "
                        "(search.*); the next command rebuilds it");
    else
      r.notes.push_back("index cache is stale: " + std::to_string(kb.files.size() - compared) +
                        " files added or changed and " + std::to_string(removed) +
                        " removed since it was written; the next command refreshes it");
    r.summary = "stale; the " + std::to_string(compared) +
                " cached documents of unchanged files match a fresh parse";
    return r;
  }
  if (bytes_of(*cached.index) != bytes_of(kb.index)) {
    r.details["cache"] = "inconsistent";
    r.fail("index cache " + file.string() +
               " holds a search index that differs from a fresh build of the same files",
           delete_hint);
    r.summary = "does not match the knowledge base";
    return r;
  }
  r.details["cache"] = "current";
  r.summary = "index cache matches a fresh build: " + std::to_string(kb.documents.size()) +
              " documents, same fingerprint and search index";
  return r;
}

} // namespace sage::services::ops
