// Sessions and checkpoints, kept in the memory database.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/error.hpp"
#include "core/memory_db.hpp"
#include "core/memory_types.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sage::core {

// -- sessions -----------------------------------------------------------------

/// Whether a session still takes updates.
enum class session_status : uint8_t { active, ended };

/// `active` or `ended`.
const char* to_string(session_status status);

/// One step of a session's plan.
struct session_step {
  std::string text;
  bool done = false;
  std::string done_at; ///< timestamp when done, else empty

  friend bool operator==(const session_step&, const session_step&) = default;
};

/// A working session: its objective, plan and last step, as `sage session` shows it.
struct session {
  std::string id; ///< UUID
  std::string task_id;
  std::string objective;
  session_status status = session_status::active;
  std::vector<session_step> steps;
  std::string last_action;
  std::string last_result;
  std::string resumed_from; ///< checkpoint id when started from one, else empty
  std::string created_at;
  std::string updated_at;
  std::string ended_at; ///< empty while active

  friend bool operator==(const session&, const session&) = default;
};

/// The JSON object of a session, as stored in a checkpoint.
nlohmann::json to_json(const session& s);

/// Reads a session from its JSON object without throwing.
result<session> session_from_json(const nlohmann::json& j);

/// What `update` changes; unset members stay as they are.
struct session_change {
  std::optional<size_t> complete_step;           ///< 0-based index of a step now done
  std::optional<std::string> complete_step_text; ///< text of a step now done (exact match)
  std::optional<std::string> last_action;
  std::optional<std::string> last_result;
  std::optional<std::string> decision; ///< recorded as a `decision` memory entry
  std::optional<std::string> context;  ///< recorded as a `context` memory entry
};

/// One page of sessions, newest first.
struct session_page {
  std::vector<session> sessions;
  std::string next_cursor; ///< the id of the page's last session; empty on the last page
};

// -- checkpoints --------------------------------------------------------------

/// A snapshot of a session and its memory entries to restore later.
struct checkpoint {
  std::string id; ///< UUID
  std::string session_id;
  std::string label;
  session state;
  std::vector<memory_entry> entries; ///< in insertion order
  int64_t tokens = 0;                ///< tokens of the entries not summarised
  std::string created_at;
};

// -- the store ----------------------------------------------------------------

/// Operations on sessions and checkpoints over one memory database connection.
/// Holds a reference: the database must outlive the store. Like the database, not for use from
/// several threads at once.
class session_store {
public:
  explicit session_store(memory_db& db) : db_(db) {}

  // -- sessions --

  /// Starts an active session with a new id. Rejects an empty objective or step and invalid
  /// UTF-8.
  result<session> start(const std::string& objective, const std::vector<std::string>& steps = {},
                        const std::string& task_id = {});

  /// The session with `id`; not_found when there is none.
  result<session> get(const std::string& id);

  /// Applies `change` to an active session. A decision and a context become memory entries of
  /// the session (and its task), added before the session row is updated.
  result<session> update(const std::string& id, const session_change& change);

  /// Appends a step to the plan of an active session.
  result<session> add_step(const std::string& id, const std::string& text);

  /// Marks the session ended; ending it again is an error.
  result<session> end(const std::string& id);

  /// Sessions, newest first, optionally only those with `status`.
  result<std::vector<session>> list(std::optional<session_status> status = std::nullopt);

  /// At most `limit` sessions (0: all) after the one named by `cursor` (a `next_cursor`; empty
  /// for the first page), newest first, optionally only those with `status`. An unknown cursor
  /// is an invalid_argument error.
  result<session_page> list_page(std::optional<session_status> status, const std::string& cursor,
                                 std::size_t limit);

  // -- checkpoints --

  /// Stores the session and all its memory entries as a new checkpoint.
  result<checkpoint> create_checkpoint(const std::string& session_id,
                                       const std::string& label = {});

  /// The checkpoints of a session, oldest first; not_found for an unknown session.
  result<std::vector<checkpoint>> list_checkpoints(const std::string& session_id);

  /// Brings the session and its entries back to the checkpoint, in one transaction: entries
  /// changed since get their old state, deleted ones come back with their ids, and entries of
  /// the session added after it are removed. Returns the restored session.
  result<session> restore(const std::string& checkpoint_id);

private:
  result<std::optional<session>> find(const std::string& id);
  result<session> require_active(const std::string& id);
  std::optional<error> write(const session& s);

  memory_db& db_;
};

} // namespace sage::core
