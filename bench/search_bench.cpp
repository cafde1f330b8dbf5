// Benchmark of analysis, index build and search latency, beside SQLite FTS5 on the same text.
// SPDX-License-Identifier: MIT
//
// Usage: search_bench DIR [QUERIES]
//   DIR      a folder of Markdown files, e.g. the extracted tldr pages
//   QUERIES  number of queries (default 500)
#include "core/analyzed_document.hpp"
#include "core/analyzer.hpp"
#include "core/document_parser.hpp"
#include "core/index_cache.hpp"
#include "core/kb_loader.hpp"
#include "core/kb_scan.hpp"
#include "core/search_index.hpp"

#include "bench_words.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace sage::core;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// The documents of a folder as the product parses them (md4c sections, front matter, layers,
// language from `pages.xx` folders).
std::vector<document> load_corpus(const fs::path& root) {
  const auto cfg = default_config();
  auto scanned = scan_knowledge_base(root);
  if (!scanned) {
    std::fprintf(stderr, "failed to list %s: %s\n", root.c_str(), scanned.err().message.c_str());
    std::exit(2);
  }
  std::vector<document> docs;
  docs.reserve(scanned->files.size());
  std::string text;
  for (const auto& f : scanned->files) {
    read_whole_file(root / f.path, text);
    docs.push_back(parse_document(f.path, text, cfg.layers, cfg.loading.max_heading_level).doc);
  }
  return docs;
}

// The fastest of `runs` runs of `fn`, in milliseconds.
template <class F> double best_of(int runs, F&& fn) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = clock_type::now();
    fn();
    best = std::min(best, ms_since(t0));
  }
  return best;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// 2-4 distinct ASCII words of 3+ letters from one random section, with a fixed seed.
std::vector<std::vector<std::string>> make_queries(const std::vector<document>& docs, size_t n) {
  std::mt19937 rng{20240617};
  std::vector<std::vector<std::string>> queries;
  std::vector<std::pair<uint32_t, uint32_t>> sections;
  for (uint32_t d = 0; d < docs.size(); ++d)
    for (uint32_t s = 0; s < docs[d].sections.size(); ++s)
      sections.emplace_back(d, s);
  if (sections.empty()) return queries;
  while (queries.size() < n) {
    const auto [d, s] = sections[rng() % sections.size()];
    auto words = sage::bench::query_words(docs[d].sections[s].text);
    if (words.size() < 2) continue;
    std::shuffle(words.begin(), words.end(), rng);
    words.resize(std::min<size_t>(words.size(), 2 + rng() % 3));
    queries.push_back(words);
  }
  return queries;
}

