// A thin RAII layer over the SQLite C API: connections, prepared statements, transactions.
// SPDX-License-Identifier: MIT
#include "core/sqlite.hpp"

#include <sqlite3.h>
#include <thread>

namespace sage::core::sqlite {

error make_sqlite_error(int rc, const std::string& what, const std::string& detail) {
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    return make_error(error_code::timed_out, what + ": database is busy",
                      "another sage process holds the memory database; try again");
  if (primary == SQLITE_CONSTRAINT)
    return make_error(error_code::invalid_argument, what + ": " + detail);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    return make_error(error_code::io, what + ": " + detail,
                      "the memory database is damaged; run `sage verify --database`, then "
                      "`sage restore --backup DIR` from a backup");
  return make_error(error_code::io, what + ": " + detail);
}

// -- statement ---------------------------------------------------------------

void statement::finalizer::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

statement& statement::bind_value(int index, const value& v) {
  if (std::holds_alternative<int64_t>(v)) return bind(index, std::get<int64_t>(v));
  if (std::holds_alternative<std::string>(v)) return bind(index, std::get<std::string>(v));
  int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

statement& statement::bind(int index, int64_t number) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, number);
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
  return *this;
}

result<bool> statement::step() {
  if (bind_rc_ != 0)
    return make_sqlite_error(bind_rc_, "failed to bind query parameter", sqlite3_errstr(bind_rc_));
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_sqlite_error(rc, "failed to run database statement", sqlite3_errmsg(db_));
}

std::optional<error> statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.err();
    if (!*r) return std::nullopt;
  }
}

int64_t statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

std::string statement::column_text(int index) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), index));
  if (!p) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), index)));
}

// -- connection --------------------------------------------------------------

void connection::closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

result<connection> connection::open(const std::string& path, open_mode mode) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
  case open_mode::create:
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    break;
  case open_mode::existing:
    flags |= SQLITE_OPEN_READWRITE;
    break;
  case open_mode::read_only:
    flags |= SQLITE_OPEN_READONLY;
    break;
  }
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  connection conn(raw);
  if (rc != SQLITE_OK)
    return make_sqlite_error(rc, "failed to open memory database " + path,
                             raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  sqlite3_extended_result_codes(raw, 1);
  return conn;
}

std::optional<error> connection::exec(const std::string& sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return std::nullopt;
  std::string detail = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return make_sqlite_error(rc, "failed to run database statement", detail);
}

result<statement> connection::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  statement st(db_.get(), raw);
  if (rc != SQLITE_OK)
    return make_sqlite_error(rc, "failed to prepare database statement", sqlite3_errmsg(db_.get()));
  return st;
}

int64_t connection::changes() const {
  return sqlite3_changes64(db_.get());
}

std::optional<error> copy_database(connection& from, connection& to,
                                   std::chrono::milliseconds wait) {
  auto* backup = sqlite3_backup_init(to.db_.get(), "main", from.db_.get(), "main");
  if (!backup)
    return make_sqlite_error(sqlite3_errcode(to.db_.get()), "failed to start database copy",
                             sqlite3_errmsg(to.db_.get()));
  auto give_up = std::chrono::steady_clock::now() + wait;
  int rc;
  for (;;) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    if (std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // finish reports the error of the failed step, if any; a busy end is reported as such.
  int finished = sqlite3_backup_finish(backup);
  if (rc == SQLITE_DONE && finished == SQLITE_OK) return std::nullopt;
  int code = rc == SQLITE_DONE ? finished : rc;
  return make_sqlite_error(code, "failed to copy database", sqlite3_errstr(code));
}

// -- transaction -------------------------------------------------------------

result<transaction> transaction::begin(connection& db) {
  if (auto err = db.exec("BEGIN IMMEDIATE")) return *err;
  return transaction(&db);
}

std::optional<error> transaction::commit() {
  auto* db = db_;
  db_ = nullptr;
  if (auto err = db->exec("COMMIT")) {
    db->exec("ROLLBACK");
    return err;
  }
  return std::nullopt;
}

transaction::~transaction() {
  if (db_) db_->exec("ROLLBACK");
}

} // namespace sage::core::sqlite
