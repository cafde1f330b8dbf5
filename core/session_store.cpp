// Sessions and checkpoints, kept in the memory database.
// SPDX-License-Identifier: MIT
#include "core/session_store.hpp"

#include "core/json_parse.hpp"
#include "core/session_limits.hpp"
#include "core/timestamp.hpp"
#include "core/utf8_repair.hpp"
#include "core/uuid.hpp"

#include <algorithm>
#include <set>

namespace sage::core {

namespace {

using nlohmann::json;

/// Session columns in the order `read_session` expects.
constexpr const char* session_columns =
    "id, task_id, objective, status, steps, last_action, last_result, resumed_from, created_at, "
    "updated_at, ended_at";

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

sqlite::value nullable(const std::string& text) {
  if (text.empty()) return nullptr;
  return text;
}

/// A timestamp for a change: now, but never before the last change.
std::string bump(const std::string& previous) {
  return std::max(now_timestamp(), previous);
}

error session_not_found(const std::string& id) {
  return make_error(error_code::not_found, "session not found, id=" + id,
                    "run `sage session status` to list sessions");
}

error checkpoint_not_found(const std::string& id) {
  return make_error(error_code::not_found, "checkpoint not found, id=" + id,
                    "run `sage session status` to list the checkpoints of a session");
}

error corrupt(const char* what, const std::string& id) {
  return make_error(error_code::parse, std::string("failed to read ") + what + ", id=" + id,
                    "the memory database was changed outside sage");
}

std::optional<error> check_text(const std::string& text, const char* what) {
  if (is_valid_utf8(text)) return std::nullopt;
  return make_error(error_code::invalid_argument, std::string(what) + " is not valid UTF-8",
                    "send text encoded as UTF-8");
}

/// A text over its limit: refused with its size and the limit, the way memory content is.
std::optional<error> check_size(const std::string& text, const char* what, std::size_t limit) {
  if (text.size() <= limit) return std::nullopt;
  return make_error(error_code::invalid_argument,
                    std::string(what) + " is too long: " + std::to_string(text.size()) +
                        " bytes, the limit is " + std::to_string(limit) + " bytes",
                    "keep session fields short; put long text into a memory entry");
}

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::optional<error> check_step(const std::string& text) {
  if (blank(text))
    return make_error(error_code::invalid_argument, "session step is empty",
                      "describe each step in a few words");
  if (auto err = check_size(text, "session step", session_limits::max_step_bytes)) return err;
  return check_text(text, "session step");
}

std::optional<error> check_step_count(std::size_t count) {
  if (count <= session_limits::max_steps) return std::nullopt;
  return make_error(error_code::invalid_argument,
                    "too many session steps: " + std::to_string(count) + ", the limit is " +
                        std::to_string(session_limits::max_steps),
                    "plan in larger steps, or end this session and start another for the rest");
}

result<session_status> parse_session_status(const std::string& text) {
  if (text == "active") return session_status::active;
  if (text == "ended") return session_status::ended;
  return make_error(error_code::parse, "unknown session status `" + text + "`",
                    "valid statuses are active and ended");
}

json steps_to_json(const std::vector<session_step>& steps) {
  json out = json::array();
  for (const auto& s : steps)
    out.push_back({{"text", s.text},
                   {"done", s.done},
                   {"done_at", s.done_at.empty() ? json(nullptr) : json(s.done_at)}});
  return out;
}

result<std::vector<session_step>> steps_from_json(const json& j) {
  auto bad = make_error(error_code::parse, "invalid session steps",
                        "steps are a json array of {text, done, done_at}");
  if (!j.is_array()) return bad;
  std::vector<session_step> out;
  for (const auto& item : j) {
    if (!item.is_object()) return bad;
    session_step s;
    auto text = item.find("text");
    if (text == item.end() || !text->is_string()) return bad;
    s.text = text->get<std::string>();
    if (auto d = item.find("done"); d != item.end()) {
      if (!d->is_boolean()) return bad;
      s.done = d->get<bool>();
    }
    if (auto d = item.find("done_at"); d != item.end() && !d->is_null()) {
      if (!d->is_string()) return bad;
      s.done_at = d->get<std::string>();
    }
    out.push_back(std::move(s));
  }
  return out;
}

result<session> read_session(const sqlite::statement& st) {
  session s;
  s.id = st.column_text(0);
  s.task_id = st.column_text(1);
  s.objective = st.column_text(2);
  auto status = parse_session_status(st.column_text(3));
  if (!status) return corrupt("session status", s.id);
  s.status = *status;
  auto steps = steps_from_json(parse_stored_json(st.column_text(4)));
  if (!steps) return corrupt("session steps", s.id);
  s.steps = std::move(*steps);
  s.last_action = st.column_text(5);
  s.last_result = st.column_text(6);
  s.resumed_from = st.column_text(7);
  s.created_at = st.column_text(8);
  s.updated_at = st.column_text(9);
  s.ended_at = st.column_text(10);
  return s;
}

/// All entries of a session in insertion order (created, then insertion as tie-break).
result<std::vector<memory_entry>> session_entries(memory_db& db, const std::string& session_id) {
  memory_query q;
  q.session_id = session_id;
  q.order_by = memory_order::created;
  q.descending = false;
  q.limit = 0;
  auto page = db.query(q);
  if (!page) return page.err();
  return std::move(page->entries);
}

} // namespace

// -- names and json ----------------------------------------------------------

const char* to_string(session_status status) {
  switch (status) {
  case session_status::active:
    return "active";
  case session_status::ended:
    return "ended";
  }
  return "unknown";
}

json to_json(const session& s) {
  return {{"id", s.id},
          {"task_id", s.task_id},
          {"objective", s.objective},
          {"status", to_string(s.status)},
          {"steps", steps_to_json(s.steps)},
          {"last_action", s.last_action},
          {"last_result", s.last_result},
          {"resumed_from", s.resumed_from},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at},
          {"ended_at", s.ended_at}};
}

