// Shared parts of the memory store benchmark: timing, generated entries, the raw SQLite side.
// SPDX-License-Identifier: MIT
#include "memory_bench_common.hpp"

#include "core/timestamp.hpp"
#include "core/uuid.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string_view>

namespace sage::bench {

using nlohmann::json;

// -- timing and reporting ------------------------------------------------------------

double us_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void die(const std::string& what) {
  std::fflush(stdout);
  std::fprintf(stderr, "memory_bench: %s\n", what.c_str());
  std::exit(2);
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string per_second(size_t count, double us) {
  return fmt("%.0f /s", static_cast<double>(count) / us * 1e6);
}

// -- generated entries -----------------------------------------------------------------

namespace {

const char* const tag_names[n_tags] = {
    "auth", "api",     "db",     "ui",       "perf",   "bug",      "infra",  "docs",
    "test", "release", "design", "security", "build",  "search",   "memory", "config",
    "cli",  "actors",  "kb",     "budget",   "review", "decision", "todo",   "question"};
constexpr int priorities[] = {10, 20, 30, 40, 50, 50, 60, 70, 80, 90, 100};

} // namespace

std::string session_name(size_t i) {
  // A UUID, as the store requires of session ids; zero-padded so that the names sort as the
  // numbers do.
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012zu", i);
  return buf;
}

std::string tag_name(size_t i) {
  return tag_names[i % n_tags];
}

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

std::vector<core::memory_entry> make_entries(size_t n, const std::vector<std::string>& sentences,
                                             std::mt19937& rng) {
  std::vector<core::memory_entry> out;
  out.reserve(n);
  auto t = std::chrono::system_clock::time_point{} + std::chrono::seconds(1704067200);
  for (size_t i = 0; i < n; ++i) {
    core::memory_entry e;
    e.id = core::new_uuid();
    e.type = static_cast<core::memory_type>(rng() % 6);
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
    e.created_at = core::format_timestamp(t);
    e.updated_at = e.created_at;
    out.push_back(std::move(e));
  }
  return out;
}

std::chrono::system_clock::time_point parse_timestamp(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto t = std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(ms);
  if (core::format_timestamp(t) != text) die("failed to parse timestamp " + text);
  return t;
}

// -- the two databases -----------------------------------------------------------------

core::memory_db open_store(const fs::path& path, const core::token_counter& counter) {
  auto db = core::memory_db::open(path, counter);
  if (!db) die("failed to open store: " + db.err().message);
  return std::move(*db);
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

raw_db::raw_db(const fs::path& path, const core::token_counter& counter) : counter_(counter) {
  open_store(path, counter); // creates the schema; that connection closes at once
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    die("failed to open " + path.string());
  exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
       " PRAGMA foreign_keys = ON;");
  begin_ = prepare("BEGIN IMMEDIATE");
  commit_ = prepare("COMMIT");
  insert_ = prepare("INSERT INTO memory_entries (id, type, priority, content, tokens, "
                    "session_id, task_id, tags, metadata, created_at, updated_at, "
                    "is_summarized, summary_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
}

raw_db::~raw_db() {
  for (auto* st : {begin_, commit_, insert_})
    sqlite3_finalize(st);
  sqlite3_close(db_);
}

void raw_db::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK)
    die(std::string("sqlite: ") + (msg ? msg : "?") + " in " + sql);
}

sqlite3_stmt* raw_db::prepare(const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    die(std::string("sqlite: ") + sqlite3_errmsg(db_) + " in " + sql);
  return st;
}

void raw_db::run(sqlite3_stmt* st) {
  if (sqlite3_step(st) != SQLITE_DONE) die(std::string("sqlite: ") + sqlite3_errmsg(db_));
  sqlite3_reset(st);
}

void raw_db::insert_row(const core::memory_entry& e) {
  const auto tokens = static_cast<int64_t>(counter_.count(e.content));
  const auto tags = dump(e.tags), metadata = dump(e.metadata), summary_of = dump(e.summary_of);
  bind_text(insert_, 1, e.id);
  sqlite3_bind_text(insert_, 2, core::to_string(e.type), -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert_, 3, e.priority);
  bind_text(insert_, 4, e.content);
  sqlite3_bind_int64(insert_, 5, tokens);
  bind_text(insert_, 6, e.session_id);
  bind_text(insert_, 7, e.task_id);
  bind_text(insert_, 8, tags);
  bind_text(insert_, 9, metadata);
  bind_text(insert_, 10, e.created_at);
  bind_text(insert_, 11, e.updated_at);
  sqlite3_bind_int64(insert_, 12, e.is_summarized ? 1 : 0);
  bind_text(insert_, 13, summary_of);
  run(insert_);
}

int64_t raw_db::scalar(const std::string& sql) {
  auto* st = prepare(sql);
  int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

void bind_text(sqlite3_stmt* st, int index, const std::string& text) {
  sqlite3_bind_text(st, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_string(sqlite3_stmt* st, int index) {
  const auto* text = sqlite3_column_text(st, index);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(st, index)))
              : std::string();
}

} // namespace sage::bench
