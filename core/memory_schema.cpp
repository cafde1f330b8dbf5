// The schema of the memory database and its forward migrations.
// SPDX-License-Identifier: MIT
#include "core/memory_schema.hpp"

#include <array>

namespace sage::core::memory_schema {

namespace {

struct migration {
  int version;
  const char* sql;
};

// Append new migrations at the end; never edit one that has shipped.
constexpr std::array migrations = {
    migration{1, R"sql(
CREATE TABLE memory_entries (
  seq           INTEGER PRIMARY KEY,  -- insertion order; the FTS rowid and pagination tie-break
  id            TEXT NOT NULL UNIQUE,
  type          TEXT NOT NULL CHECK (type IN ('conversation', 'decision', 'context', 'summary',
                                              'checkpoint', 'artifact')),
  priority      INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 100),
  content       TEXT NOT NULL,
  tokens        INTEGER NOT NULL CHECK (tokens >= 0),
  session_id    TEXT NOT NULL DEFAULT '',
  task_id       TEXT NOT NULL DEFAULT '',
  tags          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  metadata      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  is_summarized INTEGER NOT NULL DEFAULT 0 CHECK (is_summarized IN (0, 1)),
  summary_of    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(summary_of))
);
CREATE INDEX memory_entries_session ON memory_entries (session_id, is_summarized);
CREATE INDEX memory_entries_type ON memory_entries (type);
CREATE INDEX memory_entries_priority ON memory_entries (priority);
CREATE INDEX memory_entries_created ON memory_entries (created_at);
CREATE INDEX memory_entries_updated ON memory_entries (updated_at);

CREATE VIRTUAL TABLE memory_fts USING fts5(
  content, tags, content = 'memory_entries', content_rowid = 'seq',
  tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER memory_entries_fts_insert AFTER INSERT ON memory_entries BEGIN
  INSERT INTO memory_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
END;
CREATE TRIGGER memory_entries_fts_delete AFTER DELETE ON memory_entries BEGIN
  INSERT INTO memory_fts (memory_fts, rowid, content, tags)
    VALUES ('delete', old.seq, old.content, old.tags);
END;
CREATE TRIGGER memory_entries_fts_update AFTER UPDATE OF content, tags ON memory_entries BEGIN
  INSERT INTO memory_fts (memory_fts, rowid, content, tags)
    VALUES ('delete', old.seq, old.content, old.tags);
  INSERT INTO memory_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
END;

-- A working session: its objective, plan and last step, as `sage session` shows it.
CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,
  task_id      TEXT NOT NULL DEFAULT '',
  objective    TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
  steps        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(steps)), -- [{text, done, done_at}]
  last_action  TEXT NOT NULL DEFAULT '',
  last_result  TEXT NOT NULL DEFAULT '',
  resumed_from TEXT,                    -- checkpoint id when started from one
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  ended_at     TEXT
);
CREATE INDEX sessions_task ON sessions (task_id);

-- A snapshot to resume from: the session row and its entries, both as JSON.
CREATE TABLE checkpoints (
  id            TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  label         TEXT NOT NULL DEFAULT '',
  session_state TEXT NOT NULL CHECK (json_valid(session_state)),
  entries       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(entries)),
  tokens        INTEGER NOT NULL DEFAULT 0 CHECK (tokens >= 0),
  created_at    TEXT NOT NULL
);
CREATE INDEX checkpoints_session ON checkpoints (session_id, created_at);

-- Tokens held for a session by the budget until committed, released or expired.
CREATE TABLE reservations (
  id         TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  tokens     INTEGER NOT NULL CHECK (tokens > 0),
  status     TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'committed', 'released')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX reservations_session ON reservations (session_id, status, expires_at);
)sql"},
    // A session's entries newest first is the common query: walk them in order instead of
    // sorting all of them (the rowid `seq` ends each index, so the tie-break is covered too).
    migration{2, R"sql(
CREATE INDEX memory_entries_session_created ON memory_entries (session_id, created_at);
CREATE INDEX memory_entries_session_updated ON memory_entries (session_id, updated_at);
)sql"},
    // The budget level last observed per session, so that `budget.level_changed` is published
    // once per change even when several processes watch the same session. `IF NOT EXISTS`: a
    // database whose recorded version was rewound (as the migration tests do) may still hold it.
    migration{3, R"sql(
CREATE TABLE IF NOT EXISTS budget_levels (
  session_id TEXT PRIMARY KEY,
  level      TEXT NOT NULL
             CHECK (level IN ('normal', 'caution', 'warning', 'critical', 'overflow')),
  updated_at TEXT NOT NULL  -- when the session entered this level
);
)sql"},
    // A session's usage is read after every write (the budget check): with the tokens in the
    // index the sum never touches the table (about 20 times faster for a session of 1000
    // entries). It covers everything the narrower (session_id, is_summarized) index did.
    migration{4, R"sql(
CREATE INDEX IF NOT EXISTS memory_entries_session_usage
  ON memory_entries (session_id, is_summarized, tokens);
DROP INDEX IF EXISTS memory_entries_session;
)sql"},
};

result<int> current_version(sqlite::connection& db) {
  auto st = db.prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!st) return st.err();
  auto row = st->step();
  if (!row) return row.err();
  return static_cast<int>(st->column_int(0));
}

error too_new(int found, const std::string& path) {
  return make_error(error_code::config,
                    "failed to open memory database: schema version " + std::to_string(found) +
                        " is newer than this build knows (" + std::to_string(latest_version()) +
                        "), path=" + path,
                    "upgrade sage, or set memory.data_dir to another folder");
}

} // namespace

int latest_version() {
  return migrations.back().version;
}

std::optional<error> migrate(sqlite::connection& db, const std::string& path) {
  if (auto err = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
    return err;
  auto version = current_version(db);
  if (!version) return version.err();
  if (*version > latest_version()) return too_new(*version, path);
  for (const auto& m : migrations) {
    if (m.version <= *version) continue;
    auto tx = sqlite::transaction::begin(db);
    if (!tx) return tx.err();
    auto now = current_version(db); // another process may have migrated meanwhile
    if (!now) return now.err();
    if (*now > latest_version()) return too_new(*now, path);
    if (*now >= m.version) continue;
    if (auto err = db.exec(m.sql)) {
      return make_error(err->code,
                        "failed to migrate memory database to version " +
                            std::to_string(m.version) + ": " + err->message,
                        "the database is unchanged; check disk space and permissions of " + path);
    }
    auto st = db.prepare("INSERT INTO schema_version (version) VALUES (?)");
    if (!st) return st.err();
    if (auto err = st->bind(1, int64_t{m.version}).run()) return err;
    if (auto err = tx->commit()) return err;
  }
  return std::nullopt;
}

} // namespace sage::core::memory_schema
