// The SQLite store of the working memory: entries, sessions, checkpoints and reservations.
// SPDX-License-Identifier: MIT
#include "core/memory_db.hpp"

#include "core/json_parse.hpp"
#include "core/memory_schema.hpp"
#include "core/timestamp.hpp"
#include "core/utf8_repair.hpp"
#include "core/uuid.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <istream>
#include <map>
#include <ostream>
#include <sys/stat.h>
#include <unistd.h>

namespace sage::core {

namespace {

using nlohmann::json;

/// How long a connection waits for another writer before reporting the database as busy.
constexpr int busy_timeout_ms = 5000;

/// Entry columns in the order `read_entry` expects, for a table aliased `m`.
constexpr const char* entry_columns =
    "m.id, m.type, m.priority, m.content, m.tokens, m.session_id, m.task_id, m.tags, m.metadata, "
    "m.created_at, m.updated_at, m.is_summarized, m.summary_of";

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

error corrupt_row(const std::string& id, const char* column) {
  return make_error(error_code::parse,
                    std::string("failed to read memory entry: invalid ") + column + ", id=" + id,
                    "the memory database was changed outside sage; export, fix and import it");
}

/// Reads the entry whose columns start at `first`.
result<memory_entry> read_entry(const sqlite::statement& st, int first) {
  memory_entry e;
  e.id = st.column_text(first);
  auto type = parse_memory_type(st.column_text(first + 1));
  if (!type) return corrupt_row(e.id, "type");
  e.type = *type;
  e.priority = static_cast<int>(st.column_int(first + 2));
  e.content = st.column_text(first + 3);
  e.tokens = st.column_int(first + 4);
  e.session_id = st.column_text(first + 5);
  e.task_id = st.column_text(first + 6);
  auto tags = parse_stored_json(st.column_text(first + 7));
  auto metadata = parse_stored_json(st.column_text(first + 8));
  auto summary_of = parse_stored_json(st.column_text(first + 12));
  if (!tags.is_array()) return corrupt_row(e.id, "tags");
  if (!metadata.is_object()) return corrupt_row(e.id, "metadata");
  if (!summary_of.is_array()) return corrupt_row(e.id, "summary_of");
  for (const auto& t : tags)
    if (t.is_string()) e.tags.push_back(t.get<std::string>());
  for (const auto& s : summary_of)
    if (s.is_string()) e.summary_of.push_back(s.get<std::string>());
  e.metadata = std::move(metadata);
  e.created_at = st.column_text(first + 9);
  e.updated_at = st.column_text(first + 10);
  e.is_summarized = st.column_int(first + 11) != 0;
  return e;
}

/// Creates the folder with mode 0700 and the file with mode 0600 when they do not exist yet;
/// existing ones keep the modes their owner gave them.
std::optional<error> create_private(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  auto dir = path.parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::exists(dir, ec)) {
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return make_error(error_code::io,
                        "failed to create memory folder: " + std::string(std::strerror(errno)) +
                            ", path=" + dir.string(),
                        "check that the parent folder is writable or set memory.data_dir");
    ::chmod(dir.c_str(), 0700); // mkdir's mode is reduced by the umask
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::fchmod(fd, 0600);
    ::close(fd);
  } else if (errno != EEXIST) {
    return make_error(error_code::io,
                      "failed to create memory database: " + std::string(std::strerror(errno)) +
                          ", path=" + path.string(),
                      "check that the folder is writable or set memory.data_dir");
  }
  return std::nullopt;
}

/// An FTS5 query matching every word of `text` literally: each whitespace-separated word becomes
/// a quoted string (inner quotes doubled), so operators and syntax in user text are plain words.
std::string fts_match_expression(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (start == i) break;
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : text.substr(start, i - start)) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

/// From this many matches on, a text search walks the index of its order instead of sorting
/// every match. Sorting costs ~2-4 us per match; the walk reads the match set once (~0.1 us per
/// match) and ~0.06 us per index entry passed, so it stops early when matches are common and
/// costs at most one pass over the index (~6 ms at 100,000 entries) when they are rare or old.
/// At 100,000 entries the two break even at ~300 matches (bench/README.md, memory_bench).
constexpr int64_t dense_text_matches = 500;

/// Whether the FTS5 expression `match` matches at least `count` entries; reads no more.
result<bool> matches_at_least(sqlite::connection& db, const std::string& match, int64_t count) {
  auto st = db.prepare("SELECT count(*) FROM (SELECT 1 FROM memory_fts WHERE memory_fts MATCH ? "
                       "LIMIT ?)");
  if (!st) return st.err();
  auto row = st->bind(1, match).bind(2, count).step();
  if (!row) return row.err();
  return *row && st->column_int(0) >= count;
}

const char* order_column(memory_order order) {
  switch (order) {
  case memory_order::updated:
    return "m.updated_at";
  case memory_order::priority:
    return "m.priority";
  case memory_order::created:
    break;
  }
  return "m.created_at";
}

/// Cursor text: "<order><direction>:<seq>:<key>". Opaque to callers.
std::string cursor_prefix(const memory_query& q) {
  return std::string(1, to_string(q.order_by)[0]) + (q.descending ? 'd' : 'a');
}

struct cursor_position {
  sqlite::value key;
  int64_t seq = 0;
};

result<cursor_position> parse_cursor(const memory_query& q) {
  auto bad = make_error(error_code::invalid_argument, "invalid cursor `" + q.cursor + "`",
                        "pass the next_cursor of a previous page of the same query");
  auto prefix = cursor_prefix(q);
  if (q.cursor.size() < prefix.size() + 3 || q.cursor.compare(0, prefix.size(), prefix) != 0 ||
      q.cursor[prefix.size()] != ':')
    return bad;
  auto rest = std::string_view(q.cursor).substr(prefix.size() + 1);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return bad;
  cursor_position pos;
  try {
    size_t used = 0;
    pos.seq = std::stoll(std::string(rest.substr(0, colon)), &used);
    if (used != colon) return bad;
    auto key = std::string(rest.substr(colon + 1));
    if (q.order_by == memory_order::priority) {
      pos.key = int64_t{std::stoll(key, &used)};
      if (used != key.size()) return bad;
    } else {
      pos.key = key;
    }
  } catch (const std::exception&) {
    return bad;
  }
  return pos;
}

/// The refused items of a batch (entries, lines), by position, for one error naming them all.
struct rejections {
  const char* noun;   ///< `entry`, `line`
  const char* plural; ///< `entries`, `lines`
  std::map<size_t, std::string> why;

