// Helpers for the memory store tests: a store in a temporary folder and entries to put in it.
// SPDX-License-Identifier: MIT
#pragma once

#include "core/memory_db.hpp"

#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace sage::core::test {

/// The cl100k_base counter, loaded once for all tests.
inline const token_counter& memory_counter() {
  static token_counter c = [] {
    auto loaded = token_counter::load("cl100k_base", SAGE_DEFAULT_DATA_DIR);
    BOOST_REQUIRE_MESSAGE(loaded.has_value(), "cannot load cl100k_base");
    return *loaded;
  }();
  return c;
}

inline memory_db open_memory(const std::filesystem::path& path, memory_db_options options = {}) {
  auto db = memory_db::open(path, memory_counter(), options);
  BOOST_REQUIRE_MESSAGE(db.has_value(), "open failed: " + (db ? "" : db.err().message));
  return std::move(*db);
}

inline memory_entry entry(std::string content, memory_type type = memory_type::context,
                          std::string session = "s1", int priority = priority_level::normal) {
  memory_entry e;
  e.content = std::move(content);
  e.type = type;
  e.session_id = std::move(session);
  e.priority = priority;
  return e;
}

/// Every entry, oldest first (by created_at, then insertion order).
inline std::vector<memory_entry> all_entries(memory_db& db) {
  memory_query q;
  q.descending = false;
  q.limit = 0;
  auto page = db.query(q);
  BOOST_REQUIRE_MESSAGE(page.has_value(), "query failed: " + (page ? "" : page.err().message));
  return page->entries;
}

/// A store in a fresh temporary folder.
struct memory_fixture {
  sage::test::temp_dir dir;
  memory_db db = open_memory(dir / "sage/memory.db");
};

} // namespace sage::core::test
