// Benchmark of the memory store beside the same operations written directly against SQLite.
// SPDX-License-Identifier: MIT
//
// Usage: memory_bench [--entries N] [--queries Q] [--sessions K] [--engine-entries E]
//                     [--corpus DIR] [--encoding NAME] [--keep]
//   --entries         entries inserted into each database (default 100000)
//   --queries         queries of each kind (default 200)
//   --sessions        sessions summarised, and as many others pruned, at critical and overflow
//                     (default 10)
//   --engine-entries  entries per kind of insert in the engine part (default 2000, a multiple
//                     of 100)
//   --corpus          a folder of Markdown files whose sentences become entry content
//                     (default ../shared/corpora/sage-kb/knowledge; a fixed word list when absent)
//   --encoding        token counter of the store (default cl100k_base; `estimate` is bytes / 4)
//   --keep            leave the databases in their temporary folder (its path is printed)
//
// Every database is a fresh file in a temporary folder, removed at the end. The raw SQLite
// database gets its schema from the store itself and the same pragmas (WAL, synchronous=NORMAL,
// busy timeout), so both sides hold the same tables, indexes, FTS5 table and triggers, and the
// same rows. The raw side computes each row as the store does (token count with the same
// counter, tags and metadata as JSON text) and runs the SQL the store runs, with statements
// prepared once. Store and raw alternate batch by batch, so that a change of load on the
// machine falls on both.
#include "memory_bench_common.hpp"

#include "bench_words.hpp"

#include "core/timestamp.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace sage::bench;
using nlohmann::json;
using sage::core::memory_entry;
using sage::core::memory_query;

namespace {

/// Time of each side over a run of inserts.
struct insert_timing {
  size_t count = 0;
  double store_us = 0, raw_us = 0;

  row to_row(const std::string& op, const std::string& how) const {
    return {op, per_second(count, store_us) + " (" + how + ")", per_second(count, raw_us),
            fmt("%.2f", store_us / raw_us)};
  }
};

/// Stores `entries[from, to)` as one add_batch, then the same rows raw in one transaction.
void batch_pair(sage::core::memory_db& store, raw_db& raw, const std::vector<memory_entry>& entries,
                size_t from, size_t to, insert_timing& t) {
  std::vector<memory_entry> batch(entries.begin() + static_cast<ptrdiff_t>(from),
                                  entries.begin() + static_cast<ptrdiff_t>(to));
  auto t0 = clock_type::now();
  if (auto r = store.add_batch(std::move(batch)); !r) die("store add_batch: " + r.err().message);
  t.store_us += us_since(t0);
  t0 = clock_type::now();
  raw.begin();
  for (size_t j = from; j < to; ++j)
    raw.insert_row(entries[j]);
  raw.commit();
  t.raw_us += us_since(t0);
  t.count += to - from;
}

struct query_kind {
  std::string name;
  std::string raw_where; // the store's WHERE clause for this filter
  std::vector<memory_query> queries;
  std::vector<std::vector<sage::core::sqlite::value>> params; // raw parameters, per query
  /// For text: the WHERE clause used from `dense_text_matches` matches on, as the store does
  /// after counting the matches up to that many (the first parameter is the FTS5 expression).
  std::string raw_dense_where;
};

/// memory_db.cpp's `dense_text_matches`: from this many matches on, the store walks the time
/// index instead of sorting every match.
constexpr int64_t dense_text_matches = 500;

constexpr const char* fts_where =
    "m.seq IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?)";

// The store's FTS5 expression for `text`: every word quoted.
std::string quoted(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "\"" : " \"") + w + "\"";
  return out;
}

int64_t store_scalar(sage::core::memory_db& store, const std::string& sql) {
  auto st = store.connection().prepare(sql);
  if (!st) die("store: " + st.err().message);
  if (auto r = st->step(); !r || !*r) die("store: no row for " + sql);
  return st->column_int(0);
}

void print_table(const char* header, const std::vector<row>& rows) {
  std::printf("\n%s\n|---|---|---|---|\n", header);
  for (const auto& r : rows)
    std::printf("| %s | %s | %s | %s |\n", r.op.c_str(), r.measured.c_str(), r.baseline.c_str(),
                r.ratio.c_str());
}

} // namespace