  /// Keeps the first reason given for an item.
  void add(size_t item, std::string reason) { why.emplace(item, std::move(reason)); }
  bool empty() const { return why.empty(); }

  /// `failed to <what>: bad <plural> 2, 5`; the hint gives the first ten reasons, then `after`.
  error to_error(error_code code, const std::string& what, const std::string& after) const {
    std::string list, details;
    size_t shown = 0;
    for (const auto& [item, reason] : why) {
      list += (list.empty() ? "" : ", ") + std::to_string(item);
      if (shown++ < 10)
        details += std::string(noun) + " " + std::to_string(item) + ": " + reason + "; ";
    }
    return make_error(code, "failed to " + what + ": bad " + plural + " " + list, details + after);
  }
};

error already_exists(const std::string& id) {
  return make_error(error_code::invalid_argument, "memory entry already exists, id=" + id,
                    "leave the id empty to get a new one, or update the entry");
}

error not_found(const std::string& id) {
  return make_error(error_code::not_found, "memory entry not found, id=" + id,
                    "run `sage memory list` to see the entries");
}

std::optional<error> check_text(const std::string& text, const char* what) {
  if (is_valid_utf8(text)) return std::nullopt;
  return make_error(error_code::invalid_argument, std::string(what) + " is not valid UTF-8",
                    "send text encoded as UTF-8");
}

} // namespace

// -- opening -----------------------------------------------------------------

result<memory_db> memory_db::open(const std::filesystem::path& path, token_counter counter,
                                  memory_db_options options) {
  if (auto err = create_private(path)) return *err;
  auto conn = sqlite::connection::open(path.string());
  if (!conn) return conn.err();
  // The busy timeout comes first so that even switching to WAL waits for other processes.
  // WAL with synchronous=NORMAL: a commit is complete once it is in the WAL file (the OS page
  // cache), so a crash of the process, even kill -9, loses no acknowledged write; only a power
  // loss or kernel crash may lose the last commits, and never corrupts the database.
  if (auto err = conn->exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms) +
                            "; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                            " PRAGMA foreign_keys = ON;"))
    return make_error(err->code,
                      "failed to open memory database: " + err->message + ", path=" + path.string(),
                      err->hint);
  if (auto err = memory_schema::migrate(*conn, path.string())) return *err;
  return memory_db(std::move(*conn), std::move(counter), options);
}