std::string join(const std::vector<std::string>& words, const char* sep, bool quote) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += quote ? "\"" + w + "\"" : w;
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: search_bench DIR [QUERIES]\n");
    return 2;
  }
  if (!fs::is_directory(argv[1])) {
    std::fprintf(stderr, "failed to open corpus folder: %s\n", argv[1]);
    return 2;
  }
  const size_t n_queries = argc > 2 ? std::stoul(argv[2]) : 500;

  auto t0 = clock_type::now();
  const auto docs = load_corpus(argv[1]);
  size_t bytes = 0, n_sections = 0;
  for (const auto& d : docs)
    for (const auto& s : d.sections)
      bytes += s.text.size(), ++n_sections;
  std::printf("files          %zu (%.1f MB of section text), sections %zu, read+parsed in %.0f ms "
              "(1 thread)\n",
              docs.size(), static_cast<double>(bytes) / 1e6, n_sections, ms_since(t0));
  {
    // The whole cold build as `sage` runs it without a cache: scan, read, parse and analyse on
    // 2 threads, build the index.
    const auto cfg = default_config();
    auto kb = load_knowledge_base(cfg, {argv[1], {}, 1, 2, nullptr});
    const auto& st = (*kb)->stats;
    std::printf("full load      %.0f ms (scan %.0f, read+parse+analyse %.0f, index %.0f) on 2 "
                "threads, no cache\n",
                st.build_ms, st.scan_ms, st.parse_ms, st.index_ms);
  }

  // Analysis: one thread, then two threads with an analyzer each (fresh analyzers, so stem
  // memos start cold). Timings are the best of three runs: the machine is shared.
  std::vector<analyzed_document> analyses(docs.size());
  const double one = best_of(3, [&] {
    analyzer az;
    for (size_t i = 0; i < docs.size(); ++i)
      analyses[i] = analyze(docs[i], az);
  });
  const double two = best_of(3, [&] {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < 2; ++t)
      pool.emplace_back([&, t] {
        analyzer local;
        for (size_t i = t; i < docs.size(); i += 2)
          analyses[i] = analyze(docs[i], local);
      });
    for (auto& th : pool)
      th.join();
  });
  std::printf("analysis       %.0f ms on 1 thread (%.0f MB/s), %.0f ms on 2 threads (%.0f MB/s)\n",
              one, static_cast<double>(bytes) / 1e3 / one, two,
              static_cast<double>(bytes) / 1e3 / two);
  size_t cache_bytes = 0;
  {
    std::string blob;
    for (const auto& a : analyses)
      serialize(a, blob);
    cache_bytes = blob.size();
    t0 = clock_type::now();
    size_t offset = 0, ok = 0;
    while (offset < blob.size())
      ok += deserialize(blob, offset).has_value() ? 1 : 0;
    std::printf("analysis cache %.1f MB, deserialised %zu in %.0f ms\n",
                static_cast<double>(cache_bytes) / 1e6, ok, ms_since(t0));
  }

  const search_config cfg;
  search_index index;
  const double build_one = best_of(3, [&] { index = search_index::build(docs, analyses, cfg, 1); });
  const double build_two = best_of(3, [&] { index = search_index::build(docs, analyses, cfg, 2); });
  const auto st = index.stats();
  std::printf("index build    %.0f ms on 1 thread, %.0f ms on 2 threads; %zu terms, %zu postings, "
              "~%.0f MB\n",
              build_one, build_two, st.terms, st.postings,
              static_cast<double>(st.memory_bytes) / 1e6);

  const auto queries = make_queries(docs, n_queries);
  analyzer az;
  search_options opts;
  opts.limit = 10;
  std::vector<double> ours;
  size_t total_hits = 0;
  for (int pass = 0; pass < 2; ++pass) { // the first pass warms caches
    ours.clear();
    for (const auto& q : queries) {
      const auto text = join(q, " ", false);
      t0 = clock_type::now();
      const auto hits = index.search(text, opts, docs, az);
      ours.push_back(ms_since(t0));
      total_hits += hits.size();
    }
  }
  size_t agree = 0;
  const size_t checked = std::min<size_t>(queries.size(), 50);
  for (size_t i = 0; i < checked; ++i) {
    const auto text = join(queries[i], " ", false);
    const auto a = index.search(text, opts, docs, az);
    const auto b = index.search_exhaustive(text, opts, docs, az);
    bool same = a.size() == b.size();
    for (size_t j = 0; same && j < a.size(); ++j)
      same = a[j].doc == b[j].doc && a[j].section == b[j].section && a[j].score == b[j].score;
    agree += same ? 1 : 0;
  }

  // SQLite FTS5 over the same sections.
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "CREATE VIRTUAL TABLE sections USING fts5(title, headings, body, tags)", nullptr,
               nullptr, nullptr);
  t0 = clock_type::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO sections VALUES (?1, ?2, ?3, ?4)", -1, &insert, nullptr);
  for (const auto& d : docs) {
    std::string tags = join(d.tags, " ", false);
    for (const auto& s : d.sections) {
      const auto headings = join(s.heading_path, " ", false);
      sqlite3_bind_text(insert, 1, d.title.data(), static_cast<int>(d.title.size()), nullptr);
      sqlite3_bind_text(insert, 2, headings.data(), static_cast<int>(headings.size()), nullptr);
      sqlite3_bind_text(insert, 3, s.text.data(), static_cast<int>(s.text.size()), nullptr);
      sqlite3_bind_text(insert, 4, tags.data(), static_cast<int>(tags.size()), nullptr);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
  }
  sqlite3_finalize(insert);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  const double fts_build = ms_since(t0);
  sqlite3_stmt* select = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT rowid FROM sections WHERE sections MATCH ?1 "
                     "ORDER BY bm25(sections, 3.0, 2.0, 1.0, 2.5) LIMIT 10",
                     -1, &select, nullptr);
  std::vector<double> fts;
  for (int pass = 0; pass < 2; ++pass) {
    fts.clear();
    for (const auto& q : queries) {
      const auto match = join(q, " OR ", true);
      t0 = clock_type::now();
      sqlite3_bind_text(select, 1, match.data(), static_cast<int>(match.size()), SQLITE_TRANSIENT);
      while (sqlite3_step(select) == SQLITE_ROW) {
      }
      sqlite3_reset(select);
      fts.push_back(ms_since(t0));
    }
  }
  sqlite3_finalize(select);
  sqlite3_close(db);

  std::printf("queries        %zu of 2-4 words, OR, limit 10 (%.1f hits on average)\n",
              queries.size(),
              static_cast<double>(total_hits) / 2 / std::max<size_t>(1, queries.size()));
  std::printf("sage search    p50 %.3f ms  p99 %.3f ms  mean %.3f ms (with snippets)\n",
              percentile(ours, 0.5), percentile(ours, 0.99), [&] {
                double s = 0;
                for (auto x : ours)
                  s += x;
                return s / std::max<size_t>(1, ours.size());
              }());
  std::printf("sqlite fts5    p50 %.3f ms  p99 %.3f ms  build %.0f ms\n", percentile(fts, 0.5),
              percentile(fts, 0.99), fts_build);
  std::printf("exactness      pruned top-10 == exhaustive top-10 for %zu of %zu queries\n", agree,
              checked);
  return agree == checked ? 0 : 1;
}