result<session> session_from_json(const json& j) {
  if (!j.is_object())
    return make_error(error_code::parse, "invalid session state: not a json object",
                      "the checkpoint was changed outside sage");
  session s;
  for (auto [key, field] :
       {std::pair{"id", &s.id}, std::pair{"task_id", &s.task_id},
        std::pair{"objective", &s.objective}, std::pair{"last_action", &s.last_action},
        std::pair{"last_result", &s.last_result}, std::pair{"resumed_from", &s.resumed_from},
        std::pair{"created_at", &s.created_at}, std::pair{"updated_at", &s.updated_at},
        std::pair{"ended_at", &s.ended_at}}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string())
      return make_error(error_code::parse, std::string("invalid session state: ") + key,
                        "the checkpoint was changed outside sage");
    *field = it->get<std::string>();
  }
  auto status = parse_session_status(j.value("status", std::string("active")));
  if (!status) return status.err();
  s.status = *status;
  if (auto it = j.find("steps"); it != j.end()) {
    auto steps = steps_from_json(*it);
    if (!steps) return steps.err();
    s.steps = std::move(*steps);
  }
  return s;
}

// -- sessions ----------------------------------------------------------------

result<std::optional<session>> session_store::find(const std::string& id) {
  auto st = db_.connection().prepare(std::string("SELECT ") + session_columns +
                                     " FROM sessions WHERE id = ?");
  if (!st) return st.err();
  auto row = st->bind(1, id).step();
  if (!row) return row.err();
  if (!*row) return std::optional<session>{};
  auto s = read_session(*st);
  if (!s) return s.err();
  return std::optional<session>{std::move(*s)};
}

result<session> session_store::require_active(const std::string& id) {
  auto found = find(id);
  if (!found) return found.err();
  if (!*found) return session_not_found(id);
  if ((*found)->status != session_status::active)
    return make_error(error_code::invalid_argument, "session has ended, id=" + id,
                      "start a new session or restore a checkpoint of this one");
  return std::move(**found);
}