int main(int argc, char** argv) {
  size_t n = 100000, n_queries = 200, n_budget_sessions = 10, engine_per_kind = 2000;
  fs::path corpus = "../shared/corpora/sage-kb/knowledge";
  std::string encoding = "cl100k_base";
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--entries")
      n = std::stoul(next());
    else if (a == "--queries")
      n_queries = std::stoul(next());
    else if (a == "--sessions")
      n_budget_sessions = std::stoul(next());
    else if (a == "--engine-entries")
      engine_per_kind = std::stoul(next());
    else if (a == "--corpus")
      corpus = next();
    else if (a == "--encoding")
      encoding = next();
    else if (a == "--keep")
      keep = true;
    else {
      std::fprintf(stderr, "usage: memory_bench [--entries N] [--queries Q] [--sessions K] "
                           "[--engine-entries E] [--corpus DIR] [--encoding NAME] [--keep]\n");
      return 2;
    }
  }
  if (n < 1000) die("--entries must be at least 1000");
  if (n_budget_sessions < 1 || 2 * n_budget_sessions > n_sessions)
    die("--sessions must be from 1 to " + std::to_string(n_sessions / 2));
  if (engine_per_kind < 100 || engine_per_kind % 100 != 0)
    die("--engine-entries must be a positive multiple of 100");

  std::string command;
  for (int i = 0; i < argc; ++i) {
    if (i) command += ' ';
    command += argv[i];
  }
  std::printf("command        %s\n", command.c_str());
#ifdef NDEBUG
  const char* build = "optimised";
#else
  const char* build = "assertions on (not an optimised build)";
