// Benchmark of the memory store beside the same operations written directly against SQLite.
// SPDX-License-Identifier: MIT
//
// Usage: memory_bench [--entries N] [--queries Q] [--corpus DIR] [--encoding NAME]
//   --entries   entries inserted into each database (default 100000)
//   --queries   queries of each kind (default 200)
//   --corpus    a folder of Markdown files whose sentences become entry content
//               (default ../shared/corpora/sage-kb/knowledge; a fixed word list when absent)
//   --encoding  token counter of the store (default cl100k_base; `estimate` is bytes / 4)
//
// Every database is a fresh file in a temporary folder, removed at the end. The raw SQLite
// databases get their schema from the store itself (opened once, then closed) and the same
// pragmas (WAL, synchronous=NORMAL, busy timeout), so both sides hold the same tables, indexes,
// FTS5 table and triggers, and the same rows. The raw side computes each row as the store does
// (token count with the same counter, tags and metadata as JSON text) and runs the SQL the store
// runs, with statements prepared once.
#include "core/memory_db.hpp"
#include "core/timestamp.hpp"
#include "core/tokenizer.hpp"
#include "core/uuid.hpp"

#include "bench_words.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace sage::core;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using clock_type = std::chrono::steady_clock;

double us_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "memory_bench: %s\n", what.c_str());
  std::exit(2);
}

// -- content -------------------------------------------------------------------

// Prose sentences of the Markdown files under `root`: code blocks, tables and front matter are
// skipped, list and heading markers stripped, lines split at ". ".
std::vector<std::string> corpus_sentences(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root, ec))
    if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    bool code = false, front = false;
    for (size_t n = 0; std::getline(in, line); ++n) {
      if (line.rfind("```", 0) == 0) {
        code = !code;
        continue;
      }
      if (n == 0 && line == "---") {
        front = true;
        continue;
      }
      if (front) {
        if (line == "---") front = false;
        continue;
      }
      if (code || line.empty() || line[0] == '|') continue;
      size_t start = line.find_first_not_of("#->*+ \t0123456789.");
      if (start == std::string::npos) continue;
      std::string_view rest(line);
      rest.remove_prefix(start);
      while (!rest.empty()) {
        size_t dot = rest.find(". ");
        auto sentence = rest.substr(0, dot == std::string_view::npos ? rest.size() : dot + 1);
        if (std::count(sentence.begin(), sentence.end(), ' ') >= 4) out.emplace_back(sentence);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 2);
      }
    }
  }
  return out;
}

// Sentences of 6-16 words from a fixed word list, for when the corpus is absent.
std::vector<std::string> word_list_sentences(std::mt19937& rng, size_t n) {
  static const char* words[] = {
      "the",      "user",     "asked",     "for",       "a",          "cache",    "of",
      "search",   "results",  "we",        "decided",   "to",         "keep",     "index",
      "in",       "memory",   "and",       "write",     "it",         "disk",     "after",
      "build",    "tokens",   "budget",    "session",   "checkpoint", "restore",  "query",
      "latency",  "database", "schema",    "migration", "version",    "error",    "timeout",
      "actor",    "worker",   "thread",    "config",    "value",      "default",  "option",
      "review",   "test",     "failed",    "passed",    "fixed",      "bug",      "parser",
      "markdown", "section",  "heading",   "document",  "summary",    "priority", "entry",
      "prune",    "older",    "than",      "week",      "plan",       "step",     "done",
      "next",     "deploy",   "release",   "branch",    "merge",      "commit",   "refactor",
      "function", "module",   "interface", "client",    "server",     "request",  "response"};
  constexpr size_t n_words = sizeof(words) / sizeof(words[0]);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    size_t len = 6 + rng() % 11;
    for (size_t j = 0; j < len; ++j) {
      // Square of a uniform index: skewed towards common words.
      double u = std::uniform_real_distribution<double>(0, 1)(rng);
      s += (j ? " " : "");
      s += words[static_cast<size_t>(u * u * n_words) % n_words];
    }
    s += '.';
    s[0] = static_cast<char>(s[0] - 32);
    out.push_back(std::move(s));
  }
  return out;
}

