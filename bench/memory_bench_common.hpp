// Shared parts of the memory store benchmark: timing, generated entries, the raw SQLite side.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/memory_db.hpp"
#include "core/tokenizer.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace sage::bench {

namespace fs = std::filesystem;

// -- timing and reporting ------------------------------------------------------------

using clock_type = std::chrono::steady_clock;

double us_since(clock_type::time_point t0);

/// The value below which a share `p` of `v` lies (nearest rank); 0 for no values.
double percentile(std::vector<double> v, double p);

/// Prints `memory_bench: <what>` and exits with status 2: the benchmark could not run.
[[noreturn]] void die(const std::string& what);

/// `printf` of one number into a string.
std::string fmt(const char* format, double v);

/// `<count / seconds> /s`.
std::string per_second(size_t count, double us);

/// One line of a printed table: the operation, the measured side, its baseline, and the
/// ratio of their times.
struct row {
  std::string op, measured, baseline, ratio;
};

/// What one part of the run measured and how often the two sides disagreed.
struct report {
  std::vector<row> rows;
  size_t mismatches = 0;
};

// -- generated entries -----------------------------------------------------------------

inline constexpr size_t n_sessions = 100;
inline constexpr size_t n_tags = 24;

std::string session_name(size_t i);
std::string tag_name(size_t i);

/// Prose sentences of the Markdown files under `root`: code blocks, tables and front matter are
/// skipped, list and heading markers stripped, lines split at ". ". Empty when `root` is absent.
std::vector<std::string> corpus_sentences(const fs::path& root);

/// `n` sentences of 6-16 words from a fixed word list, for when the corpus is absent.
std::vector<std::string> word_list_sentences(std::mt19937& rng, size_t n);

/// `n` entries with ids and timestamps filled in (so every side inserts the same rows), created
/// one to sixty seconds apart from 2024-01-01: 1-6 sentences, one of `n_sessions` sessions,
/// 0-3 of `n_tags` tags, a priority from 10 to 100 (50 twice as likely).
std::vector<core::memory_entry> make_entries(size_t n, const std::vector<std::string>& sentences,
                                             std::mt19937& rng);

/// The time point of a timestamp as the store writes it (`2024-01-01T00:00:00.000Z`).
std::chrono::system_clock::time_point parse_timestamp(const std::string& text);

// -- the two databases -----------------------------------------------------------------

/// Opens a store at `path`, dying on failure.
core::memory_db open_store(const fs::path& path, const core::token_counter& counter);

/// The JSON text the store writes for tags, metadata and id lists.
std::string dump(const nlohmann::json& j);

/// A connection through the sqlite3 C API to a database with the store's schema (created by
/// opening a store on it once) and the store's pragmas. Statements are prepared once.
class raw_db {
public:
  /// Creates the schema at `path` through the store, then opens it raw.
  raw_db(const fs::path& path, const core::token_counter& counter);
  ~raw_db();
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  sqlite3* handle() { return db_; }
  void exec(const char* sql);
  /// Prepared once by the caller, finalised by the caller.
  sqlite3_stmt* prepare(const std::string& sql);
  /// Steps a statement that returns no rows, then resets it.
  void run(sqlite3_stmt* st);
  void begin() { run(begin_); }
  void commit() { run(commit_); }
  /// Inserts the row as the store computes it: tokens counted with the same counter, tags,
  /// metadata and summary_of as JSON text.
  void insert_row(const core::memory_entry& e);
  int64_t scalar(const std::string& sql);

private:
  sqlite3* db_ = nullptr;
  const core::token_counter& counter_;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

/// Binds text that outlives the statement's next step.
void bind_text(sqlite3_stmt* st, int index, const std::string& text);

/// Column `index` of the current row as a string (empty for NULL).
std::string column_string(sqlite3_stmt* st, int index);

// -- parts of the run in their own files ---------------------------------------------------

/// Summarising and pruning sessions at critical and overflow (memory_bench_budget.cpp): for
/// each of `sessions` sessions `summarise_session`, for `sessions` others `prune_for_budget`,
/// then the same reads and writes through `raw`. Both databases must hold the same rows.
report run_budget_part(core::memory_db& store, raw_db& raw, const core::token_counter& counter,
                       std::span<const core::memory_entry> entries, size_t sessions);

/// Inserts through an engine started over the store's data folder beside the same inserts
/// straight into `store` (memory_bench_engine.cpp). `extra` holds five times `per_kind`
/// entries not stored yet.
report run_engine_part(const fs::path& data_dir, core::memory_db& store,
                       const std::string& encoding, const core::token_counter& counter,
                       std::vector<core::memory_entry> extra, size_t per_kind);

} // namespace sage::bench
