// Token reservations in the memory database.
// SPDX-License-Identifier: MIT
#include "core/reservation_store.hpp"

#include "core/timestamp.hpp"
#include "core/uuid.hpp"

namespace sage::core {

namespace {

constexpr const char* reservation_columns =
    "id, session_id, tokens, status, created_at, expires_at";

error reservation_not_found(const std::string& id) {
  return make_error(error_code::not_found, "reservation not found, id=" + id,
                    "it may have been purged after it expired; reserve the tokens again");
}

error corrupt(const char* what, const std::string& id) {
  return make_error(error_code::parse, std::string("failed to read ") + what + ", id=" + id,
                    "the memory database was changed outside sage");
}

result<reservation_status> parse_reservation_status(const std::string& text) {
  if (text == "held") return reservation_status::held;
  if (text == "committed") return reservation_status::committed;
  if (text == "released") return reservation_status::released;
  return make_error(error_code::parse, "unknown reservation status `" + text + "`",
                    "valid statuses are held, committed and released");
}

result<reservation> read_reservation(const sqlite::statement& st) {
  reservation r;
  r.id = st.column_text(0);
  r.session_id = st.column_text(1);
  r.tokens = st.column_int(2);
  auto status = parse_reservation_status(st.column_text(3));
  if (!status) return corrupt("reservation status", r.id);
  r.status = *status;
  r.created_at = st.column_text(4);
  r.expires_at = st.column_text(5);
  return r;
}

} // namespace

const char* to_string(reservation_status status) {
  switch (status) {
  case reservation_status::held:
    return "held";
  case reservation_status::committed:
    return "committed";
  case reservation_status::released:
    return "released";
  }
  return "unknown";
}

result<std::string> reservation_store::reserve(const std::string& session_id, int64_t tokens,
                                               std::chrono::milliseconds ttl, time_point now) {
  if (tokens <= 0)
    return make_error(error_code::invalid_argument,
                      "reservation tokens must be positive, tokens=" + std::to_string(tokens),
                      "reserve at least one token");
  if (ttl.count() <= 0)
    return make_error(error_code::invalid_argument,
                      "reservation ttl must be positive, ttl_ms=" + std::to_string(ttl.count()),
                      "set budget.reservation_ttl to a positive duration");
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  auto exists = db_.connection().prepare("SELECT 1 FROM sessions WHERE id = ?");
  if (!exists) return exists.err();
  auto row = exists->bind(1, session_id).step();
  if (!row) return row.err();
  if (!*row)
    return make_error(error_code::not_found, "session not found, id=" + session_id,
                      "start a session first; `sage session status` lists them");
  auto id = new_uuid();
  auto st = db_.connection().prepare("INSERT INTO reservations (id, session_id, tokens, status, "
                                     "created_at, expires_at) VALUES (?, ?, ?, 'held', ?, ?)");
  if (!st) return st.err();
  st->bind(1, id)
      .bind(2, session_id)
      .bind(3, tokens)
      .bind(4, format_timestamp(now))
      .bind(5, format_timestamp(now + ttl));
  if (auto err = st->run()) return *err;
  if (auto err = tx->commit()) return *err;
  return id;
}

result<reservation> reservation_store::get_reservation(const std::string& id) {
  auto st = db_.connection().prepare(std::string("SELECT ") + reservation_columns +
                                     " FROM reservations WHERE id = ?");
  if (!st) return st.err();
  auto row = st->bind(1, id).step();
  if (!row) return row.err();
  if (!*row) return reservation_not_found(id);
  return read_reservation(*st);
}

std::optional<error> reservation_store::commit(const std::string& id, time_point now) {
  return settle(id, reservation_status::committed, now);
}

std::optional<error> reservation_store::release(const std::string& id) {
  return settle(id, reservation_status::released, std::nullopt);
}

std::optional<error> reservation_store::settle(const std::string& id, reservation_status to,
                                               std::optional<time_point> expires_check) {
  const bool committing = to == reservation_status::committed;
  const std::string verb = committing ? "commit" : "release";
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  auto r = get_reservation(id);
  if (!r) return r.err();
  if (r->status != reservation_status::held)
    return make_error(
        error_code::invalid_argument,
        "failed to " + verb + " reservation: it is already " + to_string(r->status) + ", id=" + id,
        committing ? "reserve the tokens again" : "only held reservations can be released");
  // Released tokens were never used, so an expired reservation may still be released.
  if (expires_check && r->expires_at <= format_timestamp(*expires_check))
    return make_error(error_code::timed_out,
                      "failed to " + verb + " reservation: it expired, id=" + id +
                          ", expires_at=" + r->expires_at,
                      "reserve the tokens again with a longer ttl (budget.reservation_ttl)");
  auto st = db_.connection().prepare("UPDATE reservations SET status = ? WHERE id = ?");
  if (!st) return st.err();
  if (auto err = st->bind(1, std::string(to_string(to))).bind(2, id).run()) return err;
  return tx->commit();
}

result<int64_t> reservation_store::reserved_tokens(const std::string& session_id, time_point now) {
  auto st = db_.connection().prepare("SELECT coalesce(sum(tokens), 0) FROM reservations "
                                     "WHERE session_id = ? AND status = 'held' AND expires_at > ?");
  if (!st) return st.err();
  auto row = st->bind(1, session_id).bind(2, format_timestamp(now)).step();
  if (!row) return row.err();
  return st->column_int(0);
}

result<int64_t> reservation_store::purge_expired(time_point now) {
  auto tx = sqlite::transaction::begin(db_.connection());
  if (!tx) return tx.err();
  auto st = db_.connection().prepare(
      "DELETE FROM reservations WHERE status = 'held' AND expires_at <= ?");
  if (!st) return st.err();
  if (auto err = st->bind(1, format_timestamp(now)).run()) return *err;
  int64_t removed = db_.connection().changes();
  if (auto err = tx->commit()) return *err;
  return removed;
}

} // namespace sage::core