int memory_db::latest_schema_version() {
  return memory_schema::latest_version();
}

// -- single entries ----------------------------------------------------------

std::optional<error> memory_db::validate(const memory_entry& e) const {
  if (!e.id.empty() && !is_uuid(e.id))
    return make_error(error_code::invalid_argument, "invalid memory entry id `" + e.id + "`",
                      "ids are UUIDs such as 1b4e28ba-2fa1-41d2-883f-0016d3cca427");
  if (std::string_view(to_string(e.type)) == "unknown")
    return make_error(error_code::invalid_argument, "unknown memory type",
                      "use one of conversation, decision, context, summary, checkpoint, artifact");
  if (e.priority < priority_level::min || e.priority > priority_level::max)
    return make_error(error_code::invalid_argument,
                      "invalid priority " + std::to_string(e.priority),
                      "use a number from 0 to 100 or one of EPHEMERAL, LOW, NORMAL, HIGH, "
                      "CRITICAL, PERMANENT");
  if (e.content.size() > options_.max_content_bytes)
    return make_error(error_code::invalid_argument,
                      "memory entry content is too large: " + std::to_string(e.content.size()) +
                          " bytes, limit " + std::to_string(options_.max_content_bytes) + " bytes",
                      "split the content into several entries or raise memory.max_content_bytes");
  if (auto err = check_text(e.content, "memory entry content")) return err;
  if (auto err = check_text(e.session_id, "session id")) return err;
  if (auto err = check_text(e.task_id, "task id")) return err;
  for (const auto& t : e.tags)
    if (auto err = check_text(t, "tag")) return err;
  if (!e.metadata.is_object())
    return make_error(error_code::invalid_argument, "memory entry metadata is not a json object",
                      "pass metadata as an object such as {\"source\": \"chat\"}");
  for (const auto* ts : {&e.created_at, &e.updated_at})
    if (!ts->empty() && !is_timestamp(*ts))
      return make_error(error_code::invalid_argument, "invalid timestamp `" + *ts + "`",
                        "use ISO 8601 UTC with milliseconds, e.g. 2024-05-01T12:34:56.789Z");
  return std::nullopt;
}

std::optional<error> memory_db::write_row(const memory_entry& e, bool replace) {
  std::string sql = "INSERT INTO memory_entries (id, type, priority, content, tokens, "
                    "session_id, task_id, tags, metadata, created_at, updated_at, "
                    "is_summarized, summary_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
  // An upsert updates the row in place, so its `seq` (insertion order, FTS rowid) is kept.
  if (replace)
    sql += " ON CONFLICT (id) DO UPDATE SET type = excluded.type, priority = excluded.priority, "
           "content = excluded.content, tokens = excluded.tokens, "
           "session_id = excluded.session_id, task_id = excluded.task_id, tags = excluded.tags, "
           "metadata = excluded.metadata, created_at = excluded.created_at, "
           "updated_at = excluded.updated_at, is_summarized = excluded.is_summarized, "
           "summary_of = excluded.summary_of";
  auto st = db_.prepare(sql);
  if (!st) return st.err();
  st->bind(1, e.id)
      .bind(2, std::string_view(to_string(e.type)))
      .bind(3, int64_t{e.priority})
      .bind(4, e.content)
      .bind(5, e.tokens)
      .bind(6, e.session_id)
      .bind(7, e.task_id)
      .bind(8, dump(e.tags))
      .bind(9, dump(e.metadata))
      .bind(10, e.created_at)
      .bind(11, e.updated_at)
      .bind(12, int64_t{e.is_summarized ? 1 : 0})
      .bind(13, dump(e.summary_of));
  return st->run();
}

