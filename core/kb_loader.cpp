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

/// Everything besides file content that changes what a parse produces.
uint64_t parse_fingerprint(const config& cfg) {
  std::string key = "sage-parse-v1;analyzer=" + std::to_string(analysis_format_version) +
                    ";levels=" + std::to_string(cfg.loading.max_heading_level);
  for (const auto& l : cfg.layers)
    key += ";" + l.name + "=" + l.folder;
  return fnv1a64(key);
}

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

} // namespace

fs::path configured_kb_root(const config& cfg) {
  return cfg.kb_path.empty() ? fs::path(SAGE_DEFAULT_KB_DIR) : fs::path(cfg.kb_path);
}

result<std::shared_ptr<const knowledge_base>> load_knowledge_base(const config& cfg,
                                                                  const kb_load_options& opts) {
  auto started = std::chrono::steady_clock::now();
  auto lap = [last = started]() mutable {
    auto now = std::chrono::steady_clock::now();
    auto ms = std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    return ms;
  };
  auto scanned = scan_knowledge_base(opts.root);
  if (!scanned)
    return scanned.err();
  auto kb = std::make_shared<knowledge_base>();
  kb->root = fs::canonical(opts.root);
  kb->layers = cfg.layers;
  for (const auto& path : scanned->refused)
    kb->problems.push_back({path, "symbolic link leaves the knowledge base root; not served"});

  kb->stats.scan_ms = lap();
  auto fingerprint = parse_fingerprint(cfg);
  std::unordered_map<std::string, cache_entry> cached;
  fs::path cache_file;
  if (!opts.cache_dir.empty()) {
    cache_file = cache_file_for(opts.cache_dir, kb->root);
    std::string why_not;
    cached = read_index_cache(cache_file, fingerprint, why_not);
  }
  // Reuse from an in-process previous snapshot too (file watching rebuilds).
  std::unordered_map<std::string, size_t> previous;
  if (opts.previous && opts.previous->root == kb->root)
    for (size_t i = 0; i < opts.previous->files.size(); ++i)
      previous.emplace(opts.previous->files[i].path, i);

  const auto& files = scanned->files;
  std::vector<cache_entry> entries(files.size());
  std::vector<size_t> to_parse;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (auto it = cached.find(f.path); it != cached.end() && it->second.file.same_version(f)) {
      entries[i] = std::move(it->second);
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
  kb->stats.cache_ms = lap();
  size_t from_cache = files.size() - to_parse.size();
  bool cache_stale = to_parse.size() > 0 || cached.size() != files.size();
  cached.clear();

  // Parse and analyse the rest in parallel; each worker has its own analyzer (stemmers are
  // not thread-safe).
  std::atomic<size_t> next{0};
  auto work = [&] {
    analyzer an;
    std::string text;
    for (size_t k; (k = next.fetch_add(1)) < to_parse.size();) {
      auto& e = entries[to_parse[k]];
      e.file = files[to_parse[k]];
      if (!read_whole_file(kb->root / e.file.path, text)) {
        e.doc.path = e.file.path;
        e.problem = "failed to read file";
        text.clear();
      }
      auto parsed = parse_document(e.file.path, text, cfg.layers, cfg.loading.max_heading_level);
      e.doc = std::move(parsed.doc);
      if (e.problem.empty())
        e.problem = std::move(parsed.problem);
      e.analysis = analyze(e.doc, an);
    }
  };
  unsigned threads = std::max(1u, std::min<unsigned>(opts.threads, to_parse.size() / 64 + 1));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool)
    t.join();

  if (!cache_file.empty() && cache_stale) {
    std::vector<const cache_entry*> ptrs;
    ptrs.reserve(entries.size());
    for (const auto& e : entries)
      ptrs.push_back(&e);
    std::string why_not;
    kb->stats.cache_written = write_index_cache(cache_file, fingerprint, ptrs, why_not);
  }

  kb->stats.parse_ms = lap();
  kb->documents.reserve(entries.size());
  kb->files.reserve(entries.size());
  kb->analyses.reserve(entries.size());
  for (auto& e : entries) {
    if (!e.problem.empty())
      kb->problems.push_back({e.file.path, e.problem});
    kb->files.push_back(std::move(e.file));
    kb->documents.push_back(std::move(e.doc));
    kb->analyses.push_back(std::move(e.analysis));
  }
  kb->index = search_index::build(kb->documents, kb->analyses, cfg.search);
  kb->finish();
  kb->stats.index_ms = lap();
  kb->stamp = {opts.generation, iso8601_now()};
  kb->stats.files_parsed = to_parse.size();
  kb->stats.files_from_cache = from_cache;
  kb->stats.build_ms = std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  return std::shared_ptr<const knowledge_base>(std::move(kb));
}

} // namespace sage::core
