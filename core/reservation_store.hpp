// Token reservations of a session's budget, kept in the memory database: held until committed,
// released or expired.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/memory_db.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sage::core {

/// Where a reservation stands; an expired `held` one counts for nothing.
enum class reservation_status : uint8_t { held, committed, released };

const char* to_string(reservation_status status);

/// Tokens a session's budget holds until committed, released or expired.
struct reservation {
  std::string id; ///< UUID
  std::string session_id;
  int64_t tokens = 0;
  reservation_status status = reservation_status::held;
  std::string created_at;
  std::string expires_at;
};

/// Operations on reservations over one memory database connection. Holds a reference: the
/// database must outlive the store. Like the database, not for use from several threads at once.
class reservation_store {
public:
  using time_point = std::chrono::system_clock::time_point;

  explicit reservation_store(memory_db& db) : db_(db) {}

  /// Holds `tokens` (> 0) for an existing session until `now + ttl` (ttl > 0); returns the
  /// reservation id.
  result<std::string> reserve(const std::string& session_id, int64_t tokens,
                              std::chrono::milliseconds ttl, time_point now = clock_now());

  /// Turns a held reservation into used tokens. An expired, committed or released one is an
  /// error.
  std::optional<error> commit(const std::string& id, time_point now = clock_now());

  /// Gives held tokens back; releasing a committed or released one is an error.
  std::optional<error> release(const std::string& id);

  /// The reservation with `id`; not_found when there is none (or it was purged).
  result<reservation> get_reservation(const std::string& id);

  /// Tokens held for the session by reservations that have not expired at `now`.
  result<int64_t> reserved_tokens(const std::string& session_id, time_point now = clock_now());

  /// Deletes held reservations that have expired at `now`; returns how many.
  result<int64_t> purge_expired(time_point now = clock_now());

private:
  /// Moves a held reservation to `to`; with `expires_check`, one expired at that time fails.
  std::optional<error> settle(const std::string& id, reservation_status to,
                              std::optional<time_point> expires_check);

  static time_point clock_now() { return std::chrono::system_clock::now(); }

  memory_db& db_;
};

} // namespace sage::core