std::optional<error> session_store::write(const session& s) {
  auto st = db_.connection().prepare(
      "INSERT INTO sessions (id, task_id, objective, status, steps, last_action, last_result, "
      "resumed_from, created_at, updated_at, ended_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT (id) DO UPDATE SET task_id = excluded.task_id, objective = excluded.objective, "
      "status = excluded.status, steps = excluded.steps, last_action = excluded.last_action, "
      "last_result = excluded.last_result, resumed_from = excluded.resumed_from, "
      "created_at = excluded.created_at, updated_at = excluded.updated_at, "
      "ended_at = excluded.ended_at");
  if (!st) return st.err();
  st->bind(1, s.id)
      .bind(2, s.task_id)
      .bind(3, s.objective)
      .bind(4, std::string_view(to_string(s.status)))
      .bind(5, dump(steps_to_json(s.steps)))
      .bind(6, s.last_action)
      .bind(7, s.last_result)
      .bind_value(8, nullable(s.resumed_from))
      .bind(9, s.created_at)
      .bind(10, s.updated_at)
      .bind_value(11, nullable(s.ended_at));
  return st->run();
}

result<session> session_store::start(const std::string& objective,
                                     const std::vector<std::string>& steps,
                                     const std::string& task_id) {
  if (blank(objective))
    return make_error(error_code::invalid_argument, "session objective is empty",
                      "say in one sentence what the session is meant to achieve");
  if (auto err = check_size(objective, "session objective", session_limits::max_objective_bytes))
    return *err;
  if (auto err = check_text(objective, "session objective")) return *err;
  if (auto err = check_size(task_id, "task id", session_limits::max_task_id_bytes)) return *err;
  if (auto err = check_text(task_id, "task id")) return *err;
  if (auto err = check_step_count(steps.size())) return *err;
  session s;
  s.id = new_uuid();
  s.task_id = task_id;
  s.objective = objective;
  for (const auto& text : steps) {
    if (auto err = check_step(text)) return *err;
    s.steps.push_back(session_step{text, false, {}});
  }
  s.created_at = now_timestamp();
  s.updated_at = s.created_at;
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  if (auto err = write(s)) return *err;
  if (auto err = tx->commit()) return *err;
  return s;
}

result<session> session_store::get(const std::string& id) {
  auto found = find(id);
  if (!found) return found.err();
  if (!*found) return session_not_found(id);
  return std::move(**found);
}

result<session> session_store::update(const std::string& id, const session_change& change) {
  for (const auto* text :
       {&change.last_action, &change.last_result, &change.decision, &change.context}) {
    if (*text)
      if (auto err = check_text(**text, "session update")) return *err;
  }
  // A decision and a context become memory entries, bounded by memory.max_content_bytes.
  if (change.last_action)
    if (auto err =
            check_size(*change.last_action, "last action", session_limits::max_progress_bytes))
      return *err;
  if (change.last_result)
    if (auto err =
            check_size(*change.last_result, "last result", session_limits::max_progress_bytes))
      return *err;
  if (change.decision && blank(*change.decision))
    return make_error(error_code::invalid_argument, "decision is empty",
                      "state the decision and its reason");
  if (change.context && blank(*change.context))
    return make_error(error_code::invalid_argument, "context is empty",
                      "give the context to remember");
  auto current = require_active(id);
  if (!current) return current.err();
  session s = std::move(*current);
  auto now = bump(s.updated_at);
  auto complete = [&](size_t index) {
    if (!s.steps[index].done) {
      s.steps[index].done = true;
      s.steps[index].done_at = now;
    }
  };
  if (change.complete_step) {
    if (*change.complete_step >= s.steps.size())
      return make_error(error_code::invalid_argument,
                        "step index out of range: " + std::to_string(*change.complete_step) +
                            ", steps=" + std::to_string(s.steps.size()),
                        "steps are numbered from 0; run `sage session status` to see them");
    complete(*change.complete_step);
  }
  if (change.complete_step_text) {
    auto it = std::find_if(s.steps.begin(), s.steps.end(), [&](const session_step& step) {
      return step.text == *change.complete_step_text;
    });
    if (it == s.steps.end())
      return make_error(error_code::not_found,
                        "step not found in session plan: `" + *change.complete_step_text + "`",
                        "give the exact text of a step or its index, or add the step first");
    complete(static_cast<size_t>(it - s.steps.begin()));
  }
  if (change.last_action) s.last_action = *change.last_action;
  if (change.last_result) s.last_result = *change.last_result;
  // The entries go through the memory store, which validates and counts them; they are added
  // before the session row so that a rejected entry leaves the session unchanged.
  for (auto [text, type] : {std::pair{&change.decision, memory_type::decision},
                            std::pair{&change.context, memory_type::context}}) {
    if (!*text) continue;
    memory_entry e;
    e.type = type;
    e.content = **text;
    e.session_id = s.id;
    e.task_id = s.task_id;
    if (type == memory_type::decision) e.priority = priority_level::high;
    auto added = db_.add(std::move(e));
    if (!added) return added.err();
  }
  s.updated_at = now;
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  if (auto err = write(s)) return *err;
  if (auto err = tx->commit()) return *err;
  return s;
}