const char* tag_names[] = {"auth",  "api",    "db",     "ui",       "perf",   "bug",
                           "infra", "docs",   "test",   "release",  "design", "security",
                           "build", "search", "memory", "config",   "cli",    "actors",
                           "kb",    "budget", "review", "decision", "todo",   "question"};
constexpr size_t n_tags = sizeof(tag_names) / sizeof(tag_names[0]);
constexpr int priorities[] = {10, 20, 30, 40, 50, 50, 60, 70, 80, 90, 100};
constexpr size_t n_sessions = 100;

std::string session_name(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "session-%03zu", i);
  return buf;
}

// N entries with ids and timestamps filled in (so both sides insert the same rows), created
// one to sixty seconds apart from 2024-01-01.
std::vector<memory_entry> make_entries(size_t n, const std::vector<std::string>& sentences,
                                       std::mt19937& rng) {
  std::vector<memory_entry> out;
  out.reserve(n);
  auto t = std::chrono::system_clock::time_point{} + std::chrono::seconds(1704067200);
  for (size_t i = 0; i < n; ++i) {
    memory_entry e;
    e.id = new_uuid();
    e.type = static_cast<memory_type>(rng() % 6);
    e.priority = priorities[rng() % std::size(priorities)];
    size_t k = 1 + rng() % 6;
    for (size_t j = 0; j < k; ++j) {
      if (j) e.content += ' ';
      e.content += sentences[rng() % sentences.size()];
    }
    e.session_id = session_name(rng() % n_sessions);
    e.task_id = "task-" + std::to_string(rng() % 500);
    for (size_t j = 0, nt = rng() % 4; j < nt; ++j) {
      std::string tag = tag_names[rng() % n_tags];
      if (std::find(e.tags.begin(), e.tags.end(), tag) == e.tags.end()) e.tags.push_back(tag);
    }
    e.metadata = json{{"source", "bench"}, {"n", i}};
    t += std::chrono::milliseconds(1000 + rng() % 59000);
    e.created_at = format_timestamp(t);
    e.updated_at = e.created_at;
    out.push_back(std::move(e));
  }
  return out;
}

