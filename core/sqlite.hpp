// A thin RAII layer over the SQLite C API: connections, prepared statements, transactions.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

struct sqlite3;
struct sqlite3_stmt;

namespace sage::core::sqlite {

/// A value to bind: NULL, an integer or text. User text is only ever bound, never spliced.
using value = std::variant<std::nullptr_t, int64_t, std::string>;

/// A prepared statement. Bind with 1-based indexes, then `step` or `run`.
class statement {
public:
  statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  statement& bind_value(int index, const value& v);
  statement& bind(int index, std::string_view text);
  statement& bind(int index, int64_t number);

  /// Advances one row: true when a row is ready, false when the statement is done.
  result<bool> step();
  /// Steps until done; for statements without results.
  std::optional<error> run();

  int64_t column_int(int index) const;
  std::string column_text(int index) const;

private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const;
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
  int bind_rc_ = 0; ///< first failed bind, reported by the next step
};

/// How `connection::open` treats the file.
enum class open_mode {
  create,    ///< read and write, creating the file when missing
  existing,  ///< read and write; a missing file is an error instead of a new empty database
  read_only, ///< never writes, so checking a backup leaves it byte for byte as it was
};

/// One connection. Movable, not copyable; use from one thread at a time.
class connection {
public:
  /// Opens the database file at `path` (by default creating it if needed).
  static result<connection> open(const std::string& path, open_mode mode = open_mode::create);

  /// Runs `sql`, which may hold several statements and no parameters.
  std::optional<error> exec(const std::string& sql);
  result<statement> prepare(std::string_view sql);

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;

  /// Copies the whole database `from` into `to` with SQLite's online backup API. The copy is
  /// made in one step, inside one read transaction of `from`: it is one consistent snapshot,
  /// and in WAL mode writers in other connections and processes go on meanwhile (copying page
  /// by page instead would restart whenever another process writes). A busy or locked database
  /// is retried until `wait` has passed.
  friend std::optional<error> copy_database(connection& from, connection& to,
                                            std::chrono::milliseconds wait);

private:
  struct closer {
    void operator()(sqlite3* db) const;
  };
  explicit connection(sqlite3* db) : db_(db) {}
  std::unique_ptr<sqlite3, closer> db_;
};

std::optional<error> copy_database(connection& from, connection& to,
                                   std::chrono::milliseconds wait);

/// A write transaction (BEGIN IMMEDIATE, so a busy database is waited for at the start instead
/// of failing at the first write). Rolled back at scope exit unless committed.
class transaction {
public:
  static result<transaction> begin(connection& db);
  std::optional<error> commit();
  ~transaction();
  transaction(transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  transaction& operator=(transaction&&) = delete;

private:
  explicit transaction(connection* db) : db_(db) {}
  connection* db_;
};

/// An error for SQLite result `rc` while doing `what` ("failed to add memory entry").
error make_sqlite_error(int rc, const std::string& what, const std::string& detail);

} // namespace sage::core::sqlite