result<session> session_store::add_step(const std::string& id, const std::string& text) {
  if (auto err = check_step(text)) return *err;
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  auto current = require_active(id);
  if (!current) return current.err();
  session s = std::move(*current);
  if (auto err = check_step_count(s.steps.size() + 1)) return *err;
  s.steps.push_back(session_step{text, false, {}});
  s.updated_at = bump(s.updated_at);
  if (auto err = write(s)) return *err;
  if (auto err = tx->commit()) return *err;
  return s;
}

result<session> session_store::end(const std::string& id) {
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  auto current = require_active(id);
  if (!current) return current.err();
  session s = std::move(*current);
  s.status = session_status::ended;
  s.updated_at = bump(s.updated_at);
  s.ended_at = s.updated_at;
  if (auto err = write(s)) return *err;
  if (auto err = tx->commit()) return *err;
  return s;
}

result<std::vector<session>> session_store::list(std::optional<session_status> status) {
  auto page = list_page(status, {}, 0);
  if (!page) return page.err();
  return std::move(page->sessions);
}

result<session_page> session_store::list_page(std::optional<session_status> status,
                                              const std::string& cursor, std::size_t limit) {
  // Keyset paging on the order itself (created_at DESC, id): a page stays right while
  // sessions are started, unlike an offset.
  std::string sql = std::string("SELECT ") + session_columns + " FROM sessions WHERE 1 = 1";
  if (status) sql += " AND status = ?1";
  std::optional<session> after;
  if (!cursor.empty()) {
    auto bad_cursor = make_error(
        error_code::invalid_argument,
        "unknown session cursor `" + (is_uuid(cursor) ? cursor : std::string("(not an id)")) + "`",
        "pass the next_cursor of the previous page, or none for the first");
    if (!is_uuid(cursor)) return bad_cursor;
    auto found = find(cursor);
    if (!found) return found.err();
    if (!*found) return bad_cursor;
    after = std::move(**found);
    sql += " AND (created_at < ?2 OR (created_at = ?2 AND id > ?3))";
  }
  sql += " ORDER BY created_at DESC, id";
  if (limit > 0) sql += " LIMIT ?4";
  auto st = db_.connection().prepare(sql);
  if (!st) return st.err();
  if (status) st->bind(1, std::string_view(to_string(*status)));
  if (after) {
    st->bind(2, after->created_at);
    st->bind(3, after->id);
  }
  // One more than asked, to know whether another page follows.
  if (limit > 0) st->bind(4, static_cast<int64_t>(limit + 1));
  session_page out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    if (limit > 0 && out.sessions.size() == limit) {
      out.next_cursor = out.sessions.back().id;
      break;
    }
    auto s = read_session(*st);
    if (!s) return s.err();
    out.sessions.push_back(std::move(*s));
  }
  return out;
}

// -- checkpoints -------------------------------------------------------------

