// Building a knowledge-base snapshot from disk.
// SPDX-License-Identifier: MIT
#include "core/kb_loader.hpp"

#include "core/binary_io.hpp"
#include "core/document_parser.hpp"
#include "core/index_cache.hpp"

#include <atomic>
#include <chrono>
#include <thread>

namespace sage::core {

namespace fs = std::filesystem;

namespace {

std::string iso8601_now() {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

using clock_type = std::chrono::steady_clock;

/// Measures the phases of a load.
class stopwatch {
public:
  double lap() {
    auto now = clock_type::now();
    auto ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }
  double total() const {
    return std::chrono::duration<double, std::milli>(clock_type::now() - started_).count();
  }

private:
  clock_type::time_point started_ = clock_type::now();
  clock_type::time_point last_ = started_;
};

/// The last steps of every load: lookups, stamp, timing.
std::shared_ptr<const knowledge_base>
finish_snapshot(std::shared_ptr<knowledge_base> kb, const kb_load_options& opts, stopwatch& watch) {
  kb->finish();
  kb->stamp = {opts.generation, iso8601_now()};
  kb->stats.build_ms = watch.total();
  return kb;
}

/// Parses and analyses the files at `to_parse` in parallel, each worker with its own analyzer
/// (Snowball stemmers are not thread-safe).
void parse_files(const fs::path& root, const config& cfg, const std::vector<kb_file>& files,
                 const std::vector<size_t>& to_parse, std::vector<cache_entry>& entries,
                 unsigned threads) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    analyzer an;
    std::string text;
    for (size_t k; (k = next.fetch_add(1)) < to_parse.size();) {
      auto& e = entries[to_parse[k]];
      e.file = files[to_parse[k]];
      if (!read_whole_file(root / e.file.path, text)) {
        e.problem = "failed to read file";
        text.clear();
      }
      auto parsed = parse_document(e.file.path, text, cfg.layers, cfg.loading.max_heading_level);
      e.doc = std::move(parsed.doc);
      if (e.problem.empty()) e.problem = std::move(parsed.problem);
      e.analysis = analyze(e.doc, an);
    }
  };
  threads =
      std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(to_parse.size() / 64 + 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool)
    t.join();
}

} // namespace

uint64_t parse_fingerprint(const config& cfg) {
  std::string key = "sage-parse-v1;analyzer=" + std::to_string(analysis_format_version) +
                    ";levels=" + std::to_string(cfg.loading.max_heading_level);
  for (const auto& l : cfg.layers)
    key += ";" + l.name + "=" + l.folder;
  return fnv1a64(key);
}

fs::path configured_kb_root(const config& cfg) {
  return cfg.kb_path.empty() ? fs::path(SAGE_DEFAULT_KB_DIR) : fs::path(cfg.kb_path);
}

result<std::shared_ptr<const knowledge_base>> load_knowledge_base(const config& cfg,
                                                                  const kb_load_options& opts) {
  stopwatch watch;
  auto scanned = scan_knowledge_base(opts.root);
  if (!scanned) return scanned.err();
  auto kb = std::make_shared<knowledge_base>();
  kb->root = fs::canonical(opts.root);
  kb->layers = cfg.layers;
  for (const auto& path : scanned->refused)
    kb->problems.push_back({path, "symbolic link leaves the knowledge base root; not served"});
  const auto& files = scanned->files;
  kb->stats.scan_ms = watch.lap();

  auto fingerprint = parse_fingerprint(cfg);
  cache_contents cached;
  fs::path cache_file;
  if (!opts.cache_dir.empty()) {
    cache_file = cache_file_for(opts.cache_dir, kb->root);
    std::string why_not;
    cached = read_index_cache(cache_file, fingerprint, files, cfg.search, why_not);
  }
  kb->stats.cache_ms = watch.lap();

  // Fast path: nothing changed since the cache was written, so its index is current too and
  // the per-file analyses are not needed.
  if (cached.index) {
    kb->files = files;
    kb->documents.reserve(files.size());
    for (auto& e : cached.entries) { // same files in the same order as the scan
      if (!e.problem.empty()) kb->problems.push_back({e.file.path, e.problem});
      kb->documents.push_back(std::move(e.doc));
    }
    kb->index = std::move(*cached.index);
    kb->stats.files_from_cache = files.size();
    return finish_snapshot(std::move(kb), opts, watch);
  }

  // Reuse what is unchanged: cache entries, or an in-process previous snapshot (file-watching
  // rebuilds) when it kept its analyses.
  std::unordered_map<std::string, size_t> previous;
  if (opts.previous && opts.previous->root == kb->root &&
      opts.previous->analyses.size() == opts.previous->documents.size())
    for (size_t i = 0; i < opts.previous->files.size(); ++i)
      previous.emplace(opts.previous->files[i].path, i);
  std::vector<cache_entry> entries(files.size());
  std::vector<size_t> to_parse;
  auto cached_it = cached.entries.begin(); // both lists are sorted by path: merge them
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    while (cached_it != cached.entries.end() && cached_it->file.path < f.path)
      ++cached_it;
    if (cached_it != cached.entries.end() && cached_it->file.path == f.path &&
        cached_it->file.same_version(f)) {
      entries[i] = std::move(*cached_it);
      continue;
    }
    if (auto it = previous.find(f.path);
        it != previous.end() && opts.previous->files[it->second].same_version(f)) {
      const auto& p = *opts.previous;
      entries[i] = cache_entry{f, p.documents[it->second], {}, p.analyses[it->second]};
      continue;
    }
    to_parse.push_back(i);
  }
  cached.entries.clear();
  parse_files(kb->root, cfg, files, to_parse, entries, opts.threads);
  kb->stats.parse_ms = watch.lap();

  kb->files.reserve(entries.size());
  kb->documents.reserve(entries.size());
  kb->analyses.reserve(entries.size());
  for (const auto& e : entries) {
    if (!e.problem.empty()) kb->problems.push_back({e.file.path, e.problem});
    kb->files.push_back(e.file);
    kb->documents.push_back(e.doc);
    kb->analyses.push_back(e.analysis);
  }
  kb->index = search_index::build(kb->documents, kb->analyses, cfg.search, opts.threads);
  kb->stats.index_ms = watch.lap();
  if (!cache_file.empty()) {
    std::vector<const cache_entry*> ptrs;
    ptrs.reserve(entries.size());
    for (const auto& e : entries)
      ptrs.push_back(&e);
    std::string why_not;
    kb->stats.cache_written = write_index_cache(cache_file, fingerprint, ptrs, kb->index, why_not);
  }
  kb->stats.files_parsed = to_parse.size();
  kb->stats.files_from_cache = files.size() - to_parse.size();
  return finish_snapshot(std::move(kb), opts, watch);
}

} // namespace sage::core