#endif
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("machine        %u hardware threads, load average %.2f at start; build %s\n",
              std::thread::hardware_concurrency(), load[0], build);
  const auto started = clock_type::now();

  auto counter = sage::core::token_counter::load(encoding, SAGE_DEFAULT_DATA_DIR);
  if (!counter) die("failed to load token counter: " + counter.err().message);

  std::mt19937 rng{20240617};
  auto sentences = corpus_sentences(corpus);
  std::string source = sentences.size() >= 100
                           ? std::to_string(sentences.size()) + " sentences of " + corpus.string()
                           : "fixed word list (corpus not found)";
  if (sentences.size() < 100) sentences = word_list_sentences(rng, 20000);
  // The first n entries fill both databases; the engine part adds five kinds of inserts more.
  auto entries = make_entries(n + 5 * engine_per_kind, sentences, rng);
  std::vector<memory_entry> extra(entries.begin() + static_cast<ptrdiff_t>(n), entries.end());
  entries.resize(n);
  size_t bytes = 0;
  for (const auto& e : entries)
    bytes += e.content.size();
  std::printf(
      "entries        %zu per database, 1-6 sentences each (%.0f bytes on average) from %s\n", n,
      static_cast<double>(bytes) / static_cast<double>(n), source.c_str());
  std::printf(
      "setup          %zu sessions, %zu tags (0-3 per entry), token counter %s, SQLite %s\n",
      n_sessions, n_tags, encoding.c_str(), sqlite3_libversion());

  char tmpl[] = "/tmp/sage-memory-bench-XXXXXX";
  if (!mkdtemp(tmpl)) die("failed to create a temporary folder");
  const fs::path dir = tmpl;
  std::vector<row> table;
  size_t total_mismatches = 0;

  // Token counting alone, which both sides do for every insert.
  double tok_us = 0;
  {
    auto t0 = clock_type::now();
    size_t sum = 0;
    for (const auto& e : entries)
      sum += counter->count(e.content);
    tok_us = us_since(t0) / static_cast<double>(n);
    (void)sum;
  }

  // -- inserts ------------------------------------------------------------------------
  // The first 80 % go in batches: blocks of 2000 entries, the first half as one add_batch of
  // 1000, the second half as ten add_batch calls of 100, so both batch sizes are timed over the
  // same growth of the database; raw SQLite takes the same rows in one transaction per batch.
  // The next 10 % go through import_jsonl, 1000 lines per call (JSON parsing and an id lookup
  // per line included), beside raw transactions of 1000; the last 10 % one per transaction
  // (add, which also checks the id is new).
  const size_t n_single = n / 10, n_import = n / 10, n_batched = n - n_single - n_import;
  // The store's file is memory.db in a data folder, so that an engine can open it later.
  const fs::path data_dir = dir / "data";
  auto store = open_store(data_dir / "memory.db", *counter);
  raw_db raw(dir / "raw.db", *counter);
  insert_timing by1000, by100, imported, single;
  for (size_t block = 0; block < n_batched; block += 2000) {
    const size_t half = std::min(n_batched, block + 1000), end = std::min(n_batched, block + 2000);
    batch_pair(store, raw, entries, block, half, by1000);
    for (size_t i = half; i < end; i += 100)
      batch_pair(store, raw, entries, i, std::min(end, i + 100), by100);
  }
  for (size_t i = n_batched; i < n_batched + n_import; i += 1000) {
    const size_t end = std::min(n_batched + n_import, i + 1000);
    std::string lines;
    for (size_t j = i; j < end; ++j)
      lines += dump(to_json(entries[j])) + "\n";
    std::istringstream in(lines);
    auto t0 = clock_type::now();
    if (auto r = store.import_jsonl(in); !r) die("store import: " + r.err().message);
    imported.store_us += us_since(t0);
    t0 = clock_type::now();
    raw.begin();
    for (size_t j = i; j < end; ++j)
      raw.insert_row(entries[j]);
    raw.commit();
    imported.raw_us += us_since(t0);
    imported.count += end - i;
  }
  for (size_t i = n_batched + n_import; i < n; i += 100) {
    const size_t end = std::min(n, i + 100);
    auto t0 = clock_type::now();
    for (size_t j = i; j < end; ++j)
      if (auto r = store.add(entries[j]); !r) die("store add: " + r.err().message);
    single.store_us += us_since(t0);
    t0 = clock_type::now();
    for (size_t j = i; j < end; ++j) {
      raw.begin();
      raw.insert_row(entries[j]);
      raw.commit();
    }
    single.raw_us += us_since(t0);
    single.count += end - i;
  }
  auto range = [&](size_t from, size_t to) {
    return std::to_string(to - from) + " entries, database " + std::to_string(from) + " to " +
           std::to_string(to);
  };
  table.push_back(
      single.to_row("insert, 1 per transaction (" + range(n_batched + n_import, n) + ")", "add"));
  table.push_back(by100.to_row("insert, 100 per transaction (" + std::to_string(by100.count) +
                                   " entries, database 0 to " + std::to_string(n_batched) + ")",
                               "add_batch"));
  table.push_back(by1000.to_row("insert, 1000 per transaction (" + std::to_string(by1000.count) +
                                    " entries, database 0 to " + std::to_string(n_batched) + ")",
                                "add_batch"));
  table.push_back(imported.to_row("insert, 1000 per transaction (" +
                                      range(n_batched, n_batched + n_import) + ")",
                                  "import_jsonl"));

  {
    const int64_t s_rows = store_scalar(store, "SELECT count(*) FROM memory_entries");
    const int64_t s_tok = store_scalar(store, "SELECT sum(tokens) FROM memory_entries");
    const int64_t r_rows = raw.scalar("SELECT count(*) FROM memory_entries");
    const int64_t r_tok = raw.scalar("SELECT sum(tokens) FROM memory_entries");
    if (s_rows != r_rows || s_tok != r_tok || s_rows != static_cast<int64_t>(n)) {
      std::printf("MISMATCH       rows/tokens: store %lld/%lld, raw %lld/%lld\n",
                  static_cast<long long>(s_rows), static_cast<long long>(s_tok),
                  static_cast<long long>(r_rows), static_cast<long long>(r_tok));
      ++total_mismatches;
    }
    std::printf("stored         %lld entries, %.1f tokens each on average, per side\n",
                static_cast<long long>(s_rows),
                static_cast<double>(s_tok) / static_cast<double>(std::max<int64_t>(s_rows, 1)));
  }

  // -- queries ------------------------------------------------------------------------
  std::vector<query_kind> kinds;
  kinds.push_back({"query: session, newest 20", "m.session_id = ?", {}, {}, {}});
  kinds.push_back({"query: tag, newest 20",
                   "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value IN (?))",
                   {},
                   {},
                   {}});
  kinds.push_back(
      {"query: priority range, newest 20", "m.priority >= ? AND m.priority <= ?", {}, {}, {}});
  kinds.push_back(
      {"search: FTS5 1-2 words, newest 20", fts_where, {}, {}, std::string("+") + fts_where});
  size_t fts_words = 0;
  for (size_t i = 0; i < n_queries; ++i) {
    memory_query q;
    q.limit = 20;
    auto s = session_name(rng() % n_sessions);
    q.session_id = s;
    kinds[0].queries.push_back(q);
    kinds[0].params.push_back({s});

    q = {};
    q.limit = 20;
    std::string tag = tag_name(rng() % n_tags);
    q.tags_any = {tag};
    kinds[1].queries.push_back(q);
    kinds[1].params.push_back({tag});

    q = {};
    q.limit = 20;
    int lo = static_cast<int>(rng() % 81);
    q.min_priority = lo;
    q.max_priority = lo + 20;
    kinds[2].queries.push_back(q);
    kinds[2].params.push_back({int64_t{lo}, int64_t{lo + 20}});

    std::vector<std::string> words;
    while (words.empty())
      words = sage::bench::query_words(entries[rng() % n].content);
    std::shuffle(words.begin(), words.end(), rng);
    words.resize(std::min<size_t>(words.size(), 1 + rng() % 2));
    fts_words += words.size();
    q = {};
    q.limit = 20;
    for (const auto& w : words)
      q.text += (q.text.empty() ? "" : " ") + w;
    kinds[3].queries.push_back(q);
    kinds[3].params.push_back({quoted(words)});
  }
  // The same searches, the raw side sorting every match whatever their number: what the store
  // did before it walked the time index for common words.
  kinds.push_back(kinds[3]);
  kinds[4].name = "search: FTS5, raw sorting every match,";
  kinds[4].raw_dense_where.clear();

  constexpr const char* raw_columns =
      "m.id, m.type, m.priority, m.content, m.tokens, m.session_id, m.task_id, m.tags, "
      "m.metadata, m.created_at, m.updated_at, m.is_summarized, m.summary_of";
  for (auto& k : kinds) {
    const std::string sql = std::string("SELECT ") + raw_columns + " FROM memory_entries m WHERE " +
                            k.raw_where + " ORDER BY m.created_at DESC, m.seq DESC LIMIT 20";
    sqlite3_stmt* sparse = raw.prepare(sql);
    sqlite3_stmt* dense = nullptr;
    sqlite3_stmt* probe = nullptr;
    if (!k.raw_dense_where.empty()) {
      dense = raw.prepare(std::string("SELECT ") + raw_columns + " FROM memory_entries m WHERE " +
                          k.raw_dense_where + " ORDER BY m.created_at DESC, m.seq DESC LIMIT 20");
      probe = raw.prepare("SELECT count(*) FROM (SELECT 1 FROM memory_fts "
                          "WHERE memory_fts MATCH ? LIMIT ?)");
    }
    size_t dense_queries = 0;
    std::vector<double> s_us, r_us;
    size_t mismatches = 0, store_rows = 0;
    for (int pass = 0; pass < 2; ++pass) { // the first pass (20 queries) warms caches
      s_us.clear();
      r_us.clear();
      const size_t count = pass == 0 ? std::min<size_t>(20, k.queries.size()) : k.queries.size();
      for (size_t i = 0; i < count; ++i) {
        auto t0 = clock_type::now();
        auto page = store.query(k.queries[i]);
        s_us.push_back(us_since(t0));
        if (!page) die("store query: " + page.err().message);

        std::vector<std::string> ids;
        t0 = clock_type::now();
        sqlite3_stmt* st = sparse;
        if (probe) {
          bind_text(probe, 1, std::get<std::string>(k.params[i][0]));
          sqlite3_bind_int64(probe, 2, dense_text_matches);
          if (sqlite3_step(probe) == SQLITE_ROW &&
              sqlite3_column_int64(probe, 0) >= dense_text_matches)
            st = dense;
          sqlite3_reset(probe);
        }
        for (size_t p = 0; p < k.params[i].size(); ++p) {
          const auto& v = k.params[i][p];
          const int idx = static_cast<int>(p + 1);
          if (auto* t = std::get_if<std::string>(&v))
            bind_text(st, idx, *t);
          else
            sqlite3_bind_int64(st, idx, std::get<int64_t>(v));
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
          // Read every column as the store does (it also parses the JSON ones).
          ids.push_back(column_string(st, 0));
          for (int c = 1; c < 13; ++c)
            (void)sqlite3_column_text(st, c);
        }
        sqlite3_reset(st);
        r_us.push_back(us_since(t0));

        if (pass == 1) {
          dense_queries += st == dense ? 1 : 0;
          store_rows += page->entries.size();
          bool same = ids.size() == page->entries.size();
          for (size_t j = 0; same && j < ids.size(); ++j)
            same = ids[j] == page->entries[j].id;
          if (!same && ++mismatches <= 3)
            std::printf("MISMATCH       %s #%zu: store %zu rows, raw %zu rows\n", k.name.c_str(), i,
                        page->entries.size(), ids.size());
        }
      }
    }
    for (auto* st : {sparse, dense, probe})
      sqlite3_finalize(st);
    total_mismatches += mismatches;
    const double sp50 = percentile(s_us, 0.5), rp50 = percentile(r_us, 0.5);
    const double sp99 = percentile(s_us, 0.99), rp99 = percentile(r_us, 0.99);
    table.push_back(
        {k.name + " p50", fmt("%.1f us", sp50), fmt("%.1f us", rp50), fmt("%.2f", sp50 / rp50)});
    table.push_back(
        {k.name + " p99", fmt("%.1f us", sp99), fmt("%.1f us", rp99), fmt("%.2f", sp99 / rp99)});
    std::printf("%-34s %zu queries, %.1f rows each on average (store), %zu differ\n",
                k.name.c_str(), k.queries.size(),
                static_cast<double>(store_rows) / static_cast<double>(k.queries.size()),
                mismatches);
    if (probe)
      std::printf("%-34s %zu of %zu with %lld matches or more (the time index walked)\n", "",
                  dense_queries, k.queries.size(), static_cast<long long>(dense_text_matches));
  }
  std::printf("%-34s %.2f words per query on average\n", "search words",
              static_cast<double>(fts_words) / static_cast<double>(n_queries));

  // -- summarise and prune sessions at critical and overflow ----------------------------
  {
    auto part = run_budget_part(store, raw, *counter, entries, n_budget_sessions);
    table.insert(table.end(), part.rows.begin(), part.rows.end());
    total_mismatches += part.mismatches;
  }

  // -- prune ----------------------------------------------------------------------------
  // Priority <= 30 and created before the middle entry: about a seventh of the entries.
  {
    const std::string cutoff = entries[n / 2].created_at;
    sage::core::prune_filter f;
    f.max_priority = 30;
    f.older_than = parse_timestamp(cutoff);
    auto t0 = clock_type::now();
    auto ids = store.prune(f);
    const double s_us = us_since(t0);
    if (!ids) die("store prune: " + ids.err().message);

    sqlite3_stmt* del = raw.prepare("DELETE FROM memory_entries WHERE priority < 100 AND "
                                    "priority <= ? AND created_at < ? RETURNING id");
    t0 = clock_type::now();
    raw.begin();
    sqlite3_bind_int64(del, 1, 30);
    bind_text(del, 2, cutoff);
    std::vector<std::string> raw_ids;
    while (sqlite3_step(del) == SQLITE_ROW)
      raw_ids.push_back(column_string(del, 0));
    sqlite3_reset(del);
    raw.commit();
    const double r_us = us_since(t0);
    sqlite3_finalize(del);

    auto a = *ids;
    std::sort(a.begin(), a.end());
    std::sort(raw_ids.begin(), raw_ids.end());
    const int64_t s_left = store_scalar(store, "SELECT count(*) FROM memory_entries");
    const int64_t r_left = raw.scalar("SELECT count(*) FROM memory_entries");
    if (a != raw_ids || s_left != r_left) {
      std::printf("MISMATCH       prune: store removed %zu (left %lld), raw %zu (left %lld)\n",
                  a.size(), static_cast<long long>(s_left), raw_ids.size(),
                  static_cast<long long>(r_left));
      ++total_mismatches;
    }
    table.push_back({"prune: priority <= 30, older than mid", fmt("%.1f ms", s_us / 1e3),
                     fmt("%.1f ms", r_us / 1e3), fmt("%.2f", s_us / r_us)});
    std::printf("%-34s removed %zu of %zu entries (store), %zu (raw), once each\n", "prune",
                a.size(), n, raw_ids.size());
  }

  // -- the engine's path ----------------------------------------------------------------
  auto engine_part =
      run_engine_part(data_dir, store, encoding, *counter, std::move(extra), engine_per_kind);
  total_mismatches += engine_part.mismatches;

  std::printf("token counting %.1f us per entry (%s), included on both sides of every insert\n",
              tok_us, encoding.c_str());
  getloadavg(load, 3);
  std::printf("run            %.0f s; load average %.2f at the end\n", us_since(started) / 1e6,
              load[0]);
  print_table("| operation | store | raw SQLite | ratio (store / raw time) |", table);
  print_table("| operation | engine (bridge) | memory_db direct | ratio (engine / direct time) |",
              engine_part.rows);
  std::printf("\nagreement      %s\n",
              total_mismatches == 0 ? "store and raw SQLite returned the same rows everywhere"
                                    : "MISMATCHES found (see above)");
  std::error_code ec;
  if (keep)
    std::printf("kept           %s\n", dir.c_str());
  else
    fs::remove_all(dir, ec);
  return total_mismatches == 0 ? 0 : 1;
}