result<std::optional<memory_entry>> memory_db::find(const std::string& id) {
  auto st =
      db_.prepare(std::string("SELECT ") + entry_columns + " FROM memory_entries m WHERE m.id = ?");
  if (!st) return st.err();
  auto row = st->bind(1, id).step();
  if (!row) return row.err();
  if (!*row) return std::optional<memory_entry>{};
  auto e = read_entry(*st, 0);
  if (!e) return e.err();
  return std::optional<memory_entry>{std::move(*e)};
}

std::optional<error> memory_db::prepare_new(memory_entry& e) const {
  if (e.id.empty()) e.id = new_uuid();
  if (e.metadata.is_null()) e.metadata = json::object();
  if (auto err = validate(e)) return err;
  if (e.created_at.empty()) e.created_at = now_timestamp();
  if (e.updated_at.empty()) e.updated_at = e.created_at;
  e.tokens = static_cast<int64_t>(counter_.count(e.content));
  return std::nullopt;
}

result<std::vector<std::string>> memory_db::stored_ids(const std::vector<std::string>& ids) {
  // One statement for any number of ids: they travel as one JSON array.
  auto st =
      db_.prepare("SELECT id FROM memory_entries WHERE id IN (SELECT value FROM json_each(?))");
  if (!st) return st.err();
  st->bind(1, dump(ids));
  std::vector<std::string> found;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    found.push_back(st->column_text(0));
  }
  return found;
}

result<memory_entry> memory_db::add(memory_entry e) {
  if (auto err = prepare_new(e)) return *err;
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  auto present = stored_ids({e.id});
  if (!present) return present.err();
  if (!present->empty()) return already_exists(e.id);
  if (auto err = insert(e)) return *err;
  if (auto err = tx->commit()) return *err;
  return e;
}

result<std::vector<memory_entry>> memory_db::add_batch(std::vector<memory_entry> entries) {
  if (entries.empty()) return entries;
  rejections bad{"entry", "entries", {}};
  std::map<std::string, size_t> index_of; // id -> first entry with it
  for (size_t i = 0; i < entries.size(); ++i) {
    if (auto err = prepare_new(entries[i])) {
      bad.add(i, err->message);
      continue;
    }
    auto [first, fresh] = index_of.emplace(entries[i].id, i);
    if (!fresh)
      bad.add(i,
              "id " + entries[i].id + " is also given by entry " + std::to_string(first->second));
  }
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  std::vector<std::string> ids;
  for (const auto& [id, i] : index_of)
    ids.push_back(id);
  auto present = stored_ids(ids);
  if (!present) return present.err();
  for (const auto& id : *present)
    bad.add(index_of.at(id), already_exists(id).message);
  if (!bad.empty())
    return bad.to_error(error_code::invalid_argument, "add memory entries",
                        "nothing was added; fix these entries (counted from 0) and add them again");
  for (const auto& e : entries)
    if (auto err = insert(e)) return *err;
  if (auto err = tx->commit()) return *err;
  return entries;
}

result<memory_entry> memory_db::get(const std::string& id) {
  auto found = find(id);
  if (!found) return found.err();
  if (!*found) return not_found(id);
  return std::move(**found);
}

result<memory_entry> memory_db::update(const std::string& id, const memory_update& change) {
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  auto found = find(id);
  if (!found) return found.err();
  if (!*found) return not_found(id);
  memory_entry e = std::move(**found);
  if (change.content) e.content = *change.content;
  if (change.priority) e.priority = *change.priority;
  if (change.tags) e.tags = *change.tags;
  if (change.type) e.type = *change.type;
  if (change.is_summarized) e.is_summarized = *change.is_summarized;
  if (change.metadata) {
    if (!change.metadata->is_object())
      return make_error(error_code::invalid_argument, "metadata patch is not a json object",
                        "pass an object; a key set to null is removed");
    e.metadata.merge_patch(*change.metadata);
  }
  if (auto err = validate(e)) return *err;
  e.tokens = static_cast<int64_t>(counter_.count(e.content));
  e.updated_at = std::max(now_timestamp(), e.updated_at);
  auto st = db_.prepare("UPDATE memory_entries SET type = ?, priority = ?, content = ?, "
                        "tokens = ?, tags = ?, metadata = ?, updated_at = ?, is_summarized = ? "
                        "WHERE id = ?");
  if (!st) return st.err();
  st->bind(1, std::string_view(to_string(e.type)))
      .bind(2, int64_t{e.priority})
      .bind(3, e.content)
      .bind(4, e.tokens)
      .bind(5, dump(e.tags))
      .bind(6, dump(e.metadata))
      .bind(7, e.updated_at)
      .bind(8, int64_t{e.is_summarized ? 1 : 0})
      .bind(9, id);
  if (auto err = st->run()) return *err;
  if (auto err = tx->commit()) return *err;
  return e;
}