// -- raw SQLite ------------------------------------------------------------------

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct raw_db {
  sqlite3* db = nullptr;
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  sqlite3_stmt* insert = nullptr;

  explicit raw_db(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      die("failed to open " + path.string());
    exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
         " PRAGMA foreign_keys = ON;");
    begin = prepare("BEGIN IMMEDIATE");
    commit = prepare("COMMIT");
    insert = prepare("INSERT INTO memory_entries (id, type, priority, content, tokens, "
                     "session_id, task_id, tags, metadata, created_at, updated_at, "
                     "is_summarized, summary_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  }
  ~raw_db() {
    for (auto* st : {begin, commit, insert})
      sqlite3_finalize(st);
    sqlite3_close(db);
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  void exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK)
      die(std::string("sqlite: ") + (msg ? msg : "?") + " in " + sql);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
      die(std::string("sqlite: ") + sqlite3_errmsg(db) + " in " + sql);
    return st;
  }
  void run(sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE) die(std::string("sqlite: ") + sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
  // The row as the store computes it: token count, tags, metadata and summary_of as JSON.
  void insert_row(const memory_entry& e, const token_counter& counter) {
    const auto tokens = static_cast<int64_t>(counter.count(e.content));
    const auto tags = dump(e.tags), metadata = dump(e.metadata), summary_of = dump(e.summary_of);
    const char* type = to_string(e.type);
    auto text = [&](int i, const std::string& s) {
      sqlite3_bind_text(insert, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    };
    text(1, e.id);
    sqlite3_bind_text(insert, 2, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 3, e.priority);
    text(4, e.content);
    sqlite3_bind_int64(insert, 5, tokens);
    text(6, e.session_id);
    text(7, e.task_id);
    text(8, tags);
    text(9, metadata);
    text(10, e.created_at);
    text(11, e.updated_at);
    sqlite3_bind_int64(insert, 12, e.is_summarized ? 1 : 0);
    text(13, summary_of);
    run(insert);
  }
  int64_t scalar(const char* sql) {
    auto* st = prepare(sql);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
  }
};

// Opens a store at `path`, dying on failure.
memory_db open_store(const fs::path& path, const token_counter& counter) {
  auto db = memory_db::open(path, counter);
  if (!db) die("failed to open store: " + db.err().message);
  return std::move(*db);
}

// A database file with the store's schema, for the raw side.
fs::path make_raw_file(const fs::path& path, const token_counter& counter) {
  open_store(path, counter); // creates the schema; the connection closes at once
  return path;
}

// -- queries -------------------------------------------------------------------------

constexpr const char* raw_columns =
    "m.id, m.type, m.priority, m.content, m.tokens, m.session_id, m.task_id, m.tags, m.metadata, "
    "m.created_at, m.updated_at, m.is_summarized, m.summary_of";

struct query_kind {
  const char* name;
  std::string raw_where; // the store's WHERE clause for this filter
  std::vector<memory_query> queries;
  std::vector<std::vector<sqlite::value>> params; // raw parameters, one list per query
};

// The store's FTS5 expression for `text`: every word quoted.
std::string quoted(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "\"" : " \"") + w + "\"";
  return out;
}

struct timing {
  std::vector<double> us;
  size_t mismatches = 0;
  size_t rows = 0;
};

struct row {
  std::string op, store, raw, ratio;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

} // namespace

int main(int argc, char** argv) {
  size_t n = 100000, n_queries = 200;
  fs::path corpus = "../shared/corpora/sage-kb/knowledge";
  std::string encoding = "cl100k_base";
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
    else if (a == "--corpus")
      corpus = next();
    else if (a == "--encoding")
      encoding = next();
    else {
      std::fprintf(stderr, "usage: memory_bench [--entries N] [--queries Q] [--corpus DIR] "
                           "[--encoding NAME]\n");
      return 2;
    }
  }
  if (n < 100) die("--entries must be at least 100");

  std::string command;
  for (int i = 0; i < argc; ++i)
    command += (i ? " " : "") + std::string(argv[i]);
  std::printf("command        %s\n", command.c_str());

  auto counter = token_counter::load(encoding, SAGE_DEFAULT_DATA_DIR);
  if (!counter) die("failed to load token counter: " + counter.err().message);

  std::mt19937 rng{20240617};
  auto sentences = corpus_sentences(corpus);
  std::string source = sentences.size() >= 100
                           ? std::to_string(sentences.size()) + " sentences of " + corpus.string()
                           : "fixed word list (corpus not found)";
  if (sentences.size() < 100) sentences = word_list_sentences(rng, 20000);
  const auto entries = make_entries(n, sentences, rng);
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
  // Both databases are filled with the first N - S entries in batches, then take the last S
  // entries one per transaction (S = min(10000, N / 2)), so both kinds of insert are timed on a
  // database of 100,000 entries or nearly. The store has no batch add; its only multi-entry
  // write is import_jsonl (one transaction per call, JSON parsing and an id check per line
  // included), fed 1000 lines per call. Raw: 1000 inserts per transaction.
  const size_t n_single = std::min<size_t>(10000, n / 2), n_batched = n - n_single;
  constexpr size_t batch = 1000;
  const auto store_path = dir / "store.db";
  auto store = open_store(store_path, *counter);
  raw_db raw(make_raw_file(dir / "raw.db", *counter));
  double store_batched = 0, raw_batched = 0;
  {
    std::vector<std::string> chunks;
    for (size_t i = 0; i < n_batched; i += batch) {
      std::string s;
      for (size_t j = i; j < std::min(n_batched, i + batch); ++j)
        s += dump(to_json(entries[j])) + "\n";
      chunks.push_back(std::move(s));
    }
    auto t0 = clock_type::now();
    for (const auto& c : chunks) {
      std::istringstream in(c);
      auto r = store.import_jsonl(in);
      if (!r) die("store import: " + r.err().message);
    }
    store_batched = us_since(t0);
    t0 = clock_type::now();
    for (size_t i = 0; i < n_batched; i += batch) {
      raw.run(raw.begin);
      for (size_t j = i; j < std::min(n_batched, i + batch); ++j)
        raw.insert_row(entries[j], *counter);
      raw.run(raw.commit);
    }
    raw_batched = us_since(t0);
  }
  double store_single = 0, raw_single = 0;
  {
    auto t0 = clock_type::now();
    for (size_t i = n_batched; i < n; ++i)
      if (auto r = store.add(entries[i]); !r) die("store add: " + r.err().message);
    store_single = us_since(t0);
    t0 = clock_type::now();
    for (size_t i = n_batched; i < n; ++i) {
      raw.run(raw.begin);
      raw.insert_row(entries[i], *counter);
      raw.run(raw.commit);
    }
    raw_single = us_since(t0);
  }
  auto per_s = [](size_t count, double us) {
    return fmt("%.0f /s", static_cast<double>(count) / us * 1e6);
  };
  table.push_back({"insert, 1 per transaction (last " + std::to_string(n_single) + ")",
                   per_s(n_single, store_single) + " (add)", per_s(n_single, raw_single),
                   fmt("%.2f", store_single / raw_single)});
  table.push_back({"insert, 1000 per transaction (first " + std::to_string(n_batched) + ")",
                   per_s(n_batched, store_batched) + " (import_jsonl)",
                   per_s(n_batched, raw_batched), fmt("%.2f", store_batched / raw_batched)});

  {
    auto cnt = store.connection().prepare("SELECT count(*), sum(tokens) FROM memory_entries");
    (void)cnt->step();
    const int64_t s_rows = cnt->column_int(0), s_tok = cnt->column_int(1);
    const int64_t r_rows = raw.scalar("SELECT count(*) FROM memory_entries");
    const int64_t r_tok = raw.scalar("SELECT sum(tokens) FROM memory_entries");
    if (s_rows != r_rows || s_tok != r_tok || s_rows != static_cast<int64_t>(n)) {
      std::printf("MISMATCH       rows/tokens: store %lld/%lld, raw %lld/%lld\n",
                  static_cast<long long>(s_rows), static_cast<long long>(s_tok),
                  static_cast<long long>(r_rows), static_cast<long long>(r_tok));
      ++total_mismatches;
    }
  }

  // -- queries ------------------------------------------------------------------------
  std::vector<query_kind> kinds;
  kinds.push_back({"query: session, newest 20", "m.session_id = ?", {}, {}});
  kinds.push_back({"query: tag, newest 20",
                   "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value IN (?))",
                   {},
                   {}});
  kinds.push_back(
      {"query: priority range, newest 20", "m.priority >= ? AND m.priority <= ?", {}, {}});
  kinds.push_back({"search: FTS5 1-2 words, newest 20",
                   "m.seq IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?)",
                   {},
                   {}});
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
    std::string tag = tag_names[rng() % n_tags];
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

  for (auto& k : kinds) {
    const std::string sql = std::string("SELECT ") + raw_columns + " FROM memory_entries m WHERE " +
                            k.raw_where + " ORDER BY m.created_at DESC, m.seq DESC LIMIT 20";
    sqlite3_stmt* st = raw.prepare(sql.c_str());
    std::vector<double> s_us, r_us;
    size_t mismatches = 0, store_rows = 0, raw_rows = 0;
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
        for (size_t p = 0; p < k.params[i].size(); ++p) {
          const auto& v = k.params[i][p];
          const int idx = static_cast<int>(p + 1);
          if (auto* t = std::get_if<std::string>(&v))
            sqlite3_bind_text(st, idx, t->data(), static_cast<int>(t->size()), SQLITE_STATIC);
          else
            sqlite3_bind_int64(st, idx, std::get<int64_t>(v));
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
          // Read every column as the store does (it also parses the JSON ones).
          ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
          for (int c = 1; c < 13; ++c)
            (void)sqlite3_column_text(st, c);
        }
        sqlite3_reset(st);
        r_us.push_back(us_since(t0));

        if (pass == 1) {
          store_rows += page->entries.size();
          raw_rows += ids.size();
          bool same = ids.size() == page->entries.size();
          for (size_t j = 0; same && j < ids.size(); ++j)
            same = ids[j] == page->entries[j].id;
          if (!same) {
            if (++mismatches <= 3)
              std::printf("MISMATCH       %s #%zu: store %zu rows, raw %zu rows\n", k.name, i,
                          page->entries.size(), ids.size());
          }
        }
      }
    }
    sqlite3_finalize(st);
    total_mismatches += mismatches;
    const double sp50 = percentile(s_us, 0.5), rp50 = percentile(r_us, 0.5);
    const double sp99 = percentile(s_us, 0.99), rp99 = percentile(r_us, 0.99);
    table.push_back({std::string(k.name) + " p50", fmt("%.1f us", sp50), fmt("%.1f us", rp50),
                     fmt("%.2f", sp50 / rp50)});
    table.push_back({std::string(k.name) + " p99", fmt("%.1f us", sp99), fmt("%.1f us", rp99),
                     fmt("%.2f", sp99 / rp99)});
    std::printf("%-34s %zu queries, %.1f rows each on average (store), %zu differ\n", k.name,
                k.queries.size(),
                static_cast<double>(store_rows) / static_cast<double>(k.queries.size()),
                mismatches);
  }
  std::printf("%-34s %.2f words per query on average\n", "search words",
              static_cast<double>(fts_words) / static_cast<double>(n_queries));

  // -- prune ----------------------------------------------------------------------------
  // Priority <= 30 and created before the middle entry: about a seventh of the entries.
  {
    const std::string cutoff = entries[n / 2].created_at;
    prune_filter f;
    f.max_priority = 30;
    {
      // The cutoff as a time point: the fixed-width timestamp parsed back.
      std::tm tm{};
      int ms = 0;
      std::sscanf(cutoff.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      f.older_than =
          std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(ms);
    }
    if (format_timestamp(*f.older_than) != cutoff) die("cutoff round trip failed: " + cutoff);
    auto t0 = clock_type::now();
    auto ids = store.prune(f);
    const double s_us = us_since(t0);
    if (!ids) die("store prune: " + ids.err().message);

    sqlite3_stmt* del = raw.prepare("DELETE FROM memory_entries WHERE priority < 100 AND "
                                    "priority <= ? AND created_at < ? RETURNING id");
    t0 = clock_type::now();
    raw.run(raw.begin);
    sqlite3_bind_int64(del, 1, 30);
    sqlite3_bind_text(del, 2, cutoff.data(), static_cast<int>(cutoff.size()), SQLITE_STATIC);
    std::vector<std::string> raw_ids;
    while (sqlite3_step(del) == SQLITE_ROW)
      raw_ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(del, 0)));
    sqlite3_reset(del);
    raw.run(raw.commit);
    const double r_us = us_since(t0);
    sqlite3_finalize(del);

    auto a = *ids;
    std::sort(a.begin(), a.end());
    std::sort(raw_ids.begin(), raw_ids.end());
    auto cnt = store.connection().prepare("SELECT count(*) FROM memory_entries");
    (void)cnt->step();
    const int64_t s_left = cnt->column_int(0);
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

  std::printf("token counting %.1f us per entry (%s), included on both sides of every insert\n",
              tok_us, encoding.c_str());
  std::printf(
      "\n| operation | store | raw SQLite | ratio (store / raw time) |\n|---|---|---|---|\n");
  for (const auto& r : table)
    std::printf("| %s | %s | %s | %s |\n", r.op.c_str(), r.store.c_str(), r.raw.c_str(),
                r.ratio.c_str());
  std::printf("\nagreement      %s\n",
              total_mismatches == 0 ? "store and raw SQLite returned the same rows everywhere"
                                    : "MISMATCHES found (see above)");
  std::error_code ec;
  fs::remove_all(dir, ec);
  return total_mismatches == 0 ? 0 : 1;
}