result<checkpoint> session_store::create_checkpoint(const std::string& session_id,
                                                    const std::string& label) {
  if (auto err = check_size(label, "checkpoint label", session_limits::max_label_bytes))
    return *err;
  if (auto err = check_text(label, "checkpoint label")) return *err;
  // One transaction, so that the session and its entries are read as of one moment.
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  auto found = find(session_id);
  if (!found) return found.err();
  if (!*found) return session_not_found(session_id);
  checkpoint cp;
  cp.id = new_uuid();
  cp.session_id = session_id;
  cp.label = label;
  cp.state = std::move(**found);
  auto entries = session_entries(db_, session_id);
  if (!entries) return entries.err();
  cp.entries = std::move(*entries);
  json list = json::array();
  for (const auto& e : cp.entries) {
    list.push_back(to_json(e));
    if (!e.is_summarized) cp.tokens += e.tokens;
  }
  cp.created_at = now_timestamp();
  auto st = db_.connection().prepare("INSERT INTO checkpoints (id, session_id, label, "
                                     "session_state, entries, tokens, created_at) "
                                     "VALUES (?,?,?,?,?,?,?)");
  if (!st) return st.err();
  st->bind(1, cp.id)
      .bind(2, cp.session_id)
      .bind(3, cp.label)
      .bind(4, dump(to_json(cp.state)))
      .bind(5, dump(list))
      .bind(6, cp.tokens)
      .bind(7, cp.created_at);
  if (auto err = st->run()) return *err;
  if (auto err = tx->commit()) return *err;
  return cp;
}

namespace {

/// Reads a checkpoint from the columns id, session_id, label, session_state, entries, tokens,
/// created_at.
result<checkpoint> read_checkpoint(const sqlite::statement& st) {
  checkpoint cp;
  cp.id = st.column_text(0);
  cp.session_id = st.column_text(1);
  cp.label = st.column_text(2);
  auto state = session_from_json(parse_stored_json(st.column_text(3)));
  if (!state) return corrupt("checkpoint session state", cp.id);
  cp.state = std::move(*state);
  // An array of entries, each as deep as an entry may be.
  auto entries = parse_stored_json(st.column_text(4), max_json_depth + 1);
  if (!entries.is_array()) return corrupt("checkpoint entries", cp.id);
  for (const auto& j : entries) {
    auto e = memory_entry_from_json(j);
    if (!e || e->id.empty()) return corrupt("checkpoint entries", cp.id);
    cp.entries.push_back(std::move(*e));
  }
  cp.tokens = st.column_int(5);
  cp.created_at = st.column_text(6);
  return cp;
}

constexpr const char* checkpoint_columns =
    "id, session_id, label, session_state, entries, tokens, created_at";

} // namespace

result<std::vector<checkpoint>> session_store::list_checkpoints(const std::string& session_id) {
  auto found = find(session_id);
  if (!found) return found.err();
  if (!*found) return session_not_found(session_id);
  auto st = db_.connection().prepare(std::string("SELECT ") + checkpoint_columns +
                                     " FROM checkpoints WHERE session_id = ? "
                                     "ORDER BY created_at, rowid");
  if (!st) return st.err();
  st->bind(1, session_id);
  std::vector<checkpoint> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.err();
    if (!*row) break;
    auto cp = read_checkpoint(*st);
    if (!cp) return cp.err();
    out.push_back(std::move(*cp));
  }
  return out;
}

result<session> session_store::restore(const std::string& checkpoint_id) {
  auto& conn = db_.connection();
  auto tx = sqlite::transaction::begin(conn);
  if (!tx) return tx.err();
  checkpoint cp;
  {
    auto st = conn.prepare(std::string("SELECT ") + checkpoint_columns +
                           " FROM checkpoints WHERE id = ?");
    if (!st) return st.err();
    auto row = st->bind(1, checkpoint_id).step();
    if (!row) return row.err();
    if (!*row) return checkpoint_not_found(checkpoint_id);
    auto read = read_checkpoint(*st);
    if (!read) return read.err();
    cp = std::move(*read);
  }
  std::set<std::string> keep;
  for (const auto& e : cp.entries)
    keep.insert(e.id);
  auto current = session_entries(db_, cp.session_id);
  if (!current) return current.err();
  for (const auto& e : *current) {
    if (keep.count(e.id)) continue;
    auto st = conn.prepare("DELETE FROM memory_entries WHERE id = ?");
    if (!st) return st.err();
    if (auto err = st->bind(1, e.id).run()) return *err;
  }
  for (const auto& e : cp.entries)
    if (auto err = db_.put(e)) return *err;
  if (auto err = write(cp.state)) return *err;
  if (auto err = tx->commit()) return *err;
  return cp.state;
}

} // namespace sage::core
