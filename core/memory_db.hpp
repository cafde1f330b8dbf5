// The SQLite store of the working memory: entries, sessions, checkpoints and reservations.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/memory_types.hpp"
#include "core/sqlite.hpp"
#include "core/tokenizer.hpp"

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace sage::core {

/// Limits of a store, passed in from configuration.
struct memory_db_options {
  /// Largest content accepted by add, update and import, in bytes.
  size_t max_content_bytes = 1 << 20;
};

/// A change to an entry; unset members stay as they are.
struct memory_update {
  std::optional<std::string> content;
  std::optional<int> priority;
  std::optional<std::vector<std::string>> tags;
  std::optional<memory_type> type;
  std::optional<bool> is_summarized;
  /// Merged into the metadata key by key as a JSON merge patch (RFC 7396): a null removes a key.
  std::optional<nlohmann::json> metadata;
};

/// What `prune` removes: entries matching every set criterion, never PERMANENT ones.
struct prune_filter {
  std::optional<int> max_priority;                                 ///< priority at most this
  std::optional<std::chrono::system_clock::time_point> older_than; ///< created before this
  std::optional<std::string> session_id;
};

/// Counts of an import.
struct import_report {
  size_t imported = 0;
  size_t skipped = 0; ///< ids already present
};

/// One connection to the memory database. Several connections, in this process or others, may
/// use the same file at once (WAL, a busy timeout, every write in one IMMEDIATE transaction).
/// Not for concurrent use from several threads: give each thread or actor its own.
class memory_db {
public:
  /// Opens or creates the database at `path`, creating its folder (mode 0700) and the file
  /// (mode 0600), and brings the schema up to date. Refuses a database written by a newer
  /// version. `counter` counts the tokens of each entry.
  static result<memory_db> open(const std::filesystem::path& path, token_counter counter,
                                memory_db_options options = {});

  /// The schema version this code writes.
  static int latest_schema_version();

  /// Stores a new entry: id, timestamps and tokens are filled in when empty (tokens always).
  /// Rejects an unknown type, a priority outside 0..100, invalid UTF-8, content over the
  /// limit and an id already present.
  result<memory_entry> add(memory_entry entry);

  /// Stores new entries, filled in and checked as by `add`, all or nothing in one transaction:
  /// one write for many entries instead of a transaction each. When any entry is bad (invalid,
  /// an id given twice in the batch, or an id already present) nothing is stored and the error
  /// names the index of every bad entry. Returns the stored entries in the given order.
  result<std::vector<memory_entry>> add_batch(std::vector<memory_entry> entries);

  result<memory_entry> get(const std::string& id);

  /// Applies `change`, recounts tokens and bumps `updated_at`.
  result<memory_entry> update(const std::string& id, const memory_update& change);

  /// Deletes an entry; not_found when there is none.
  std::optional<error> remove(const std::string& id);

  /// One page of entries matching `q`, in its order.
  result<memory_page> query(const memory_query& q);

  /// Deletes the entries `filter` selects (at least one criterion is required) and returns
  /// their ids. PERMANENT entries are never removed.
  result<std::vector<std::string>> prune(const prune_filter& filter);

  /// Deletes what `rules` do not keep and returns the deleted ids, in one transaction. Per type
  /// with a rule: first entries created before `now - max_age`, then all but the newest
  /// `max_count` (by created_at, then insertion order) in each session, entries without a
  /// session being one group. Counting per session keeps one busy session from pushing out the
  /// history of the others. PERMANENT entries are never deleted and do not count against
  /// `max_count`, so a session keeps its permanent entries plus `max_count` others. A second
  /// run with the same `now` deletes nothing. Rejects a max_count below 1 or a max_age <= 0.
  result<std::vector<std::string>> apply_retention(const memory_retention& rules,
                                                   std::chrono::system_clock::time_point now);

  /// Writes entries (of one session, or all) as JSON lines in insertion order; returns the count.
  result<size_t> export_jsonl(std::ostream& out,
                              const std::optional<std::string>& session_id = std::nullopt);

  /// Reads JSON lines written by `export_jsonl`. All or nothing: when any line is bad nothing is
  /// imported and the error names every bad line. Ids already present are skipped, so importing
  /// the same file twice changes nothing.
  result<import_report> import_jsonl(std::istream& in);

  /// Total tokens of the session's entries that have not been summarised.
  result<int64_t> usage(const std::string& session_id);

  /// Writes `entry` exactly as given (no validation, no recount): over the stored row with its
  /// id, which keeps its place in insertion order, or as a new row. For restoring checkpoints.
  std::optional<error> put(const memory_entry& entry) { return write_row(entry, true); }

  /// The underlying connection, for the session store, which keeps sessions, checkpoints and
  /// reservations in the same file and needs its own transactions across tables.
  sqlite::connection& connection() { return db_; }

private:
  memory_db(sqlite::connection conn, token_counter counter, memory_db_options options)
      : db_(std::move(conn)), counter_(std::move(counter)), options_(options) {}

  std::optional<error> validate(const memory_entry& entry) const;
  /// Fills in what the store assigns to a new entry (id, timestamps, tokens) and validates it;
  /// shared by add, add_batch and import.
  std::optional<error> prepare_new(memory_entry& entry) const;
  /// The ids of `ids` already stored, for the duplicate checks of add and add_batch.
  result<std::vector<std::string>> stored_ids(const std::vector<std::string>& ids);
  /// Runs `sql`, a DELETE without its RETURNING clause, in the caller's transaction and returns
  /// the deleted ids; shared by prune and apply_retention. Deletes go through the FTS triggers.
  result<std::vector<std::string>> delete_returning_ids(const std::string& sql,
                                                        const std::vector<sqlite::value>& params);
  std::optional<error> insert(const memory_entry& entry) { return write_row(entry, false); }
  std::optional<error> write_row(const memory_entry& entry, bool replace);
  result<std::optional<memory_entry>> find(const std::string& id);

  sqlite::connection db_;
  token_counter counter_;
  memory_db_options options_;
};

} // namespace sage::core