std::optional<error> memory_db::remove(const std::string& id) {
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  auto st = db_.prepare("DELETE FROM memory_entries WHERE id = ?");
  if (!st) return st.err();
  if (auto err = st->bind(1, id).run()) return err;
  if (db_.changes() == 0) return not_found(id);
  return tx->commit();
}

// -- many entries ------------------------------------------------------------

result<memory_page> memory_db::query(const memory_query& q) {
  if (auto err = check_text(q.text, "search text")) return *err;
  std::string key = order_column(q.order_by);
  std::string sql =
      "SELECT m.seq, " + key + ", " + entry_columns + " FROM memory_entries m WHERE 1 = 1";
  std::vector<sqlite::value> params;
  if (q.session_id) {
    sql += " AND m.session_id = ?";
    params.emplace_back(*q.session_id);
  }
  if (q.type) {
    sql += " AND m.type = ?";
    params.emplace_back(std::string(to_string(*q.type)));
  }
  // `+` keeps SQLite from using the priority index here: a range over a handful of levels
  // matches a large share of the entries, and sorting all of them took ~40 ms at 100,000
  // entries, where walking the ordered index until the page is full takes ~1 ms.
  if (q.min_priority) {
    sql += " AND +m.priority >= ?";
    params.emplace_back(int64_t{*q.min_priority});
  }
  if (q.max_priority) {
    sql += " AND +m.priority <= ?";
    params.emplace_back(int64_t{*q.max_priority});
  }
  if (q.is_summarized) {
    sql += " AND m.is_summarized = ?";
    params.emplace_back(int64_t{*q.is_summarized ? 1 : 0});
  }
  if (!q.tags_any.empty()) {
    sql += " AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value IN (";
    for (size_t i = 0; i < q.tags_any.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(q.tags_any[i]);
    }
    sql += "))";
  }
  for (const auto& tag : q.tags_all) {
    sql += " AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)";
    params.emplace_back(tag);
  }
  if (auto match = fts_match_expression(q.text); !match.empty()) {
    // Left to itself SQLite fetches and sorts every matching row, which for a common word took
    // ~60 ms at 100,000 entries. When the text matches many entries, `+` makes it walk the
    // index of the order instead, checking each entry against the match set (rowids only, read
    // once) until the page is full (see `dense_text_matches`). Not with a session, whose own
    // index already gives its rows in order, nor with a type, where SQLite would scan the type
    // index and sort, which is no faster.
    bool walk = false;
    if (!q.session_id && !q.type) {
      auto many = matches_at_least(db_, match, dense_text_matches);
      if (!many) return many.err();
      walk = *many;
    }
    sql += walk ? " AND +m.seq IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?)"
                : " AND m.seq IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH ?)";
    params.emplace_back(std::move(match));
  }
  const char* dir = q.descending ? " DESC" : " ASC";
  if (!q.cursor.empty()) {
    auto pos = parse_cursor(q);
    if (!pos) return pos.err();
    sql += " AND (" + key + ", m.seq) " + (q.descending ? "<" : ">") + " (?, ?)";
    params.push_back(std::move(pos->key));
    params.emplace_back(pos->seq);
  }
  sql += " ORDER BY " + key + dir + ", m.seq" + dir;
  if (q.limit > 0) {
    sql += " LIMIT ?";
    params.emplace_back(static_cast<int64_t>(q.limit) + 1);
  }
  auto st = db_.prepare(sql);
  if (!st) return st.err();
  for (size_t i = 0; i < params.size(); ++i)
    st->bind_value(static_cast<int>(i + 1), params[i]);
  memory_page page;
  std::string last_cursor;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    if (q.limit > 0 && page.entries.size() == q.limit) { // one row more than asked: more pages
      page.next_cursor = std::move(last_cursor);
      break;
    }
    auto e = read_entry(*st, 2);
    if (!e) return e.err();
    page.entries.push_back(std::move(*e));
    last_cursor =
        cursor_prefix(q) + ":" + std::to_string(st->column_int(0)) + ":" + st->column_text(1);
  }
  return page;
}

result<std::vector<std::string>> memory_db::prune(const prune_filter& f) {
  if (!f.max_priority && !f.older_than && !f.session_id)
    return make_error(error_code::invalid_argument, "prune needs at least one criterion",
                      "give a maximum priority, an age or a session");
  std::string sql = "DELETE FROM memory_entries WHERE priority < ?";
  std::vector<sqlite::value> params{int64_t{priority_level::permanent}};
  if (f.max_priority) {
    sql += " AND priority <= ?";
    params.emplace_back(int64_t{*f.max_priority});
  }
  if (f.older_than) {
    sql += " AND created_at < ?";
    params.emplace_back(format_timestamp(*f.older_than));
  }
  if (f.session_id) {
    sql += " AND session_id = ?";
    params.emplace_back(*f.session_id);
  }
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  auto ids = delete_returning_ids(sql, params);
  if (!ids) return ids.err();
  if (auto err = tx->commit()) return *err;
  return ids;
}

result<std::vector<std::string>>
memory_db::delete_returning_ids(const std::string& sql, const std::vector<sqlite::value>& params) {
  auto st = db_.prepare(sql + " RETURNING id");
  if (!st) return st.err();
  for (size_t i = 0; i < params.size(); ++i)
    st->bind_value(static_cast<int>(i + 1), params[i]);
  std::vector<std::string> ids;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    ids.push_back(st->column_text(0));
  }
  return ids;
}

result<int64_t> memory_db::usage(const std::string& session_id) {
  auto st = db_.prepare("SELECT coalesce(sum(tokens), 0) FROM memory_entries "
                        "WHERE session_id = ? AND is_summarized = 0");
  if (!st) return st.err();
  auto row = st->bind(1, session_id).step();
  if (!row) return row.err();
  return st->column_int(0);
}

// -- export and import -------------------------------------------------------

result<size_t> memory_db::export_jsonl(std::ostream& out,
                                       const std::optional<std::string>& session_id) {
  std::string sql = std::string("SELECT ") + entry_columns + " FROM memory_entries m";
  if (session_id) sql += " WHERE m.session_id = ?";
  sql += " ORDER BY m.seq";
  auto st = db_.prepare(sql);
  if (!st) return st.err();
  if (session_id) st->bind(1, *session_id);
  size_t count = 0;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    auto e = read_entry(*st, 0);
    if (!e) return e.err();
    out << dump(to_json(*e)) << '\n';
    ++count;
  }
  if (!out)
    return make_error(error_code::io, "failed to write memory export",
                      "check the disk space of the destination");
  return count;
}

result<import_report> memory_db::import_jsonl(std::istream& in) {
  std::vector<memory_entry> entries;
  rejections bad{"line", "lines", {}};
  auto reject = [&](size_t line, const std::string& why) { bad.add(line, why); };
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = parse_json(text, "line");
    if (!j) {
      reject(line, j.err().problem == json_problem::syntax ? "not valid json" : j.err().message);
      continue;
    }
    auto e = memory_entry_from_json(*j);
    if (!e) {
      reject(line, e.err().message);
      continue;
    }
    if (e->id.empty()) {
      reject(line, "missing id");
      continue;
    }
    // Sessions are made by sage with UUID ids; the CLI, REST and MCP refuse any other the same
    // way.
    if (!e->session_id.empty())
      if (auto err = check_uuid(e->session_id, "session id", "")) {
        reject(line, err->message);
        continue;
      }
    if (auto err = prepare_new(*e)) {
      reject(line, err->message);
      continue;
    }
    entries.push_back(std::move(*e));
  }
  if (!bad.empty())
    return bad.to_error(error_code::parse, "import memory entries",
                        "nothing was imported; fix these lines and import again");
  auto tx = sqlite::transaction::begin(db_);
  if (!tx) return tx.err();
  import_report report;
  for (const auto& e : entries) {
    auto existing = find(e.id);
    if (!existing) return existing.err();
    if (*existing) {
      ++report.skipped;
      continue;
    }
    if (auto err = insert(e)) return *err;
    ++report.imported;
  }
  if (auto err = tx->commit()) return *err;
  return report;
}

} // namespace sage::core
